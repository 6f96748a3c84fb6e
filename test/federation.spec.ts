import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { useApolloFederation } from '@envelop/apollo-federation';
import { parse } from 'graphql';
import { createYoga, type YogaInitialContext } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printSubgraphSdl, SUBGRAPH_SDL_FILE } from '../src/federation.js';
import { DEMO_TOKENS } from '../src/simulator/simulator.js';
import { type Listener, listen, type Stack, startStack } from './helpers.js';

// A second subgraph, written for this test, as a company graph would have next to ours.
const ACCOUNTS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: [])
  type Query { me: User }
  type User { name: String! }
`;

const silent = { debug() {}, info() {}, warn() {}, error() {} };

let stack: Stack;
let sms: Listener;
let accounts: Listener;
let gateway: ApolloGateway;
let router: Listener;
/** `X-Auth-Token` of every request our subgraph received, in order. */
const smsTokens: (string | undefined)[] = [];

beforeAll(async () => {
  stack = await startStack();
  sms = await listen((req, res) => {
    const token = req.headers['x-auth-token'];
    smsTokens.push(Array.isArray(token) ? token.join(',') : token);
    void stack.yoga(req, res);
  });
  const accountsYoga = createYoga({
    schema: buildSubgraphSchema([
      { typeDefs: parse(ACCOUNTS_SDL), resolvers: { Query: { me: () => ({ name: 'Ada Lovelace' }) } } },
    ]),
    logging: false,
  });
  accounts = await listen(accountsYoga);

  // Compose from the published SDL file: what a platform team's registry would do.
  const composition = composeServices([
    { name: 'accounts', url: `${accounts.url}/graphql`, typeDefs: parse(ACCOUNTS_SDL) },
    { name: 'sms', url: `${sms.url}/graphql`, typeDefs: parse(readFileSync(SUBGRAPH_SDL_FILE, 'utf8')) },
  ]);
  expect(composition.errors).toBeUndefined();
  if (composition.errors !== undefined) throw new Error('composition failed');

  gateway = new ApolloGateway({
    supergraphSdl: composition.supergraphSdl,
    logger: silent,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<YogaInitialContext>({
        url,
        // The caller's token is the only header a subgraph gets from the incoming request.
        willSendRequest({ request, context }) {
          const incoming = 'request' in context ? (context as YogaInitialContext).request : undefined;
          const token = incoming?.headers.get('x-auth-token');
          if (token != null) request.http?.headers.set('x-auth-token', token);
        },
      }),
  });
  await gateway.load();
  router = await listen(
    createYoga({
      plugins: [useApolloFederation({ gateway, logger: silent })],
      logging: false,
      // Apollo Gateway keeps a subgraph error's message, path and extensions but sets its
      // `originalError` to the raw JSON error, which Yoga's masking would hide as "Unexpected
      // error."; Apollo Server, the gateway's usual host, passes such errors through.
      maskedErrors: false,
    }),
  );
});

afterAll(async () => {
  await router?.close();
  await gateway?.stop();
  await accounts?.close();
  await sms?.close();
  await stack?.close();
});

async function ask(token: string): Promise<{ data?: unknown; errors?: { extensions?: unknown }[] }> {
  const response = await fetch(`${router.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    body: JSON.stringify({ query: '{ me { name } sourceOverview { total needsAttention } }' }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data?: unknown; errors?: { extensions?: unknown }[] };
}

describe('as an Apollo Federation v2 subgraph', () => {
  it('answers _service { sdl } with the published subgraph SDL', async () => {
    const { body } = await stack.query('{ _service { sdl } }');
    const sdl = String((body.data?._service as { sdl?: unknown } | undefined)?.sdl);
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.9"');
    expect(`${sdl.trimEnd()}\n`).toBe(readFileSync(SUBGRAPH_SDL_FILE, 'utf8'));
  });

  it('keeps schema.federation.graphql up to date (npm run schema:print)', () => {
    expect(readFileSync(SUBGRAPH_SDL_FILE, 'utf8')).toBe(printSubgraphSdl());
  });

  it('merges our overview with another subgraph behind a real gateway, forwarding the token', async () => {
    smsTokens.length = 0;
    stack.sim.reset();
    const body = await ask(DEMO_TOKENS.seed);
    expect(body).toEqual({
      data: { me: { name: 'Ada Lovelace' }, sourceOverview: { total: 24, needsAttention: 3 } },
    });
    expect(smsTokens).toEqual([DEMO_TOKENS.seed]);
    expect(stack.sim.calls.map((c) => [c.path, c.token])).toEqual([
      ['/v3/sources/overview', DEMO_TOKENS.seed],
    ]);
  });

  it('lets the rest of the graph resolve when the SMS API refuses the caller', async () => {
    smsTokens.length = 0;
    stack.sim.reset();
    const body = await ask(DEMO_TOKENS.forbidden);
    expect(body.data).toEqual({ me: { name: 'Ada Lovelace' }, sourceOverview: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]).toMatchObject({
      path: ['sourceOverview'],
      extensions: { code: 'FORBIDDEN', upstream: { status: 403, errorCode: 'SMS.9004' } },
    });
    expect(smsTokens).toEqual([DEMO_TOKENS.forbidden]);
    expect(stack.sim.calls.map((c) => c.token)).toEqual([DEMO_TOKENS.forbidden]);
  });
});
