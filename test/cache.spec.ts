import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { normaliseOverview } from '../src/domain/overview.js';
import { tokenOverview } from '../src/simulator/simulator.js';
import { createCachedClient } from '../src/upstream/cached-client.js';
import { SmsError } from '../src/upstream/errors.js';
import type { OverviewRecord, SmsClient } from '../src/upstream/types.js';
import { captureLogs, createClock, type Stack, startStack, type TestClock } from './helpers.js';

/** A fake SMS client: every call waits until the test settles it, and is recorded. */
interface PendingCall {
  readonly token: string;
  resolve(counts: Record<string, number>): void;
  reject(error: unknown): void;
}

function createFakeClient(clock: TestClock) {
  const calls: PendingCall[] = [];
  const client: SmsClient = {
    fetchOverview(token) {
      return new Promise<OverviewRecord>((resolve, reject) => {
        calls.push({
          token,
          resolve: (counts) => resolve({ overview: normaliseOverview(counts), fetchedAtMs: clock.now() }),
          reject,
        });
      });
    },
  };
  return { client, calls };
}

const forbidden = () =>
  new SmsError('FORBIDDEN', 'denied', { status: 403, errorCode: 'SMS.9004', errorMessage: 'denied' });
const serverError = () => new SmsError('UPSTREAM_ERROR', 'The SMS API answered HTTP 500.', { status: 500 });

describe('cached client (fake upstream, injected clock)', () => {
  let clock: TestClock;
  let fake: ReturnType<typeof createFakeClient>;
  let source: ReturnType<typeof createCachedClient>;

  beforeEach(() => {
    clock = createClock();
    fake = createFakeClient(clock);
    source = createCachedClient({
      client: fake.client,
      endpoint: 'http://sms.test',
      logger: captureLogs().logger,
      now: clock.now,
      ttlMs: 10_000,
      staleMs: 60_000,
    });
  });

  it('serves from cache within the TTL: 0 further upstream calls', async () => {
    const first = source.getOverview('token-a');
    fake.calls[0]?.resolve({ finished: 1 });
    expect((await first).stale).toBe(false);
    clock.advance(10_000);
    const again = await source.getOverview('token-a');
    expect(again).toMatchObject({ stale: false, ageMs: 10_000 });
    expect(again.overview.counts).toEqual({ finished: 1 });
    expect(fake.calls).toHaveLength(1);
    expect(source.stats).toEqual({ hits: 1, misses: 1, staleServes: 0, coalesced: 0 });
  });

  it('after the TTL: the stale value at once, then exactly one background refresh', async () => {
    const first = source.getOverview('token-a');
    fake.calls[0]?.resolve({ finished: 1 });
    await first;
    clock.advance(10_001);
    const stale = await Promise.all([source.getOverview('token-a'), source.getOverview('token-a')]);
    expect(stale.map((r) => [r.stale, r.overview.counts.finished])).toEqual([
      [true, 1],
      [true, 1],
    ]);
    expect(fake.calls).toHaveLength(2); // one refresh for both stale reads
    fake.calls[1]?.resolve({ finished: 2 });
    await vi.waitFor(async () =>
      expect((await source.getOverview('token-a')).overview.counts.finished).toBe(2),
    );
    const fresh = await source.getOverview('token-a');
    expect(fresh).toMatchObject({ stale: false, ageMs: 0 });
    expect(fake.calls).toHaveLength(2);
  });

  it('stale-if-error: a 5xx refresh keeps serving the stale value until the stale window ends', async () => {
    const first = source.getOverview('token-a');
    fake.calls[0]?.resolve({ finished: 1 });
    await first;
    clock.advance(30_000);
    expect((await source.getOverview('token-a')).stale).toBe(true);
    fake.calls[1]?.reject(serverError());
    await vi.waitFor(() => expect(source.inFlight).toBe(0));
    expect(await source.getOverview('token-a')).toMatchObject({ stale: true, ageMs: 30_000 });
    expect(fake.calls).toHaveLength(3); // the next stale read started a new refresh
    fake.calls[2]?.reject(serverError());
    await vi.waitFor(() => expect(source.inFlight).toBe(0));
    // Past TTL + stale window: no stale data any more, the caller waits for the upstream.
    clock.advance(40_001);
    const late = source.getOverview('token-a');
    await vi.waitFor(() => expect(fake.calls).toHaveLength(4));
    fake.calls[3]?.reject(serverError());
    await expect(late).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
  });

  it('a 403 refresh drops the entry at once: the next call goes upstream and gets the error', async () => {
    const first = source.getOverview('token-a');
    fake.calls[0]?.resolve({ finished: 1 });
    await first;
    clock.advance(10_001);
    expect((await source.getOverview('token-a')).stale).toBe(true);
    fake.calls[1]?.reject(forbidden());
    await vi.waitFor(() => expect(source.size).toBe(0));
    const next = source.getOverview('token-a');
    expect(fake.calls).toHaveLength(3);
    fake.calls[2]?.reject(forbidden());
    await expect(next).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('never caches errors, but concurrent callers share the one failing call', async () => {
    const a = source.getOverview('token-a');
    const b = source.getOverview('token-a');
    expect(fake.calls).toHaveLength(1);
    fake.calls[0]?.reject(forbidden());
    await expect(a).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(b).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const c = source.getOverview('token-a');
    expect(fake.calls).toHaveLength(2);
    fake.calls[1]?.resolve({ finished: 5 });
    expect((await c).overview.counts).toEqual({ finished: 5 });
  });

  it('maxAgeMs: 0 goes upstream now, joining a call already in flight', async () => {
    const first = source.getOverview('token-a');
    fake.calls[0]?.resolve({ finished: 1 });
    await first;
    clock.advance(1_000);
    expect((await source.getOverview('token-a', { maxAgeMs: 5_000 })).overview.counts.finished).toBe(1);
    expect(fake.calls).toHaveLength(1);
    const forced = source.getOverview('token-a', { maxAgeMs: 0 });
    const joined = source.getOverview('token-a', { maxAgeMs: 0 });
    expect(fake.calls).toHaveLength(2);
    fake.calls[1]?.resolve({ finished: 9 });
    expect((await forced).overview.counts.finished).toBe(9);
    expect((await joined).overview.counts.finished).toBe(9);
    expect(source.stats.coalesced).toBe(1);
  });

  it('keys by HMAC of endpoint and token: two secrets or two endpoints never share', async () => {
    const other = createCachedClient({
      client: fake.client,
      endpoint: 'http://other-sms.test',
      logger: captureLogs().logger,
      now: clock.now,
    });
    const a = source.getOverview('token-a');
    const b = other.getOverview('token-a');
    expect(fake.calls).toHaveLength(2);
    fake.calls[0]?.resolve({ finished: 1 });
    fake.calls[1]?.resolve({ finished: 2 });
    expect((await a).overview.counts.finished).toBe(1);
    expect((await b).overview.counts.finished).toBe(2);
  });

  it('with the cache full and a slow upstream, every caller gets its own data or an explicit error', async () => {
    const small = createCachedClient({
      client: fake.client,
      endpoint: 'http://sms.test',
      logger: captureLogs().logger,
      now: clock.now,
      maxEntries: 2,
    });
    const tokens = ['t1', 't2', 't3', 't4', 't5'];
    const pending = tokens.map((t) => small.getOverview(t));
    expect(fake.calls.map((c) => c.token)).toEqual(tokens);
    // Settle out of order; t3 fails.
    for (const i of [4, 0, 3, 1]) fake.calls[i]?.resolve({ finished: i + 1 });
    fake.calls[2]?.reject(serverError());
    const results = await Promise.allSettled(pending);
    expect(
      results.map((r) => (r.status === 'fulfilled' ? r.value.overview.counts.finished : r.reason.code)),
    ).toEqual([1, 2, 'UPSTREAM_ERROR', 4, 5]);
    expect(small.size).toBe(2);
  });
});

describe('cached client through the gateway (simulator upstream)', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack({ cache: { ttlMs: 10_000, staleMs: 60_000 } });
  });
  afterEach(async () => {
    await stack.close();
  });

  const finished = '{ sourceOverview { finished stale ageSeconds } }';

  it('200 concurrent requests with one token on a cold cache → exactly 1 upstream call', async () => {
    stack.sim.script('solo-token', { delayMs: 50, body: { finished: 7 } });
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => stack.query(finished, { token: 'solo-token' })),
    );
    expect(stack.overviewCalls()).toBe(1);
    expect(new Set(answers.map((a) => JSON.stringify(a.body)))).toEqual(
      new Set([JSON.stringify({ data: { sourceOverview: { finished: 7, stale: false, ageSeconds: 0 } } })]),
    );
  });

  it('200 concurrent requests over 20 tokens → exactly 20 upstream calls, each token its own answer', async () => {
    const tokens = Array.from({ length: 20 }, (_, i) => `tenant-token-${i}`);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const token = tokens[i % 20] ?? '';
        return stack
          .query('{ sourceOverview { finished error total } }', { token })
          .then((r) => ({ token, r }));
      }),
    );
    expect(stack.overviewCalls()).toBe(20);
    expect(new Set(stack.sim.calls.map((c) => c.token))).toEqual(new Set(tokens));
    for (const { token, r } of answers) {
      const counts = tokenOverview(token);
      expect(r.body.data?.sourceOverview).toEqual({
        finished: counts.finished,
        error: counts.error,
        total: Object.values(counts).reduce((x, y) => x + y, 0),
      });
    }
  });

  it('token A then token B within the TTL → B gets B’s numbers and the upstream saw B’s token', async () => {
    const a = await stack.query('{ sourceOverview { finished } }', { token: 'token-alice' });
    const b = await stack.query('{ sourceOverview { finished } }', { token: 'token-bob' });
    expect(a.body.data?.sourceOverview).toEqual({ finished: tokenOverview('token-alice').finished });
    expect(b.body.data?.sourceOverview).toEqual({ finished: tokenOverview('token-bob').finished });
    expect(stack.sim.calls.map((c) => c.token)).toEqual(['token-alice', 'token-bob']);
  });

  it('within the TTL 0 calls; after it stale at once then one refresh; 500 → stale; 403 → error, then upstream', async () => {
    const token = 'token-dash';
    const denied = { status: 403, body: { error_code: 'SMS.9004', error_msg: 'revoked' } };
    stack.sim.script(
      token,
      { body: { finished: 1 } },
      { status: 500, body: { error_code: 'SMS.0500', error_msg: 'boom' } },
      denied,
      denied,
    );
    const read = async () => (await stack.query(finished, { token })).body;
    expect(await read()).toEqual({ data: { sourceOverview: { finished: 1, stale: false, ageSeconds: 0 } } });
    stack.clock.advance(9_000);
    expect(await read()).toEqual({ data: { sourceOverview: { finished: 1, stale: false, ageSeconds: 9 } } });
    expect(stack.overviewCalls()).toBe(1);

    // Past the TTL: the stale value at once, and one refresh, which fails with 500.
    stack.clock.advance(2_000);
    expect(await read()).toEqual({ data: { sourceOverview: { finished: 1, stale: true, ageSeconds: 11 } } });
    await vi.waitFor(() => expect(stack.source.inFlight).toBe(0));
    expect(stack.overviewCalls()).toBe(2);
    expect(stack.source.size).toBe(1);

    // Stale-if-error: still the stale value; this read's refresh answers 403 and drops the entry.
    expect(await read()).toEqual({ data: { sourceOverview: { finished: 1, stale: true, ageSeconds: 11 } } });
    await vi.waitFor(() => expect(stack.source.inFlight).toBe(0));
    expect(stack.overviewCalls()).toBe(3);
    expect(stack.source.size).toBe(0);

    // Never stale data after a 403: the next call goes upstream and gets the error.
    const after = await read();
    expect(after.data).toEqual({ sourceOverview: null });
    expect(after.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(stack.overviewCalls()).toBe(4);
  });

  it('errors are not cached: 403 then 200 for the same token → the second query gets data', async () => {
    stack.sim.script('token-late-grant', { status: 403, body: { error_code: 'SMS.9004', error_msg: 'no' } });
    const first = await stack.query('{ sourceOverview { finished } }', { token: 'token-late-grant' });
    expect(first.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const second = await stack.query('{ sourceOverview { finished } }', { token: 'token-late-grant' });
    expect(second.body.data?.sourceOverview).toEqual({
      finished: tokenOverview('token-late-grant').finished,
    });
    expect(stack.overviewCalls()).toBe(2);
  });

  it('cache full (CACHE_MAX_ENTRIES=2), slow upstream, 5 tokens at once → each gets its own data', async () => {
    const small = await startStack({ cache: { maxEntries: 2 } });
    try {
      const tokens = ['full-1', 'full-2', 'full-3', 'full-4', 'full-5'];
      for (const [i, t] of tokens.entries()) {
        small.sim.script(t, { delayMs: 20 * (5 - i), body: { finished: i + 1 } });
      }
      const answers = await Promise.all(
        tokens.map((token) => small.query('{ sourceOverview { finished } }', { token })),
      );
      expect(answers.map((a) => a.body)).toEqual(
        tokens.map((_, i) => ({ data: { sourceOverview: { finished: i + 1 } } })),
      );
      expect(small.overviewCalls()).toBe(5);
      expect(small.source.size).toBe(2);
    } finally {
      await small.close();
    }
  });

  it('aliased sourceOverview ×50 in one operation → 1 upstream call', async () => {
    const document = `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: sourceOverview { total }`).join(' ')} }`;
    const { body } = await stack.query(document, { token: 'demo-token' });
    expect(Object.values(body.data ?? {})).toEqual(Array.from({ length: 50 }, () => ({ total: 24 })));
    expect(stack.overviewCalls()).toBe(1);
  });

  it('one operation mixing maxAgeSeconds makes one upstream read with the strictest age', async () => {
    await stack.query('{ sourceOverview { total } }', { token: 'demo-token' });
    stack.clock.advance(5_000);
    const { body } = await stack.query(
      '{ cached: sourceOverview { ageSeconds } fresh: sourceOverview(maxAgeSeconds: 0) { ageSeconds } }',
      { token: 'demo-token' },
    );
    expect(body.data).toEqual({ cached: { ageSeconds: 0 }, fresh: { ageSeconds: 0 } });
    expect(stack.overviewCalls()).toBe(2);
    const relaxed = await stack.query('{ sourceOverview(maxAgeSeconds: 60) { ageSeconds } }', {
      token: 'demo-token',
    });
    expect(relaxed.body.data).toEqual({ sourceOverview: { ageSeconds: 0 } });
    expect(stack.overviewCalls()).toBe(2);
  });
});
