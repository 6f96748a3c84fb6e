import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSubgraphSchema } from '../src/federation.js';
import { createGatewayListener } from '../src/server.js';
import { DEMO_TOKENS } from '../src/simulator/simulator.js';
import type { OverviewSource } from '../src/upstream/types.js';
import {
  captureLogs,
  FULL_OVERVIEW,
  type Listener,
  listen,
  type Stack,
  type StackOptions,
  startStack,
} from './helpers.js';

/**
 * The lean path (src/fast-path.ts) must answer exactly as Yoga does. Each case sends the same
 * request to Yoga served alone and to the gateway's listener (lean path in front of the same
 * Yoga, same cache, same clock), and compares status, body and headers byte for byte.
 */

interface Sent {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

interface Request {
  readonly body: string;
  readonly headers?: Record<string, string>;
}

const COMPARED_HEADERS = ['content-type', 'content-length', 'cache-control'];

async function send(url: string, request: Request): Promise<Sent> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...request.headers },
    body: request.body,
  });
  const headers: Record<string, string> = {};
  for (const name of COMPARED_HEADERS) headers[name] = response.headers.get(name) ?? '(none)';
  headers['x-request-id'] = response.headers.get('x-request-id') === null ? '(none)' : '(set)';
  // The SMS API's request id differs per call; everything else must match byte for byte.
  const text = (await response.text()).replace(/"requestId":"[0-9a-f]{32}"/g, '"requestId":"(upstream)"');
  return { status: response.status, body: text, headers };
}

function body(query: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ query, ...extra });
}

let stack: Stack | undefined;
const listeners: Listener[] = [];

afterEach(async () => {
  for (const l of listeners.splice(0)) await l.close();
  await stack?.close();
  stack = undefined;
});

async function setUp(options: StackOptions = {}) {
  stack = await startStack(options);
  const yogaAlone = await listen(stack.yoga);
  const gateway = await listen(stack.listener);
  listeners.push(yogaAlone, gateway);
  const s = stack;
  return {
    stack: s,
    /** Yoga alone first (which vets the document), then the gateway's listener. */
    async both(request: Request): Promise<{ yoga: Sent; gateway: Sent }> {
      const yoga = await send(yogaAlone.url, request);
      const answer = await send(gateway.url, request);
      return { yoga, gateway: answer };
    },
    send: (request: Request) => send(gateway.url, request),
  };
}

const VARIABLES_DOC =
  'query Fresh($age: Int) { sourceOverview(maxAgeSeconds: $age) { total stale ageSeconds } }';
const TWO_OPERATIONS = 'query A { sourceOverview { total } } query B { sourceOverview { needsAttention } }';

describe('the lean path answers exactly as Yoga does', () => {
  const token = (t: string) => ({ 'x-auth-token': t });
  // [name, request, how many of the two sends the compiled plan answered (the rest: graphql-js)]
  const cases: [string, Request, number][] = [
    ['the seed overview, every field', { body: body(FULL_OVERVIEW), headers: token(DEMO_TOKENS.seed) }, 2],
    ['a 403 from the SMS API', { body: body(FULL_OVERVIEW), headers: token(DEMO_TOKENS.forbidden) }, 0],
    [
      'a 401 from the SMS API',
      { body: body('{ sourceOverview { total } }'), headers: token(DEMO_TOKENS.expired) },
      0,
    ],
    [
      'a 429 from the SMS API',
      { body: body('{ sourceOverview { total } }'), headers: token(DEMO_TOKENS.throttled) },
      0,
    ],
    ['the older upstream shape', { body: body(FULL_OVERVIEW), headers: token(DEMO_TOKENS.legacy) }, 2],
    ['no token', { body: body('{ sourceOverview { total } }') }, 0],
    [
      'a Bearer token',
      {
        body: body('{ sourceOverview { total } }'),
        headers: { authorization: `Bearer ${DEMO_TOKENS.seed}` },
      },
      2,
    ],
    [
      'variables that coerce',
      { body: body(VARIABLES_DOC, { variables: { age: 0 } }), headers: token(DEMO_TOKENS.seed) },
      2,
    ],
    [
      'a variable the resolver refuses',
      { body: body(VARIABLES_DOC, { variables: { age: -1 } }), headers: token(DEMO_TOKENS.seed) },
      0,
    ],
    [
      'an omitted nullable variable',
      { body: body(VARIABLES_DOC, { variables: null }), headers: token(DEMO_TOKENS.seed) },
      2,
    ],
    [
      'the second of two operations',
      { body: body(TWO_OPERATIONS, { operationName: 'B' }), headers: token(DEMO_TOKENS.seed) },
      2,
    ],
    [
      'Accept: application/graphql-response+json',
      {
        body: body('{ sourceOverview { total } }'),
        headers: { accept: 'application/graphql-response+json' },
      },
      0,
    ],
    [
      'aliases with different ages, __typename inside',
      {
        body: body(
          '{ a: sourceOverview { __typename total } b: sourceOverview(maxAgeSeconds: 60) { byStatus { __typename status } } }',
        ),
        headers: token(DEMO_TOKENS.seed),
      },
      2,
    ],
    [
      'a fragment (graphql-js answers)',
      {
        body: body('{ sourceOverview { ...F } } fragment F on SourceOverview { total }'),
        headers: token(DEMO_TOKENS.seed),
      },
      0,
    ],
    [
      'a directive (graphql-js answers)',
      {
        body: body('query Q($x: Boolean!) { sourceOverview { total @include(if: $x) error } }', {
          variables: { x: false },
        }),
        headers: token(DEMO_TOKENS.seed),
      },
      0,
    ],
    [
      'one response key twice (graphql-js answers)',
      { body: body('{ sourceOverview { total total } }'), headers: token(DEMO_TOKENS.seed) },
      0,
    ],
    [
      '__proto__ as an alias, at every level',
      {
        body: body(
          '{ __proto__: sourceOverview { __proto__: total byStatus { __proto__: __typename count } } }',
        ),
        headers: token(DEMO_TOKENS.seed),
      },
      2,
    ],
    ['__typename and _service', { body: body('{ __typename _service { sdl } }') }, 0],
    ['an empty extensions object', { body: body('{ __typename }', { extensions: {} }), headers: {} }, 0],
  ];

  it.each(cases)('%s', async (_name, request, planned) => {
    const { both, stack: s } = await setUp();
    const first = await both(request);
    expect(s.listener.stats.lean).toBe(1);
    expect(first.gateway).toEqual(first.yoga);
    // And again, now that the upstream answer may be cached.
    const second = await both(request);
    expect(second.gateway).toEqual(second.yoga);
    expect(s.listener.stats).toEqual({ lean: 2, planned, handedOver: 0 });
  });
});

it('never asks the SMS API twice when a compiled plan gives up on an error', async () => {
  const { send: sendToGateway, stack: s } = await setUp();
  const request = { body: body(FULL_OVERVIEW), headers: { 'x-auth-token': DEMO_TOKENS.forbidden } };
  await sendToGateway(request); // Yoga vets the document
  const calls = s.overviewCalls();
  const answer = await sendToGateway(request);
  expect(s.listener.stats).toEqual({ lean: 1, planned: 0, handedOver: 1 });
  expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('FORBIDDEN');
  expect(s.overviewCalls()).toBe(calls + 1);
});

it('leaves a $__proto__ variable to Yoga, whose executor coerces variables differently', async () => {
  const { both, stack: s } = await setUp();
  const request = {
    body: body('query Q($__proto__: Int) { sourceOverview(maxAgeSeconds: $__proto__) { total } }', {
      // Parsed, not a literal: `{ __proto__: -5 }` in code would set a prototype, not a key.
      variables: JSON.parse('{"__proto__": -5}'),
    }),
    headers: { 'x-auth-token': DEMO_TOKENS.seed },
  };
  await both(request);
  const { yoga, gateway } = await both(request);
  expect(gateway).toEqual(yoga);
  expect(s.listener.stats.lean).toBe(0);
});

describe('whatever the lean path is unsure of goes to Yoga, body and all', () => {
  const handedOver: [string, Request, number][] = [
    [
      'variables that do not coerce',
      {
        body: body(VARIABLES_DOC, { variables: { age: 'soon' } }),
        headers: { 'x-auth-token': DEMO_TOKENS.seed },
      },
      400,
    ],
    ['an operation name the document lacks', { body: body(TWO_OPERATIONS, { operationName: 'C' }) }, 400],
    ['an unexpected body parameter', { body: body('{ __typename }', { debug: true }) }, 400],
    ['an empty operationName', { body: body('{ __typename }', { operationName: '' }) }, 400],
    ['truncated JSON', { body: body('{ __typename }').slice(0, -2) }, 400],
    ['a JSON array', { body: `[${body('{ __typename }')}]` }, 400],
    [
      'a persisted-query extension',
      { body: body('{ __typename }', { extensions: { persistedQuery: { version: 1, sha256Hash: 'ab' } } }) },
      200,
    ],
  ];

  it.each(handedOver)('%s', async (_name, request, status) => {
    const { both, send: sendToGateway, stack: s } = await setUp();
    // Vet the valid relatives first, so the lean path knows the documents.
    await sendToGateway({ body: body(VARIABLES_DOC, { variables: { age: 1 } }) });
    await sendToGateway({ body: body(TWO_OPERATIONS, { operationName: 'A' }) });
    await sendToGateway({ body: body('{ __typename }') });
    const before = { ...s.listener.stats };
    const { yoga, gateway } = await both(request);
    expect(gateway).toEqual(yoga);
    expect(gateway.status).toBe(status);
    expect(s.listener.stats.lean).toBe(before.lean);
  });

  it('leaves cross-origin requests, large bodies and other media types to Yoga unread', async () => {
    const { send: sendToGateway, stack: s } = await setUp({
      gateway: { corsOrigins: ['https://app.example.com'], maxBodyBytes: 200 },
    });
    const query = body('{ __typename }');
    await sendToGateway({ body: query });
    const before = { ...s.listener.stats };
    const cors = await fetch(`${(listeners[1] as Listener).url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://app.example.com' },
      body: query,
    });
    expect(cors.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(await cors.json()).toEqual({ data: { __typename: 'Query' } });
    const large = await sendToGateway({ body: body(`{ __typename ${' '.repeat(300)}}`) });
    expect(large.status).toBe(413);
    const graphqlType = await sendToGateway({
      body: '{ __typename }',
      headers: { 'content-type': 'application/graphql' },
    });
    expect(graphqlType.status).toBe(200);
    expect(s.listener.stats).toEqual(before);
  });
});

describe('the lean path never runs a document Yoga refused', () => {
  it('query limits: a document over them is refused every time', async () => {
    const { send: sendToGateway, stack: s } = await setUp({ gateway: { queryLimits: { maxAliases: 2 } } });
    const tooMany = body(
      '{ a: sourceOverview { total } b: sourceOverview { total } c: sourceOverview { total } }',
    );
    const first = await sendToGateway({ body: tooMany });
    const second = await sendToGateway({ body: tooMany });
    expect(second).toEqual(first);
    expect(JSON.parse(second.body)).toMatchObject({
      errors: [{ message: expect.stringContaining('Aliases limit') }],
    });
    expect(s.listener.stats.lean).toBe(0);
  });

  it('introspection off: __schema is refused every time', async () => {
    const { send: sendToGateway, stack: s } = await setUp({ gateway: { introspection: false } });
    const schemaQuery = body('{ __schema { queryType { name } } }');
    await sendToGateway({ body: schemaQuery });
    const second = await sendToGateway({ body: schemaQuery });
    expect(JSON.parse(second.body).data).toBeUndefined();
    expect(s.listener.stats.lean).toBe(0);
  });

  it('persisted operations only: the text of a trusted operation, sent raw, is still refused', async () => {
    const document = '{ sourceOverview { total } }';
    const hash = createHash('sha256').update(document).digest('hex');
    const { send: sendToGateway, stack: s } = await setUp({
      gateway: { persistedOperations: new Map([[hash, document]]) },
    });
    const persisted = body('', { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    const byHash = JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    for (const request of [byHash, byHash]) {
      const answer = await sendToGateway({ body: request, headers: { 'x-auth-token': DEMO_TOKENS.seed } });
      expect(JSON.parse(answer.body)).toEqual({ data: { sourceOverview: { total: 24 } } });
    }
    expect(persisted).toContain('persistedQuery');
    for (let i = 0; i < 2; i++) {
      const raw = await sendToGateway({
        body: body(document),
        headers: { 'x-auth-token': DEMO_TOKENS.seed },
      });
      expect(JSON.parse(raw.body).errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
    }
    expect(s.listener.stats.lean).toBe(0);
  });
});

describe('what the lean path does besides answering', () => {
  it('keeps callers apart: each token gets its own numbers and the upstream sees each token', async () => {
    const { send: sendToGateway, stack: s } = await setUp();
    const query = body('{ sourceOverview { total other } }');
    await sendToGateway({ body: query, headers: { 'x-auth-token': DEMO_TOKENS.seed } });
    const seed = await sendToGateway({ body: query, headers: { 'x-auth-token': DEMO_TOKENS.seed } });
    const legacy = await sendToGateway({ body: query, headers: { 'x-auth-token': DEMO_TOKENS.legacy } });
    expect(JSON.parse(seed.body)).toEqual({ data: { sourceOverview: { total: 24, other: null } } });
    expect(JSON.parse(legacy.body).data.sourceOverview.other).not.toBeNull();
    expect(s.listener.stats.lean).toBe(2);
    expect(s.sim.calls.map((c) => c.token)).toEqual([DEMO_TOKENS.seed, DEMO_TOKENS.legacy]);
  });

  it('counts the request in /metrics and writes one access log line with its request id, never the token', async () => {
    const { send: sendToGateway, stack: s } = await setUp();
    const query = body('query Dashboard { sourceOverview { total } }');
    const secret = 'lean-path-secret-token-0123456789';
    await sendToGateway({ body: query, headers: { 'x-auth-token': secret } });
    const response = await fetch(`${(listeners[1] as Listener).url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': secret, 'x-request-id': 'lean-42' },
      body: query,
    });
    expect(response.headers.get('x-request-id')).toBe('lean-42');
    expect(s.listener.stats.lean).toBe(1);
    const metrics = await s.metrics.registry.metrics();
    expect(metrics).toContain('sms_graph_graphql_requests_total{operation="Dashboard",outcome="ok"} 2');
    const access = s.logs.records().filter((r) => r.event === 'request' && r.requestId === 'lean-42');
    expect(access).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/graphql',
        status: 200,
        operation: 'Dashboard',
        outcome: 'ok',
      }),
    ]);
    expect(s.logs.lines.join('\n')).not.toContain(secret);
  });
});

it('takes a client that aborts its body as a client choice: debug line, no error, serves on', async () => {
  const { stack: s } = await setUp();
  const url = new URL((listeners[1] as Listener).url);
  await new Promise<void>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(
        'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"query":"{',
        () => setTimeout(() => socket.destroy(), 50),
      );
    });
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const levels = s.logs.records().map((r) => r.level);
  expect(levels.filter((level) => typeof level === 'number' && level >= 40)).toEqual([]);
  expect(s.logs.records()).toContainEqual(expect.objectContaining({ event: 'client_aborted' }));
  const after = await send((listeners[1] as Listener).url, {
    body: body('{ sourceOverview { total } }'),
    headers: { 'x-auth-token': DEMO_TOKENS.seed },
  });
  expect(after.body).toBe('{"data":{"sourceOverview":{"total":24}}}');
});

it('masks an unexpected resolver failure as Yoga does, and logs its cause', async () => {
  const logs = captureLogs();
  const source: OverviewSource = {
    getOverview: () => Promise.reject(new Error('database password is hunter2')),
  };
  expect(createSubgraphSchema()).toBeDefined();
  const { yoga, listener } = createGatewayListener({ source, logger: logs.logger });
  const yogaAlone = await listen(yoga);
  const gateway = await listen(listener);
  listeners.push(yogaAlone, gateway);
  const request = { body: body('{ sourceOverview { total } }'), headers: { 'x-auth-token': 't' } };
  const viaYoga = await send(yogaAlone.url, request);
  const viaGateway = await send(gateway.url, request);
  expect(viaGateway).toEqual(viaYoga);
  expect(listener.stats.lean).toBe(1);
  expect(JSON.parse(viaGateway.body).errors[0]).toMatchObject({
    message: 'Unexpected error.',
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
  expect(viaGateway.body).not.toContain('hunter2');
  const logged = logs.records().filter((r) => JSON.stringify(r).includes('hunter2'));
  expect(logged).toHaveLength(2);
});
