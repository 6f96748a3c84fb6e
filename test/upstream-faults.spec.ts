import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type SimulatorAnswer, tokenOverview } from '../src/simulator/simulator.js';
import type { BreakerState } from '../src/upstream/circuit-breaker.js';
import type { UpstreamEvents } from '../src/upstream/events.js';
import { type GraphQLResponse, type Stack, type StackOptions, startStack } from './helpers.js';

/**
 * Every fault below is sent with tokens that contain TOKEN; the last test reads every log
 * line (at debug level), every response and every observer event the file produced and
 * asserts that none of them holds it.
 */
const TOKEN = 'tok-S3CRET-5b1e9c7f-never-log-me';
const secret = (name: string) => `${TOKEN}-${name}`;
const TOTAL = '{ sourceOverview { total } }';
const BUDGET_MS = 300;

const seen = {
  logs: [] as string[],
  responses: [] as string[],
  events: [] as string[],
  upstreamTokens: [] as string[],
};

let stack: Stack;
let states: BreakerState[];

async function start(options: StackOptions['client'] = {}): Promise<Stack> {
  states = [];
  const events: UpstreamEvents = {
    upstreamCall: (event) => seen.events.push(JSON.stringify(event)),
    cache: (event) => seen.events.push(event),
    breakerState: (state) => {
      states.push(state);
      seen.events.push(state);
    },
  };
  return startStack({ client: { timeoutMs: BUDGET_MS, events, ...options } });
}

async function finish(s: Stack): Promise<void> {
  seen.logs.push(...s.logs.lines);
  seen.upstreamTokens.push(...s.sim.calls.map((c) => c.token ?? ''));
  await s.close();
}

beforeEach(async () => {
  stack = await start();
});
afterEach(async () => {
  await finish(stack);
});

async function ask(token = TOKEN, document = TOTAL, s = stack): Promise<GraphQLResponse> {
  const answer = await s.query(document, { token });
  seen.responses.push(JSON.stringify(answer.body));
  return answer;
}

function errorOf(answer: GraphQLResponse) {
  expect(answer.status).toBe(200);
  expect(answer.body.data).toEqual({ sourceOverview: null });
  expect(answer.body.errors).toHaveLength(1);
  const error = answer.body.errors?.[0];
  const upstream = error?.extensions?.upstream as Record<string, unknown> | undefined;
  if (upstream !== undefined) delete upstream.requestId;
  return { message: error?.message, extensions: error?.extensions };
}

const totalOf = (token: string) => Object.values(tokenOverview(token)).reduce((a, b) => a + b, 0);

describe('a hung or dripping upstream', () => {
  it('fails every coalesced waiter with UPSTREAM_TIMEOUT within the budget, caches nothing, releases the socket', async () => {
    stack.sim.script(TOKEN, { fault: 'hang' });
    const started = performance.now();
    const answers = await Promise.all([ask(), ask(), ask()]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(BUDGET_MS - 10);
    expect(elapsed).toBeLessThan(BUDGET_MS + 700);
    for (const answer of answers) {
      expect(errorOf(answer)).toEqual({
        message: 'The SMS API did not answer within 300 ms.',
        extensions: { code: 'UPSTREAM_TIMEOUT' },
      });
    }
    expect(stack.overviewCalls()).toBe(1);
    expect(stack.source.stats.coalesced).toBe(2);
    expect(stack.source.size).toBe(0);
    // The aborted request's socket is closed, not left hanging on the simulator.
    await vi.waitFor(() => expect(stack.sim.openConnections()).toBe(0), { timeout: 2000, interval: 10 });
    // Nothing was cached: the next call goes upstream and succeeds.
    expect((await ask()).body.data).toEqual({ sourceOverview: { total: totalOf(TOKEN) } });
    expect(stack.overviewCalls()).toBe(2);
  });

  it('times out a body that drips in slower than the budget', async () => {
    stack.sim.script(TOKEN, { body: tokenOverview(TOKEN), bodyChunks: 20, chunkDelayMs: 50 });
    const started = performance.now();
    expect(errorOf(await ask())).toEqual({
      message: 'The SMS API did not answer within 300 ms.',
      extensions: { code: 'UPSTREAM_TIMEOUT' },
    });
    expect(performance.now() - started).toBeLessThan(BUDGET_MS + 700);
    expect(stack.overviewCalls()).toBe(1);
    await vi.waitFor(() => expect(stack.sim.openConnections()).toBe(0), { timeout: 2000, interval: 10 });
  });

  it('reads a body that drips in within the budget', async () => {
    stack.sim.script(TOKEN, { body: tokenOverview(TOKEN), bodyChunks: 5, chunkDelayMs: 10 });
    expect((await ask()).body.data).toEqual({ sourceOverview: { total: totalOf(TOKEN) } });
  });
});

describe('retries: only where safe, at most twice', () => {
  const status = (code: number): SimulatorAnswer => ({
    status: code,
    body: { error_code: `SMS.${code}`, error_msg: `failed with ${code}` },
  });

  it.each([502, 503, 504])('%i is retried twice, then UPSTREAM_ERROR (3 upstream calls)', async (code) => {
    stack.sim.script(TOKEN, status(code), status(code), status(code), status(code));
    expect(errorOf(await ask())).toEqual({
      message: `failed with ${code}`,
      extensions: {
        code: 'UPSTREAM_ERROR',
        upstream: { status: code, errorCode: `SMS.${code}`, errorMessage: `failed with ${code}` },
      },
    });
    expect(stack.overviewCalls()).toBe(3);
    const retries = stack.logs.records().filter((r) => r.event === 'upstream_retry');
    expect(retries.map((r) => [r.status, r.retry])).toEqual([
      [code, 1],
      [code, 2],
    ]);
  });

  it('a 503 then a 200: the retry answers (2 upstream calls)', async () => {
    stack.sim.script(TOKEN, status(503));
    expect((await ask()).body.data).toEqual({ sourceOverview: { total: totalOf(TOKEN) } });
    expect(stack.overviewCalls()).toBe(2);
  });

  it.each([
    [400, 'UPSTREAM_ERROR'],
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [404, 'UPSTREAM_ERROR'],
    [500, 'UPSTREAM_ERROR'],
  ])('%i is never retried (1 upstream call) → %s', async (code, expected) => {
    stack.sim.script(TOKEN, status(code), status(code));
    expect(errorOf(await ask()).extensions?.code).toBe(expected);
    expect(stack.overviewCalls()).toBe(1);
  });

  it('a connection reset is retried twice, then UPSTREAM_UNAVAILABLE', async () => {
    stack.sim.script(TOKEN, { fault: 'reset' }, { fault: 'reset' }, { fault: 'reset' });
    const { message, extensions } = errorOf(await ask());
    expect(extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(message).toMatch(/^The SMS API could not be reached \((ECONNRESET|UND_ERR_SOCKET)\)\.$/);
    expect(stack.overviewCalls()).toBe(3);
  });

  it('a 429 is not retried, and the token is held back until Retry-After has passed', async () => {
    const throttle = {
      status: 429,
      headers: { 'retry-after': '7' },
      body: { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached' },
    };
    stack.sim.script(TOKEN, throttle, throttle);
    const expected = (retryAfterSeconds: number) => ({
      message: 'The throttling threshold has been reached',
      extensions: {
        code: 'RATE_LIMITED',
        retryAfterSeconds,
        upstream: {
          status: 429,
          errorCode: 'APIGW.0308',
          errorMessage: 'The throttling threshold has been reached',
        },
      },
    });
    expect(errorOf(await ask())).toEqual(expected(7));
    expect(stack.overviewCalls()).toBe(1);
    expect(errorOf(await ask())).toEqual(expected(7));
    stack.clock.advance(4500);
    expect(errorOf(await ask())).toEqual(expected(3));
    expect(stack.overviewCalls()).toBe(1);
    // Other tokens are not held back.
    expect((await ask(secret('other'))).body.data).toEqual({
      sourceOverview: { total: totalOf(secret('other')) },
    });
    stack.clock.advance(2500);
    expect(errorOf(await ask())).toEqual(expected(7));
    expect(stack.overviewCalls()).toBe(3);
  });

  it('holds a token back 300 s at most, whatever Retry-After says', async () => {
    stack.sim.script(TOKEN, { status: 429, headers: { 'retry-after': '999999' } });
    expect(errorOf(await ask()).extensions?.retryAfterSeconds).toBe(999999);
    expect(errorOf(await ask()).extensions?.retryAfterSeconds).toBe(300);
    stack.clock.advance(300_000);
    expect((await ask()).body.data).toEqual({ sourceOverview: { total: totalOf(TOKEN) } });
    expect(stack.overviewCalls()).toBe(2);
  });
});

describe('connections', () => {
  it('reuses keep-alive connections for sequential calls (10 calls, at most 2 sockets)', async () => {
    for (let i = 0; i < 10; i++) await ask(secret(`seq-${i}`));
    expect(stack.overviewCalls()).toBe(10);
    // undici may open a second socket for the call right after the first, while the first
    // socket is still finishing its response; from then on the two are reused.
    expect(stack.sim.connectionsAccepted()).toBeLessThanOrEqual(2);
    expect(stack.sim.openConnections()).toBe(stack.sim.connectionsAccepted());
  });

  it('opens no more connections than allowed under concurrency', async () => {
    const bounded = await start({ connections: 2 });
    try {
      const tokens = Array.from({ length: 6 }, (_, i) => secret(`par-${i}`));
      for (const token of tokens) bounded.sim.script(token, { body: tokenOverview(token), delayMs: 30 });
      const answers = await Promise.all(tokens.map((token) => ask(token, TOTAL, bounded)));
      expect(answers.map((a) => a.body.data)).toEqual(
        tokens.map((t) => ({ sourceOverview: { total: totalOf(t) } })),
      );
      expect(bounded.overviewCalls()).toBe(6);
      expect(bounded.sim.connectionsAccepted()).toBe(2);
    } finally {
      await finish(bounded);
    }
  });
});

describe('bodies that break the contract', () => {
  const huge = `{"finished": 1, "padding": "${'x'.repeat(2 * 1024 * 1024)}"}`;

  it('a 2 MiB body with Content-Length is refused unread', async () => {
    stack.sim.script(TOKEN, { body: huge });
    expect(errorOf(await ask())).toEqual({
      message: `The SMS API answered with an invalid overview: expected a body of at most 1048576 bytes, got: ${huge.length} bytes.`,
      extensions: { code: 'UPSTREAM_INVALID_RESPONSE' },
    });
    await vi.waitFor(() => expect(stack.sim.openConnections()).toBe(0), { timeout: 2000, interval: 10 });
  });

  it('a 2 MiB chunked body is cut off at 1 MiB', async () => {
    stack.sim.script(TOKEN, { body: huge, bodyChunks: 64 });
    expect(errorOf(await ask())).toEqual({
      message:
        'The SMS API answered with an invalid overview: expected a body of at most 1048576 bytes, got: more than that.',
      extensions: { code: 'UPSTREAM_INVALID_RESPONSE' },
    });
  });

  it.each([
    ['2147483648', '2147483648'],
    ['-1', '-1'],
    ['0.5', '0.5'],
    ['1e400', 'Infinity'],
    ['"7"', 'a string'],
    ['true', 'a boolean'],
    ['[1]', 'a object'],
  ])('a count of %s → UPSTREAM_INVALID_RESPONSE', async (raw, got) => {
    stack.sim.script(TOKEN, { body: `{"waiting": 1, "error": ${raw}}` });
    expect(errorOf(await ask())).toEqual({
      message: `The SMS API answered with an invalid overview: expected "error" to be an integer from 0 to 2147483647, got: ${got}.`,
      extensions: { code: 'UPSTREAM_INVALID_RESPONSE' },
    });
  });

  it('counts that add up beyond Int → UPSTREAM_INVALID_RESPONSE', async () => {
    stack.sim.script(TOKEN, { body: { waiting: 2147483647, error: 1 } });
    expect(errorOf(await ask()).message).toBe(
      'The SMS API answered with an invalid overview: expected the counts to add up to at most 2147483647, got: 2147483648.',
    );
  });

  it('never copies raw upstream text (HTML, stack traces, the token) into an answer', async () => {
    const page = {
      status: 503,
      headers: { 'content-type': 'text/html' },
      body: `<html><body><h1>503</h1><pre>Error for ${TOKEN}\n    at handler (/srv/gateway/app.js:12:7)</pre></body></html>`,
    };
    stack.sim.script(TOKEN, page, page, page);
    expect(errorOf(await ask())).toEqual({
      message: 'The SMS API answered HTTP 503.',
      extensions: { code: 'UPSTREAM_ERROR', upstream: { status: 503 } },
    });
    stack.sim.script(secret('plain'), {
      headers: { 'content-type': 'text/plain' },
      body: `internal error at /srv/gateway/app.js for ${secret('plain')}`,
    });
    expect(errorOf(await ask(secret('plain')))).toEqual({
      message:
        'The SMS API answered with an invalid overview: expected a JSON body, got content type: text/plain.',
      extensions: { code: 'UPSTREAM_INVALID_RESPONSE' },
    });
    stack.sim.script(secret('echo'), {
      status: 400,
      body: { error_code: 'SMS.0001', error_msg: `bad token ${secret('echo')}` },
    });
    expect(errorOf(await ask(secret('echo'))).message).toBe('bad token [redacted]');
  });
});

describe('circuit breaker', () => {
  it('opens after repeated 5xx, fails fast, serves stale, probes once, closes', async () => {
    const s = await start({ breakerFailureThreshold: 2, breakerCooldownMs: 60_000 });
    try {
      expect((await ask(secret('stale'), TOTAL, s)).body.data).toEqual({
        sourceOverview: { total: totalOf(secret('stale')) },
      });
      s.sim.setFault({ status: 500, body: { error_code: 'SMS.0500', error_msg: 'internal' } });
      expect(errorOf(await ask(secret('a'), TOTAL, s)).extensions?.code).toBe('UPSTREAM_ERROR');
      expect(states).toEqual([]);
      expect(errorOf(await ask(secret('b'), TOTAL, s)).extensions?.code).toBe('UPSTREAM_ERROR');
      expect(states).toEqual(['open']);
      expect(s.overviewCalls()).toBe(3);

      // Open: fail fast, no upstream call.
      expect(errorOf(await ask(secret('c'), TOTAL, s))).toEqual({
        message:
          'The SMS API is failing: the circuit breaker opened after 2 failed calls in a row, so calls fail fast; the gateway tries the SMS API again in 60 s.',
        extensions: { code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 60 },
      });
      expect(s.overviewCalls()).toBe(3);

      // Past its TTL, a cached answer is still served (stale) while the circuit is open.
      s.clock.advance(11_000);
      const stale = await ask(secret('stale'), '{ sourceOverview { total stale } }', s);
      expect(stale.body.data).toEqual({ sourceOverview: { total: totalOf(secret('stale')), stale: true } });
      expect(errorOf(await ask(secret('c'), TOTAL, s)).extensions?.retryAfterSeconds).toBe(49);
      expect(s.overviewCalls()).toBe(3);

      // Cool-down over: exactly one probe goes through; others fail fast meanwhile.
      s.clock.advance(49_000);
      s.sim.setFault(undefined);
      s.sim.script(secret('probe'), { body: tokenOverview(secret('probe')), delayMs: 100 });
      const probe = ask(secret('probe'), TOTAL, s);
      await vi.waitFor(() => expect(s.overviewCalls()).toBe(4), { timeout: 2000, interval: 5 });
      expect(states).toEqual(['open', 'half_open']);
      expect(errorOf(await ask(secret('d'), TOTAL, s))).toEqual({
        message:
          'The SMS API is failing: the circuit breaker is half-open and one probe call is testing the SMS API now; retry in 1 s.',
        extensions: { code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 1 },
      });
      expect((await probe).body.data).toEqual({ sourceOverview: { total: totalOf(secret('probe')) } });
      expect(states).toEqual(['open', 'half_open', 'closed']);
      expect(s.overviewCalls()).toBe(4);

      // Closed: calls flow again.
      expect((await ask(secret('e'), TOTAL, s)).body.data).toEqual({
        sourceOverview: { total: totalOf(secret('e')) },
      });
      expect(s.overviewCalls()).toBe(5);
      const logged = s.logs.records().filter((r) => String(r.event).startsWith('circuit_'));
      expect(logged.map((r) => [r.event, r.level])).toEqual([
        ['circuit_open', 40],
        ['circuit_half_open', 30],
        ['circuit_closed', 30],
      ]);
    } finally {
      await finish(s);
    }
  });

  it('opens on timeouts and connection errors too; a failed probe reopens it', async () => {
    const s = await start({ breakerFailureThreshold: 2, breakerCooldownMs: 1000, timeoutMs: 150 });
    try {
      s.sim.script(secret('t'), { fault: 'hang' });
      s.sim.script(secret('r'), { fault: 'reset' }, { fault: 'reset' }, { fault: 'reset' });
      expect(errorOf(await ask(secret('t'), TOTAL, s)).extensions?.code).toBe('UPSTREAM_TIMEOUT');
      expect(errorOf(await ask(secret('r'), TOTAL, s)).extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(states).toEqual(['open']);
      const calls = s.overviewCalls();
      s.clock.advance(1000);
      s.sim.script(secret('p'), { status: 502 }, { status: 502 }, { status: 502 });
      expect(errorOf(await ask(secret('p'), TOTAL, s)).extensions?.code).toBe('UPSTREAM_ERROR');
      expect(s.overviewCalls()).toBe(calls + 3);
      expect(states).toEqual(['open', 'half_open', 'open']);
      expect(errorOf(await ask(secret('q'), TOTAL, s)).message).toContain('tries the SMS API again in 1 s');
      expect(s.overviewCalls()).toBe(calls + 3);
    } finally {
      await finish(s);
    }
  });

  it('4xx answers, throttling and invalid bodies never open it', async () => {
    const s = await start({ breakerFailureThreshold: 2 });
    try {
      s.sim.script(secret('404'), { status: 404 }, { status: 404 }, { status: 404 });
      s.sim.script(secret('403'), { status: 403 }, { status: 403 });
      s.sim.script(secret('429'), { status: 429 });
      s.sim.script(secret('bad'), { body: '<html>' }, { body: '<html>' });
      for (const name of ['404', '404', '403', '429', 'bad', 'bad']) await ask(secret(name), TOTAL, s);
      expect(states).toEqual([]);
      expect(s.overviewCalls()).toBe(6);
    } finally {
      await finish(s);
    }
  });
});

describe('the token', () => {
  // Runs last: it reads what every test above produced.
  it('never appears in a log line (debug level), a response or an observer event', () => {
    expect(seen.upstreamTokens.filter((t) => t.startsWith(TOKEN)).length).toBeGreaterThan(50);
    expect(seen.logs.length).toBeGreaterThan(50);
    expect(seen.responses.length).toBeGreaterThan(50);
    expect(seen.events.length).toBeGreaterThan(50);
    expect(seen.logs.filter((line) => line.includes(TOKEN))).toEqual([]);
    expect(seen.responses.filter((body) => body.includes(TOKEN))).toEqual([]);
    expect(seen.events.filter((event) => event.includes(TOKEN))).toEqual([]);
  });
});
