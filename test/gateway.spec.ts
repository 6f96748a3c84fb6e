import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGateway } from '../src/server.js';
import { SEED_OVERVIEW_403 } from '../src/simulator/seed.js';
import { DEMO_TOKENS, tokenOverview } from '../src/simulator/simulator.js';
import { captureLogs, FULL_OVERVIEW, postQuery, type Stack, startStack } from './helpers.js';

const TOKEN = 'test-token-1';
let stack: Stack;
beforeEach(async () => {
  stack = await startStack({ client: { timeoutMs: 300 } });
});
afterEach(async () => {
  await stack.close();
});

const SEED_ANSWER = {
  waiting: 0,
  replicate: 0,
  syncing: 0,
  stopped: 0,
  deleting: 1,
  cutovering: 0,
  unavailable: 0,
  stopping: 1,
  skipping: null,
  finished: 6,
  initialize: 0,
  error: 3,
  cloning: 0,
  unconfigured: 13,
  other: null,
  inProgress: 0,
  needsAttention: 3,
  notStarted: 13,
  paused: 0,
  transitioning: 2,
  completed: 6,
  total: 24,
  missingStatuses: ['SKIPPING'],
  stale: false,
  ageSeconds: 0,
};

describe('sourceOverview', () => {
  it('answers the seed example exactly for the demo token', async () => {
    const { status, body, headers } = await stack.query(FULL_OVERVIEW, { token: DEMO_TOKENS.seed });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const overview = body.data?.sourceOverview as Record<string, unknown>;
    const { byStatus, fetchedAt, ...rest } = overview;
    expect(rest).toEqual(SEED_ANSWER);
    expect(fetchedAt).toBe(new Date(stack.clock.now()).toISOString());
    expect(byStatus).toHaveLength(13);
    expect((byStatus as unknown[])[0]).toEqual({ status: 'UNCONFIGURED', count: 13, group: 'NOT_STARTED' });
    expect(headers.get('cache-control')).toBe('private, no-store');
  });

  it('answers the older 4-field shape', async () => {
    const { body } = await stack.query(
      '{ sourceOverview { waiting replicate syncing other skipping total inProgress notStarted missingStatuses } }',
      { token: DEMO_TOKENS.legacy },
    );
    expect(body.data?.sourceOverview).toEqual({
      waiting: 2,
      replicate: 5,
      syncing: 1,
      other: 4,
      skipping: null,
      total: 12,
      inProgress: 6,
      notStarted: 2,
      missingStatuses: [
        'UNCONFIGURED',
        'UNAVAILABLE',
        'INITIALIZE',
        'CLONING',
        'CUTOVERING',
        'FINISHED',
        'STOPPING',
        'STOPPED',
        'SKIPPING',
        'DELETING',
        'ERROR',
      ],
    });
  });

  it('gives each token its own numbers', async () => {
    const a = await stack.query('{ sourceOverview { finished error total } }', { token: 'alice' });
    const b = await stack.query('{ sourceOverview { finished error total } }', { token: 'bob' });
    const expected = (token: string) => {
      const counts = tokenOverview(token);
      return {
        finished: counts.finished,
        error: counts.error,
        total: Object.values(counts).reduce((x, y) => x + y, 0),
      };
    };
    expect(a.body.data?.sourceOverview).toEqual(expected('alice'));
    expect(b.body.data?.sourceOverview).toEqual(expected('bob'));
    expect(a.body.data?.sourceOverview).not.toEqual(b.body.data?.sourceOverview);
  });
});

describe('token forwarding', () => {
  it('sends the caller token upstream exactly once, as X-Auth-Token, and no other caller header', async () => {
    await stack.query('{ a: sourceOverview { total } b: sourceOverview { needsAttention } }', {
      token: DEMO_TOKENS.seed,
      headers: { cookie: 'session=secret', 'x-forwarded-for': '10.0.0.1', 'x-custom': 'nope' },
    });
    expect(stack.sim.calls).toHaveLength(1);
    const call = stack.sim.calls[0];
    expect(call?.method).toBe('GET');
    expect(call?.path).toBe('/v3/sources/overview');
    expect(call?.token).toBe(DEMO_TOKENS.seed);
    expect(call?.headers.cookie).toBeUndefined();
    expect(call?.headers.authorization).toBeUndefined();
    expect(call?.headers['x-forwarded-for']).toBeUndefined();
    expect(call?.headers['x-custom']).toBeUndefined();
  });

  it('accepts Authorization: Bearer and forwards it as X-Auth-Token only', async () => {
    const { body } = await stack.query('{ sourceOverview { total } }', {
      headers: { authorization: `Bearer ${DEMO_TOKENS.seed}` },
    });
    expect(body.data?.sourceOverview).toEqual({ total: 24 });
    expect(stack.sim.calls.map((c) => [c.token, c.headers.authorization])).toEqual([
      [DEMO_TOKENS.seed, undefined],
    ]);
  });

  it.each([
    ['no token', {}, 'No token was sent.'],
    ['an empty token', { 'x-auth-token': '' }, 'The token is empty.'],
    ['a Basic authorization', { authorization: 'Basic dXNlcjpwYXNz' }, 'No token was sent.'],
    [
      'a token over 16384 characters',
      { 'x-auth-token': 'a'.repeat(16385) },
      'The token is longer than 16384 characters.',
    ],
  ])('refuses %s with UNAUTHENTICATED and makes no upstream call', async (_name, headers, reason) => {
    const { status, body } = await stack.query('{ sourceOverview { total } }', { headers });
    expect(status).toBe(200);
    expect(body.data).toEqual({ sourceOverview: null });
    expect(body.errors).toEqual([
      {
        message: `${reason} Send your Huawei Cloud IAM token in the X-Auth-Token header (or Authorization: Bearer <token>), 1 to 16384 characters.`,
        locations: [{ line: 1, column: 3 }],
        path: ['sourceOverview'],
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
    expect(stack.sim.calls).toHaveLength(0);
  });

  it('accepts a token of exactly 16384 characters', async () => {
    const token = 'a'.repeat(16384);
    const { body } = await stack.query('{ sourceOverview { total } }', { token });
    expect(body.errors).toBeUndefined();
    expect(stack.sim.calls[0]?.token).toBe(token);
  });

  it('refuses a negative maxAgeSeconds without an upstream call', async () => {
    const { body } = await stack.query('{ sourceOverview(maxAgeSeconds: -1) { total } }', { token: 't' });
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(body.errors?.[0]?.message).toBe('expected maxAgeSeconds to be 0 or more, got: -1');
    expect(stack.sim.calls).toHaveLength(0);
  });
});

describe('upstream errors become field errors with stable codes', () => {
  async function failure(token: string) {
    const { status, body } = await stack.query('{ sourceOverview { total } }', { token });
    expect(status).toBe(200);
    expect(body.data).toEqual({ sourceOverview: null });
    expect(body.errors).toHaveLength(1);
    const error = body.errors?.[0];
    expect(error?.path).toEqual(['sourceOverview']);
    const upstream = error?.extensions?.upstream as Record<string, unknown> | undefined;
    // The request id is random per call: assert its shape, then the rest exactly.
    if (upstream !== undefined) {
      expect(upstream.requestId).toMatch(/^[0-9a-f]{32}$/);
      delete upstream.requestId;
    }
    return error;
  }

  it('403 → FORBIDDEN with the whole seed envelope', async () => {
    expect(await failure(DEMO_TOKENS.forbidden)).toMatchObject({
      message: SEED_OVERVIEW_403.error_msg,
      extensions: {
        code: 'FORBIDDEN',
        upstream: {
          status: 403,
          errorCode: 'SMS.9004',
          errorMessage: SEED_OVERVIEW_403.error_msg,
          errorParams: ['You do not have permission to perform action XXX on resource XXX.'],
          details: [
            {
              errorCode: 'SMS.9004',
              errorMessage: 'You do not have permission to perform action XXX on resource XXX.',
            },
          ],
          encodedAuthorizationMessage: 'XXXXXX',
        },
      },
    });
  });

  it('401 → UNAUTHENTICATED', async () => {
    const error = await failure(DEMO_TOKENS.expired);
    expect(error?.message).toBe('Incorrect IAM authentication information: verify token fail');
    expect(error?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      upstream: {
        status: 401,
        errorCode: 'APIGW.0301',
        errorMessage: 'Incorrect IAM authentication information: verify token fail',
      },
    });
  });

  it('429 → RATE_LIMITED with retryAfterSeconds from Retry-After', async () => {
    const error = await failure(DEMO_TOKENS.throttled);
    expect(error?.extensions).toEqual({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 7,
      upstream: {
        status: 429,
        errorCode: 'APIGW.0308',
        errorMessage: 'The throttling threshold has been reached',
      },
    });
  });

  it('429 with an HTTP-date Retry-After → retryAfterSeconds from the gateway clock', async () => {
    const retryAt = new Date(stack.clock.now() + 30_000).toUTCString();
    stack.sim.script(TOKEN, { status: 429, headers: { 'retry-after': retryAt }, body: {} });
    expect((await failure(TOKEN))?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });
  });

  it('APIGW.0308 without Retry-After → RATE_LIMITED, retry after a few seconds', async () => {
    stack.sim.script(TOKEN, { status: 400, body: { error_code: 'APIG.0308', error_msg: 'throttled' } });
    expect((await failure(TOKEN))?.extensions).toEqual({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 5,
      upstream: { status: 400, errorCode: 'APIG.0308', errorMessage: 'throttled' },
    });
  });

  it('500 with {code, message} → UPSTREAM_ERROR', async () => {
    stack.sim.script(TOKEN, { status: 500, body: { code: 'SMS.0000', message: 'internal' } });
    expect(await failure(TOKEN)).toMatchObject({
      message: 'internal',
      extensions: {
        code: 'UPSTREAM_ERROR',
        upstream: { status: 500, errorCode: 'SMS.0000', errorMessage: 'internal' },
      },
    });
  });

  it('404 with {error: {code, message}} → UPSTREAM_ERROR', async () => {
    stack.sim.script(TOKEN, { status: 404, body: { error: { code: 'SMS.404', message: 'nope' } } });
    expect((await failure(TOKEN))?.extensions).toEqual({
      code: 'UPSTREAM_ERROR',
      upstream: { status: 404, errorCode: 'SMS.404', errorMessage: 'nope' },
    });
  });

  it('an HTML 502 page → UPSTREAM_ERROR without the HTML, after two retries', async () => {
    const html = {
      status: 502,
      body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
      headers: { 'content-type': 'text/html' },
    };
    stack.sim.script(TOKEN, html, html, html);
    const error = await failure(TOKEN);
    expect(error?.message).toBe('The SMS API answered HTTP 502.');
    expect(error?.extensions).toEqual({ code: 'UPSTREAM_ERROR', upstream: { status: 502 } });
    expect(JSON.stringify(error)).not.toContain('html');
    expect(stack.overviewCalls()).toBe(3);
  });

  it('no answer in time → UPSTREAM_TIMEOUT', async () => {
    stack.sim.script(TOKEN, { fault: 'hang' });
    const started = Date.now();
    const error = await failure(TOKEN);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error).toMatchObject({
      message: 'The SMS API did not answer within 300 ms.',
      extensions: { code: 'UPSTREAM_TIMEOUT' },
    });
  });

  it('connection reset → UPSTREAM_UNAVAILABLE', async () => {
    stack.sim.setFault({ fault: 'reset' });
    const error = await failure(TOKEN);
    expect(error?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(error?.message).toMatch(/^The SMS API could not be reached \((ECONNRESET|UND_ERR_SOCKET)\)\.$/);
  });

  it('connection refused → UPSTREAM_UNAVAILABLE', async () => {
    await stack.sim.close();
    const error = await failure(TOKEN);
    expect(error).toMatchObject({
      message: 'The SMS API could not be reached (ECONNREFUSED).',
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    });
  });

  it.each([
    [
      { status: 200, body: '<html>oops</html>', headers: { 'content-type': 'text/html' } },
      'expected a JSON body, got content type: text/html',
    ],
    [
      { status: 200, body: '{"finished": 6', headers: {} },
      'expected a JSON body, got: text that is not JSON',
    ],
    [{ status: 200, body: '', headers: {} }, 'expected a JSON body, got: an empty body'],
    [{ status: 200, body: [1, 2] }, 'expected a JSON object of counts, got: an array'],
    [{ status: 200, body: { error: -3 } }, 'expected "error" to be an integer from 0 to 2147483647, got: -3'],
    [
      { status: 200, body: { error: 2.5 } },
      'expected "error" to be an integer from 0 to 2147483647, got: 2.5',
    ],
    [
      { status: 200, body: { error: '3' } },
      'expected "error" to be an integer from 0 to 2147483647, got: a string',
    ],
    [
      { status: 200, body: { error: 3e10 } },
      'expected "error" to be an integer from 0 to 2147483647, got: 30000000000',
    ],
  ])('a 2xx body that breaks the contract → UPSTREAM_INVALID_RESPONSE (%j)', async (answer, reason) => {
    stack.sim.script(TOKEN, answer);
    const error = await failure(TOKEN);
    expect(error?.message).toBe(`The SMS API answered with an invalid overview: ${reason}.`);
    expect(error?.extensions).toEqual({ code: 'UPSTREAM_INVALID_RESPONSE' });
  });

  it('a count above the documented 1000 is served and logged once as drift', async () => {
    stack.sim.script('t1', { body: { finished: 1500 } });
    stack.sim.script('t2', { body: { finished: 2000 } });
    expect((await stack.query('{ sourceOverview { finished } }', { token: 't1' })).body.data).toEqual({
      sourceOverview: { finished: 1500 },
    });
    await stack.query('{ sourceOverview { finished } }', { token: 't2' });
    const drift = stack.logs.records().filter((r) => r.event === 'contract_drift');
    expect(drift).toHaveLength(1);
    expect(drift[0]?.field).toBe('finished');
  });

  it('never shows the token or the upstream URL in an error', async () => {
    const token = 'secret-token-123';
    stack.sim.script(token, {
      status: 403,
      body: { error_code: 'SMS.9004', error_msg: `token ${token} denied` },
    });
    const { body } = await stack.query('{ sourceOverview { total } }', { token });
    const text = JSON.stringify(body);
    expect(text).not.toContain(token);
    expect(text).not.toContain(stack.sim.url);
    expect(body.errors?.[0]?.message).toBe('token [redacted] denied');
  });

  it('redacts a token the upstream echoed with JSON escapes (/ as Java and PHP write it)', async () => {
    const token = 'MIIabc/def+ghi/jklmnop==';
    const escaped = token.replaceAll('/', '\\/');
    stack.sim.script(token, {
      status: 403,
      body: `{"error_code":"SMS.9004","error_msg":"token ${escaped} has no permission","error_param":["${escaped}"],"details":[{"error_code":"SMS.9004","error_msg":"for ${escaped}"}]}`,
    });
    const { body } = await stack.query('{ sourceOverview { total } }', { token });
    expect(JSON.stringify(body)).not.toContain('jklmnop');
    expect(body.errors?.[0]?.message).toBe('token [redacted] has no permission');
    expect(body.errors?.[0]?.extensions?.upstream).toEqual({
      status: 403,
      errorCode: 'SMS.9004',
      errorMessage: 'token [redacted] has no permission',
      errorParams: ['[redacted]'],
      details: [{ errorCode: 'SMS.9004', errorMessage: 'for [redacted]' }],
      requestId: expect.any(String),
    });
  });
});

describe('masking', () => {
  it('hides an unexpected error behind "Unexpected error."', async () => {
    const logs = captureLogs();
    const yoga = createGateway({
      logger: logs.logger,
      source: {
        getOverview: () => Promise.reject(new Error('db password is hunter2 at http://internal:8080')),
      },
    });
    const { body } = await postQuery(yoga, '{ sourceOverview { total } }', { token: 't' });
    expect(body).toEqual({
      data: { sourceOverview: null },
      errors: [
        {
          message: 'Unexpected error.',
          locations: [{ line: 1, column: 3 }],
          path: ['sourceOverview'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ],
    });
    // The operator still gets the cause, with its stack, in the logs.
    const logged = logs.records().find((r) => r.level === 50 && r.component === 'yoga');
    expect((logged?.err as { message?: string } | undefined)?.message).toBe(
      'db password is hunter2 at http://internal:8080',
    );
    expect((logged?.err as { stack?: string } | undefined)?.stack).toContain('Error: db password');
  });
});
