import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../src/metrics.js';
import { createSmsSimulator, DEMO_TOKENS, tokenOverview } from '../src/simulator/simulator.js';
import { type Stack, startStack } from './helpers.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack({ client: { timeoutMs: 300 }, readiness: { timeoutMs: 300 } });
});
afterEach(async () => {
  await stack.close();
});

/** Counter and gauge samples of a Prometheus text exposition, keyed `name{a="x",b="y"}` (labels sorted). */
function samples(text: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`expected a Prometheus sample line, got: ${line}`);
    const [, name, labels = '', value = ''] = match;
    const sorted = [...labels.matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort()
      .join(',');
    result.set(sorted === '' ? `${name}` : `${name}{${sorted}}`, Number(value));
  }
  return result;
}

/** The samples of the metrics named `prefix*`, as a plain object for exact comparison. */
function only(all: Map<string, number>, prefix: string): Record<string, number> {
  return Object.fromEntries([...all].filter(([key]) => key.startsWith(prefix)));
}

async function scrape(): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await stack.yoga.fetch('http://gateway.test/metrics');
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: await response.text(),
  };
}

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await stack.yoga.fetch(`http://gateway.test${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('/metrics', () => {
  it('counts a scripted mix of hits, misses, stale serves, coalesced waiters, 403s and timeouts exactly', async () => {
    const dashboard = 'query Dashboard { sourceOverview { total } }';
    const anonymous = '{ sourceOverview { total } }';
    // A miss then a hit.
    expect((await stack.query(dashboard, { token: 'alice' })).body.errors).toBeUndefined();
    expect((await stack.query(dashboard, { token: 'alice' })).body.errors).toBeUndefined();
    // Two 403s: failures are not cached, so two misses and two upstream calls.
    for (let i = 0; i < 2; i++) {
      const { body } = await stack.query(anonymous, { token: DEMO_TOKENS.forbidden });
      expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    // A timeout (not retried).
    stack.sim.script('slow-token', { fault: 'hang' });
    const slow = await stack.query('query Slow { sourceOverview { total } }', { token: 'slow-token' });
    expect(slow.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    // Past the TTL: served stale while one background refresh runs.
    stack.clock.advance(11_000);
    const stale = await stack.query('query Dashboard { sourceOverview { stale } }', { token: 'alice' });
    expect(stale.body.data?.sourceOverview).toEqual({ stale: true });
    // Two concurrent callers with one token: two misses, one upstream call, one coalesced waiter.
    stack.sim.script('bob', { status: 200, body: tokenOverview('bob'), delayMs: 100 });
    await Promise.all([stack.query(anonymous, { token: 'bob' }), stack.query(anonymous, { token: 'bob' })]);
    // No token, and a document that does not parse: no cache, no upstream.
    expect((await stack.query(anonymous)).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const unparsable = await stack.query('{ sourceOverview {');
    expect(unparsable.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');

    // The background refresh lands after its caller was answered.
    await vi.waitFor(async () => {
      expect(
        samples((await scrape()).text).get(
          'sms_graph_upstream_requests_total{error_code="none",outcome="OK",status="200"}',
        ),
      ).toBe(3);
    });
    expect(stack.overviewCalls()).toBe(6);

    const { status, contentType, text } = await scrape();
    expect(status).toBe(200);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const all = samples(text);
    expect(only(all, 'sms_graph_graphql_requests_total')).toEqual({
      'sms_graph_graphql_requests_total{operation="Dashboard",outcome="ok"}': 3,
      'sms_graph_graphql_requests_total{operation="anonymous",outcome="FORBIDDEN"}': 2,
      'sms_graph_graphql_requests_total{operation="Slow",outcome="UPSTREAM_TIMEOUT"}': 1,
      'sms_graph_graphql_requests_total{operation="anonymous",outcome="ok"}': 2,
      'sms_graph_graphql_requests_total{operation="anonymous",outcome="UNAUTHENTICATED"}': 1,
      'sms_graph_graphql_requests_total{operation="none",outcome="GRAPHQL_PARSE_FAILED"}': 1,
    });
    expect(only(all, 'sms_graph_graphql_request_duration_seconds_count')).toEqual({
      'sms_graph_graphql_request_duration_seconds_count{operation="Dashboard",outcome="ok"}': 3,
      'sms_graph_graphql_request_duration_seconds_count{operation="anonymous",outcome="FORBIDDEN"}': 2,
      'sms_graph_graphql_request_duration_seconds_count{operation="Slow",outcome="UPSTREAM_TIMEOUT"}': 1,
      'sms_graph_graphql_request_duration_seconds_count{operation="anonymous",outcome="ok"}': 2,
      'sms_graph_graphql_request_duration_seconds_count{operation="anonymous",outcome="UNAUTHENTICATED"}': 1,
      'sms_graph_graphql_request_duration_seconds_count{operation="none",outcome="GRAPHQL_PARSE_FAILED"}': 1,
    });
    expect(only(all, 'sms_graph_upstream_requests_total')).toEqual({
      'sms_graph_upstream_requests_total{error_code="none",outcome="OK",status="200"}': 3,
      'sms_graph_upstream_requests_total{error_code="SMS.9004",outcome="FORBIDDEN",status="403"}': 2,
      'sms_graph_upstream_requests_total{error_code="none",outcome="UPSTREAM_TIMEOUT",status="none"}': 1,
    });
    expect(only(all, 'sms_graph_upstream_request_duration_seconds_count')).toEqual({
      'sms_graph_upstream_request_duration_seconds_count{outcome="OK"}': 3,
      'sms_graph_upstream_request_duration_seconds_count{outcome="FORBIDDEN"}': 2,
      'sms_graph_upstream_request_duration_seconds_count{outcome="UPSTREAM_TIMEOUT"}': 1,
    });
    // The timed-out attempt took at least the 300 ms budget.
    expect(
      all.get('sms_graph_upstream_request_duration_seconds_bucket{le="0.25",outcome="UPSTREAM_TIMEOUT"}'),
    ).toBe(0);
    expect(only(all, 'sms_graph_cache_events_total')).toEqual({
      'sms_graph_cache_events_total{event="hit"}': 1,
      'sms_graph_cache_events_total{event="miss"}': 6,
      'sms_graph_cache_events_total{event="stale"}': 1,
      'sms_graph_cache_events_total{event="coalesced"}': 1,
    });
    expect(only(all, 'sms_graph_circuit_breaker_state')).toEqual({
      'sms_graph_circuit_breaker_state{state="closed"}': 1,
      'sms_graph_circuit_breaker_state{state="open"}': 0,
      'sms_graph_circuit_breaker_state{state="half_open"}': 0,
    });
    // The scrapes themselves are not GraphQL requests, and no token is anywhere.
    for (const token of ['alice', 'bob', 'slow-token', DEMO_TOKENS.forbidden]) {
      expect(text).not.toContain(token);
    }
  });

  it('shows the circuit breaker state it is told about', async () => {
    stack.metrics.events.breakerState?.('open');
    expect(only(samples((await scrape()).text), 'sms_graph_circuit_breaker_state')).toEqual({
      'sms_graph_circuit_breaker_state{state="closed"}': 0,
      'sms_graph_circuit_breaker_state{state="open"}': 1,
      'sms_graph_circuit_breaker_state{state="half_open"}': 0,
    });
    stack.metrics.events.breakerState?.('half_open');
    expect(samples((await scrape()).text).get('sms_graph_circuit_breaker_state{state="half_open"}')).toBe(1);
  });

  it('folds operation names, outcomes and upstream codes into bounded label sets', async () => {
    const metrics = createMetrics({ maxOperations: 2, processMetrics: false });
    for (const operation of ['A', 'B', 'C', 'A', 'x'.repeat(65), undefined, null]) {
      metrics.observeGraphql({ operation, outcome: 'ok', durationMs: 1 });
    }
    metrics.observeGraphql({ operation: 'A', outcome: 'not a code', durationMs: 1 });
    for (const errorCode of ['SMS.9004', 'secret-token-in-a-body', undefined]) {
      metrics.events.upstreamCall?.({
        status: 418,
        errorCode,
        outcome: 'UPSTREAM_ERROR',
        durationMs: 5,
        requestId: undefined,
      });
    }
    metrics.events.upstreamCall?.({
      status: 42,
      errorCode: undefined,
      outcome: 'UPSTREAM_ERROR',
      durationMs: 5,
      requestId: undefined,
    });
    const all = samples(await metrics.registry.metrics());
    expect(only(all, 'sms_graph_graphql_requests_total')).toEqual({
      'sms_graph_graphql_requests_total{operation="A",outcome="ok"}': 2,
      'sms_graph_graphql_requests_total{operation="B",outcome="ok"}': 1,
      'sms_graph_graphql_requests_total{operation="other",outcome="ok"}': 2,
      'sms_graph_graphql_requests_total{operation="anonymous",outcome="ok"}': 1,
      'sms_graph_graphql_requests_total{operation="none",outcome="ok"}': 1,
      'sms_graph_graphql_requests_total{operation="A",outcome="other"}': 1,
    });
    expect(only(all, 'sms_graph_upstream_requests_total')).toEqual({
      'sms_graph_upstream_requests_total{error_code="SMS.9004",outcome="UPSTREAM_ERROR",status="418"}': 1,
      'sms_graph_upstream_requests_total{error_code="other",outcome="UPSTREAM_ERROR",status="418"}': 1,
      'sms_graph_upstream_requests_total{error_code="none",outcome="UPSTREAM_ERROR",status="418"}': 1,
      'sms_graph_upstream_requests_total{error_code="none",outcome="UPSTREAM_ERROR",status="none"}': 1,
    });
  });

  it('labels only allow-listed operations when given a list', async () => {
    const metrics = createMetrics({ operations: ['Dashboard'], processMetrics: false });
    metrics.observeGraphql({ operation: 'Dashboard', outcome: 'ok', durationMs: 1 });
    metrics.observeGraphql({ operation: 'Other1', outcome: 'ok', durationMs: 1 });
    expect(only(samples(await metrics.registry.metrics()), 'sms_graph_graphql_requests_total')).toEqual({
      'sms_graph_graphql_requests_total{operation="Dashboard",outcome="ok"}': 1,
      'sms_graph_graphql_requests_total{operation="other",outcome="ok"}': 1,
    });
  });

  it('keeps each gateway in its own registry, with process metrics on by default', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.observeGraphql({ operation: 'A', outcome: 'ok', durationMs: 1 });
    expect(
      samples(await a.registry.metrics()).get('sms_graph_graphql_requests_total{operation="A",outcome="ok"}'),
    ).toBe(1);
    const other = samples(await b.registry.metrics());
    expect(only(other, 'sms_graph_graphql_requests_total')).toEqual({});
    expect(other.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(other.has('nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('refuses a POST with 405', async () => {
    const response = await stack.yoga.fetch('http://gateway.test/metrics', { method: 'POST' });
    expect(response.status).toBe(405);
    expect(await response.text()).toBe('expected GET /metrics, got: POST\n');
  });
});

describe('/readiness', () => {
  it('is ready when the SMS API host answers, probing it without a token at most once per interval', async () => {
    const first = await get('/readiness');
    expect(first).toEqual({
      status: 200,
      body: {
        ready: true,
        status: 'ready',
        upstream: { reachable: true, httpStatus: 401, checkedAt: new Date(stack.clock.now()).toISOString() },
      },
    });
    expect(stack.sim.calls.map((c) => [c.method, c.path, c.token])).toEqual([
      ['GET', '/v3/sources/overview', undefined],
    ]);
    stack.clock.advance(4999);
    expect((await get('/readiness')).status).toBe(200);
    expect(stack.sim.calls).toHaveLength(1);
    stack.clock.advance(1);
    expect((await get('/readiness')).status).toBe(200);
    expect(stack.sim.calls).toHaveLength(2);
  });

  it('flips to 503 when the simulator stops, and back when it is reachable again', async () => {
    expect((await get('/readiness')).status).toBe(200);
    const port = new URL(stack.sim.url).port;
    await stack.sim.close();
    // The last result stands until the interval has passed.
    expect((await get('/readiness')).status).toBe(200);
    stack.clock.advance(5000);
    expect(await get('/readiness')).toEqual({
      status: 503,
      body: {
        ready: false,
        status: 'not_ready',
        reason: 'the SMS API was not reachable (ECONNREFUSED)',
        upstream: { reachable: false, checkedAt: new Date(stack.clock.now()).toISOString() },
      },
    });
    const revived = await createSmsSimulator({ port: Number(port) });
    try {
      expect((await get('/readiness')).status).toBe(503);
      stack.clock.advance(5000);
      expect((await get('/readiness')).body).toMatchObject({ ready: true, upstream: { httpStatus: 401 } });
      expect(revived.calls.map((c) => c.token)).toEqual([undefined]);
    } finally {
      await revived.close();
    }
  });

  it('is not ready when the SMS API host does not answer in time', async () => {
    stack.sim.setFault({ fault: 'hang' });
    expect(await get('/readiness')).toMatchObject({
      status: 503,
      body: { ready: false, reason: 'the SMS API was not reachable (no answer within 300 ms)' },
    });
  });

  it('turns 503 at shutdown while liveness and queries still answer', async () => {
    expect((await get('/readiness')).status).toBe(200);
    stack.readiness.shutDown();
    expect(await get('/readiness')).toEqual({
      status: 503,
      body: { ready: false, status: 'shutting_down', reason: 'the gateway is shutting down' },
    });
    expect((await stack.yoga.fetch('http://gateway.test/health')).status).toBe(200);
    const { body } = await stack.query('{ sourceOverview { total } }', { token: DEMO_TOKENS.seed });
    expect(body.data?.sourceOverview).toEqual({ total: 24 });
  });
});

describe('request ids and access logs', () => {
  function accessLines(): Record<string, unknown>[] {
    return stack.logs.records().filter((r) => r.event === 'request');
  }

  it('reuses a sane X-Request-Id, returns it, and logs it with the upstream request id', async () => {
    stack.sim.script('carol', {
      status: 200,
      body: tokenOverview('carol'),
      headers: { 'x-request-id': 'upstream-id-1' },
    });
    const { headers } = await stack.query('query Dashboard { sourceOverview { total } }', {
      token: 'carol',
      headers: { 'x-request-id': 'caller-id-42' },
    });
    expect(headers.get('x-request-id')).toBe('caller-id-42');
    // A cache hit makes no upstream call: no upstream id on its line.
    await stack.query('{ sourceOverview { total } }', {
      token: 'carol',
      headers: { 'x-request-id': 'id-2' },
    });
    const lines = accessLines();
    expect(lines).toHaveLength(2);
    const [first, second] = lines;
    expect(first).toMatchObject({
      level: 30,
      service: 'sms-graph',
      component: 'http',
      msg: 'request',
      requestId: 'caller-id-42',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operation: 'Dashboard',
      outcome: 'ok',
      upstreamRequestIds: ['upstream-id-1'],
    });
    expect(typeof first?.durationMs).toBe('number');
    expect(second).toMatchObject({ requestId: 'id-2', outcome: 'ok' });
    expect(second).not.toHaveProperty('upstreamRequestIds');
    expect(second).not.toHaveProperty('operation');
  });

  it.each([
    ['missing', undefined],
    ['with a space', 'not sane'],
    ['too long', 'a'.repeat(129)],
    ['with a newline escape', 'a\\nb'],
  ])('makes a new UUID when X-Request-Id is %s', async (_name, given) => {
    const { headers } = await stack.query('{ sourceOverview { total } }', {
      token: DEMO_TOKENS.seed,
      headers: given === undefined ? {} : { 'x-request-id': given },
    });
    const id = headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(accessLines().map((r) => r.requestId)).toEqual([id]);
  });

  it('gives every upstream attempt id to the request that made it, 403s and retries included', async () => {
    stack.sim.script(
      'dave',
      { status: 503, body: {}, headers: { 'x-request-id': 'up-a' } },
      { status: 403, body: { error_code: 'SMS.9004', error_msg: 'no' }, headers: { 'x-request-id': 'up-b' } },
    );
    const { body, headers } = await stack.query('{ sourceOverview { total } }', { token: 'dave' });
    expect(body.errors?.[0]?.extensions?.upstream).toMatchObject({ requestId: 'up-b' });
    expect(accessLines()).toEqual([
      expect.objectContaining({
        requestId: headers.get('x-request-id'),
        outcome: 'FORBIDDEN',
        upstreamRequestIds: ['up-a', 'up-b'],
      }),
    ]);
    // Other lines written on the request's behalf carry its id too.
    expect(stack.logs.records().filter((r) => r.event === 'upstream_retry')).toEqual([
      expect.objectContaining({ requestId: headers.get('x-request-id'), status: 503, retry: 1 }),
    ]);
  });

  it('logs probes and scrapes at debug level, with request ids too', async () => {
    const response = await stack.yoga.fetch('http://gateway.test/health', {
      headers: { 'x-request-id': 'probe-1' },
    });
    expect(response.headers.get('x-request-id')).toBe('probe-1');
    await stack.yoga.fetch('http://gateway.test/metrics?secret=1');
    expect(accessLines().map((r) => [r.level, r.path, r.requestId, r.status])).toEqual([
      [20, '/health', 'probe-1', 200],
      [20, '/metrics', expect.any(String), 200],
    ]);
  });

  it('never logs a token, an encoded authorization message or a body', async () => {
    const token = 'tok-9f8e7d6c5b4a-DISTINCTIVE';
    stack.sim.script(token, {
      status: 403,
      body: {
        error_code: 'SMS.9004',
        error_msg: 'You do not have permission',
        encoded_authorization_message: 'ENC-MSG-31415926',
      },
    });
    const document = '# BODY-MARKER-2718\n{ sourceOverview { total } }';
    const forbidden = await stack.query(document, { token });
    expect(forbidden.body.errors?.[0]?.extensions?.upstream).toMatchObject({
      encodedAuthorizationMessage: 'ENC-MSG-31415926',
    });
    await stack.query(document, { headers: { authorization: `Bearer ${token}` } });
    stack.sim.setFault({ fault: 'reset' });
    await stack.query(document, { token });
    stack.sim.setFault({ status: 200, body: 'not json' });
    await stack.query(document, { token: `${token}-2` });
    expect(accessLines()).toHaveLength(4);
    expect(stack.logs.lines.length).toBeGreaterThan(4);
    for (const line of stack.logs.lines) {
      expect(line).not.toContain('DISTINCTIVE');
      expect(line).not.toContain('ENC-MSG');
      expect(line).not.toContain('BODY-MARKER');
    }
  });
});
