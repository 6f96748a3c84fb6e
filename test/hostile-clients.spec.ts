import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getIntrospectionQuery } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayOptions } from '../src/server.js';
import { DEMO_TOKENS } from '../src/simulator/simulator.js';
import { type Stack, type StackOptions, startStack } from './helpers.js';

const URL_ = 'http://gateway.test/graphql';
const JSON_HEADERS = { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKENS.seed };
const TOTAL = '{ sourceOverview { total } }';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function start(gateway: StackOptions['gateway'] = {}): Promise<Stack> {
  stack = await startStack({ gateway });
  return stack;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function send(s: Stack, init: RequestInit, url = URL_): Promise<Answer> {
  const response = await s.yoga.fetch(url, init);
  const text = await response.text();
  let json: Answer['json'] = {};
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    // Left empty: the assertions on `json` then fail with the text in view.
  }
  return { status: response.status, headers: response.headers, text, json };
}

const post = (body: string, headers: Record<string, string> = JSON_HEADERS): RequestInit => ({
  method: 'POST',
  headers: { ...headers },
  body,
});

/** `n` aliases of sourceOverview in one document. */
const aliases = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: sourceOverview { total }`).join(' ')} }`;

describe('malformed HTTP requests get a 4xx with JSON errors, never a 500 or a stack', () => {
  it.each<[string, RequestInit, number, string]>([
    ['truncated JSON', post('{"query": "{ sourceOverview { total }'), 400, 'POST body sent invalid JSON.'],
    ['an empty body', post(''), 400, 'POST body sent invalid JSON.'],
    ['a JSON array (a batch)', post('[]'), 400, 'Batching is not supported.'],
    ['a batch of one operation', post(JSON.stringify([{ query: TOTAL }])), 400, 'Batching is not supported.'],
    [
      'a numeric query',
      post('{"query": 1}'),
      400,
      'Expected "query" param to be a string, but given number.',
    ],
    [
      'variables as a string',
      post(JSON.stringify({ query: TOTAL, variables: 'x' })),
      400,
      'Expected "variables" param to be empty or an object, but given string.',
    ],
    [
      'multipart without a boundary',
      post('--x\r\n', { 'content-type': 'multipart/form-data', 'x-graphql-csrf': '1' }),
      400,
      'POST body sent invalid multipart data: Multipart: Boundary not found',
    ],
    [
      'a GET without a query',
      { method: 'GET', headers: { 'x-graphql-csrf': '1' } },
      400,
      'Must provide query string.',
    ],
    ['a JSON object without a query', post('{}'), 400, 'Must provide query string.'],
    ['a null query', post('{"query": null, "variables": {}}'), 400, 'Must provide query string.'],
    [
      'an unsupported content type',
      post('<query/>', { 'content-type': 'application/xml' }),
      415,
      'expected a Content-Type of application/json, application/graphql+json or multipart/form-data, got: "application/xml"',
    ],
    [
      'a PUT',
      { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify({ query: TOTAL }) },
      405,
      'GraphQL only supports GET and POST requests.',
    ],
  ])('%s', async (_name, init, status, message) => {
    const s = await start();
    const answer = await send(s, init);
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.json.errors?.[0]?.message).toBe(message);
    expect(answer.json.errors?.[0]?.extensions?.http).toBeUndefined();
    expect(answer.text).not.toMatch(/"stack"|\n\s+at |node_modules/);
    expect(s.overviewCalls()).toBe(0);
    // The server keeps serving.
    expect((await s.query(TOTAL, { token: DEMO_TOKENS.seed })).body.data).toEqual({
      sourceOverview: { total: 24 },
    });
  });
});

describe('CSRF prevention', () => {
  const get = `${URL_}?query=${encodeURIComponent(TOTAL)}`;

  it.each<[string, RequestInit, string?]>([
    ['a simple cross-site GET', { method: 'GET', headers: { 'x-auth-token': DEMO_TOKENS.seed } }, get],
    [
      'a text/plain POST',
      post(JSON.stringify({ query: TOTAL }), {
        'content-type': 'text/plain',
        'x-auth-token': DEMO_TOKENS.seed,
      }),
    ],
    [
      'a form POST',
      post(`query=${encodeURIComponent(TOTAL)}`, {
        'content-type': 'application/x-www-form-urlencoded',
        'x-auth-token': DEMO_TOKENS.seed,
      }),
    ],
  ])('refuses %s with 403 before any upstream call', async (_name, init, url) => {
    const s = await start();
    const answer = await send(s, init, url);
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({
      errors: [{ message: 'Required CSRF header(s) not present', extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(s.overviewCalls()).toBe(0);
  });

  it('runs a GET that carries the CSRF header, and a JSON POST without it', async () => {
    const s = await start();
    const viaGet = await send(
      s,
      { headers: { 'x-auth-token': DEMO_TOKENS.seed, 'x-graphql-csrf': '1' } },
      get,
    );
    expect(viaGet.json).toEqual({ data: { sourceOverview: { total: 24 } } });
    const viaPost = await send(s, post(JSON.stringify({ query: TOTAL })));
    expect(viaPost.json).toEqual({ data: { sourceOverview: { total: 24 } } });
  });

  it('still serves GraphiQL, whose requests are JSON POSTs', async () => {
    const s = await start();
    const page = await send(s, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html');
    expect(page.text).toContain('<title>sms-graph</title>');
    const schema = await send(
      s,
      post(JSON.stringify({ query: getIntrospectionQuery() }), {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json, multipart/mixed',
      }),
    );
    expect(schema.status).toBe(200);
    expect(schema.json.errors).toBeUndefined();
  });
});

describe('query limits', () => {
  it('rejects 10,000 aliases of sourceOverview at every layer, never calling the upstream', async () => {
    const document = JSON.stringify({ query: aliases(10_000) });
    expect(document.length).toBe(318_905);
    // Layer 1: the body cap.
    let s = await start();
    let answer = await send(
      s,
      post(document, { ...JSON_HEADERS, 'content-length': String(document.length) }),
    );
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.json.errors?.[0]).toEqual({
      message: 'expected a request body of at most 102400 bytes, got: 318905 bytes',
      extensions: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(s.overviewCalls()).toBe(0);
    await s.close();
    // Layer 2: the token cap, with the body cap lifted.
    s = await start({ maxBodyBytes: 1024 * 1024 });
    answer = await send(s, post(document));
    expect(answer.json.errors?.[0]?.message).toBe('Syntax Error: Token limit of 1000 exceeded.');
    expect(s.overviewCalls()).toBe(0);
    await s.close();
    // Layer 3: the alias cap, with both lifted.
    s = await start({ maxBodyBytes: 1024 * 1024, queryLimits: { maxTokens: 1_000_000 } });
    answer = await send(s, post(document));
    expect(answer.json).toEqual({
      errors: [
        {
          message: 'Syntax Error: Aliases limit of 100 exceeded, found 10000.',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
    expect(s.overviewCalls()).toBe(0);
  });

  it('allows 100 aliases (one upstream call) and refuses 101', async () => {
    const s = await start();
    const ok = await send(s, post(JSON.stringify({ query: aliases(100) })));
    expect(Object.keys(ok.json.data as object)).toHaveLength(100);
    expect(s.overviewCalls()).toBe(1);
    const refused = await send(s, post(JSON.stringify({ query: aliases(101) })));
    expect(refused.json).toEqual({
      errors: [
        {
          message: 'Syntax Error: Aliases limit of 100 exceeded, found 101.',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
    expect(s.overviewCalls()).toBe(1);
  });

  it('refuses variables that do not coerce with BAD_USER_INPUT, every time, without an upstream call', async () => {
    const s = await start();
    const query = 'query Q($m: Int) { sourceOverview(maxAgeSeconds: $m) { total } }';
    for (let i = 0; i < 2; i++) {
      const answer = await send(s, post(JSON.stringify({ query, variables: { m: 'x' } })));
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({
        errors: [
          {
            message: 'Variable "$m" got invalid value "x"; Int cannot represent non-integer value: "x"',
            locations: [{ line: 1, column: 9 }],
            extensions: { code: 'BAD_USER_INPUT' },
          },
        ],
      });
    }
    expect(s.overviewCalls()).toBe(0);
  });

  it('refuses a document over the token limit', async () => {
    const s = await start();
    const answer = await send(
      s,
      post(JSON.stringify({ query: `{ sourceOverview { ${'total '.repeat(1000)}} }` })),
    );
    expect(answer.json.errors?.[0]).toEqual({
      message: 'Syntax Error: Token limit of 1000 exceeded.',
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
    expect(s.overviewCalls()).toBe(0);
  });

  it('refuses too many directives', async () => {
    const s = await start();
    const answer = await send(
      s,
      post(
        JSON.stringify({
          query: `{ sourceOverview { ${Array.from({ length: 51 }, (_, i) => `f${i}: total @include(if: true)`).join(' ')} } }`,
        }),
      ),
    );
    expect(answer.json).toEqual({
      errors: [
        {
          message: 'Syntax Error: Directives limit of 50 exceeded, found 51.',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
    expect(s.overviewCalls()).toBe(0);
  });

  it('refuses a document deeper than the depth limit', async () => {
    const s = await start({ queryLimits: { maxDepth: 2 } });
    const answer = await send(
      s,
      post(JSON.stringify({ query: '{ sourceOverview { byStatus { status } } }' })),
    );
    expect(answer.json).toEqual({
      errors: [
        {
          message: 'Syntax Error: Query depth limit of 2 exceeded, found 3.',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
    expect(s.overviewCalls()).toBe(0);
  });

  it('caps a chunked body sent over a real socket (no Content-Length)', async () => {
    const s = await start({ maxBodyBytes: 2048 });
    const server = createServer(s.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      // Chunked: four 1 KiB writes, each under the cap on its own.
      for (let i = 0; i < 4; i++) req.write(' '.repeat(1024));
      req.end();
    });
    server.close();
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({
      errors: [
        {
          message: 'expected a request body of at most 2048 bytes, got: more than 2048 bytes',
          extensions: { code: 'PAYLOAD_TOO_LARGE' },
        },
      ],
    });
  });
});

describe('introspection and GraphiQL switches', () => {
  const introspect = JSON.stringify({ query: '{ __schema { queryType { name } } }' });
  const typo = JSON.stringify({ query: '{ sourceOverview { totl } }' });

  it('by default answers introspection and suggests field names', async () => {
    const s = await start();
    expect((await send(s, post(introspect))).json).toEqual({
      data: { __schema: { queryType: { name: 'Query' } } },
    });
    expect((await send(s, post(typo))).json.errors?.[0]?.message).toBe(
      'Cannot query field "totl" on type "SourceOverview". Did you mean "total"?',
    );
  });

  it('with introspection off refuses __schema/__type and hides suggestions', async () => {
    const s = await start({ introspection: false });
    const schema = await send(s, post(introspect));
    expect(schema.json.data).toBeUndefined();
    expect(schema.json.errors?.[0]?.message).toBe(
      'GraphQL introspection has been disabled, but the requested query contained the field "__schema".',
    );
    const type = await send(s, post(JSON.stringify({ query: '{ __type(name: "Query") { name } }' })));
    expect(type.json.errors?.[0]?.message).toBe(
      'GraphQL introspection has been disabled, but the requested query contained the field "__type".',
    );
    const suggestion = await send(s, post(typo));
    expect(suggestion.json.errors?.[0]?.message).toBe(
      'Cannot query field "totl" on type "SourceOverview". [Suggestion hidden]',
    );
    // Ordinary queries still work.
    expect((await send(s, post(JSON.stringify({ query: TOTAL })))).json.data).toEqual({
      sourceOverview: { total: 24 },
    });
  });

  it('with GraphiQL off answers a browser with a JSON 400, not the IDE', async () => {
    const s = await start({ graphiql: false });
    const page = await send(s, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(page.text).not.toContain('<html');
    expect(page.json.errors?.[0]?.message).toBe('Must provide query string.');
  });

  it('answers an Accept it cannot serve with a JSON 406', async () => {
    const s = await start();
    const answer = await send(
      s,
      { headers: { accept: 'image/png', 'x-graphql-csrf': '1' } },
      `${URL_}?query=${encodeURIComponent(TOTAL)}`,
    );
    expect(answer.status).toBe(406);
    expect(answer.json.errors?.[0]?.message).toBe(
      'expected an Accept of application/graphql-response+json, application/json, text/event-stream or multipart/mixed, got: "image/png"',
    );
  });
});

describe('CORS', () => {
  const preflight = (origin: string): RequestInit => ({
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, x-auth-token',
    },
  });
  const corsHeaders = (headers: Headers) =>
    Object.fromEntries([...headers].filter(([name]) => name.startsWith('access-control-')));

  it('is closed by default: no origin gets CORS headers', async () => {
    const s = await start();
    const answer = await send(s, preflight('https://app.example.com'));
    expect(answer.status).toBe(204);
    expect(corsHeaders(answer.headers)).toEqual({});
    const query = await send(
      s,
      post(JSON.stringify({ query: TOTAL }), { ...JSON_HEADERS, origin: 'https://app.example.com' }),
    );
    expect(corsHeaders(query.headers)).toEqual({});
  });

  const options: Partial<GatewayOptions> = {
    corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
  };

  it.each(['https://app.example.com', 'http://localhost:5173'])(
    'lets listed origin %s in, without credentials',
    async (origin) => {
      const s = await start(options);
      const answer = await send(s, preflight(origin));
      expect(answer.status).toBe(204);
      expect(corsHeaders(answer.headers)).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'content-type, x-auth-token, authorization, x-graphql-csrf',
        'access-control-max-age': '600',
      });
      const query = await send(s, post(JSON.stringify({ query: TOTAL }), { ...JSON_HEADERS, origin }));
      expect(query.headers.get('access-control-allow-origin')).toBe(origin);
      expect(query.json.data).toEqual({ sourceOverview: { total: 24 } });
    },
  );

  it.each(['https://evil.example', 'https://app.example.com.evil.example', 'null'])(
    'gives unlisted origin %s no CORS headers',
    async (origin) => {
      const s = await start(options);
      const answer = await send(s, preflight(origin));
      expect(corsHeaders(answer.headers)).toEqual({});
    },
  );
});
