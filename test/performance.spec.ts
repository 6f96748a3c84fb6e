import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterEach, describe, expect, it } from 'vitest';
import { normaliseOverview } from '../src/domain/overview.js';
import { useBodyLimit } from '../src/plugins/use-body-limit.js';
import { SEED_OVERVIEW_200 } from '../src/simulator/seed.js';
import { createCachedClient } from '../src/upstream/cached-client.js';
import type { SmsClient } from '../src/upstream/types.js';
import { captureLogs } from './helpers.js';

const LIMIT = 100;
const QUERY = JSON.stringify({ query: '{ hello }' });

function tinyYoga() {
  return createYoga({
    schema: createSchema({
      typeDefs: 'type Query { hello: String }',
      resolvers: { Query: { hello: () => 'hi' } },
    }),
    logging: false,
    maxRequestBodySize: false,
    plugins: [useBodyLimit(LIMIT)],
  });
}

function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      // Two chunks, so the count has to add up across them.
      controller.enqueue(bytes.slice(0, 60));
      controller.enqueue(bytes.slice(60));
      controller.close();
    },
  });
}

async function post(body: BodyInit, headers: Record<string, string> = {}) {
  const response = await tinyYoga().fetch('http://yoga.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
  return {
    status: response.status,
    body: (await response.json()) as { errors?: { extensions?: unknown }[] },
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('useBodyLimit: the body cap without re-streaming a Content-Length body', () => {
  it('refuses a declared Content-Length above the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const { status, body } = await post(QUERY, { 'content-length': String(LIMIT + 1) });
    expect(status).toBe(413);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses a Content-Length that is not one integer with 400 BAD_REQUEST', async () => {
    const { status, body } = await post(QUERY, { 'content-length': '12, 12' });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_REQUEST' });
  });

  it('counts a body without Content-Length as it streams: 413 past the limit, served within it', async () => {
    const long = JSON.stringify({ query: `{ hello ${' '.repeat(LIMIT)}}` });
    const over = await post(streamOf(long));
    expect(over.status).toBe(413);
    expect(over.body.errors?.[0]?.extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE' });
    const within = await post(streamOf(QUERY.padEnd(LIMIT - 1, ' ')));
    expect(within).toEqual({ status: 200, body: { data: { hello: 'hi' } } });
  });

  it('over node:http: trusts the parser for a Content-Length body, counts a chunked one', async () => {
    const server = createServer(tinyYoga());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const send = async (body: BodyInit) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit);
      return response.status;
    };
    expect(await send(QUERY)).toBe(200);
    expect(await send(QUERY.padEnd(LIMIT + 1, ' '))).toBe(413);
    expect(await send(streamOf(QUERY.padEnd(LIMIT + 1, ' ')))).toBe(413);
    expect(await send(streamOf(QUERY))).toBe(200);
  });
});

describe('compact cache entries', () => {
  it('tokens with equal answers share one Overview; different answers do not', async () => {
    const bodies: Record<string, object> = {
      a: SEED_OVERVIEW_200,
      b: { ...SEED_OVERVIEW_200 },
      c: { ...SEED_OVERVIEW_200, finished: 7 },
    };
    const client: SmsClient = {
      fetchOverview: async (token) => ({ overview: normaliseOverview(bodies[token]), fetchedAtMs: 1 }),
    };
    const cache = createCachedClient({
      client,
      endpoint: 'http://sms.test',
      logger: captureLogs().logger,
      now: () => 1,
    });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((token) => cache.getOverview(token)));
    expect(a?.overview).toBe(b?.overview);
    expect(c?.overview).not.toBe(a?.overview);
    expect(c?.overview.counts.finished).toBe(7);
    expect(a?.overview.counts.finished).toBe(6);
  });

  it('byStatus entries and missing-status lists are shared between overviews', () => {
    const one = normaliseOverview(SEED_OVERVIEW_200);
    const two = normaliseOverview({ ...SEED_OVERVIEW_200, error: 4 });
    expect(two.summary.byStatus[0]).toBe(one.summary.byStatus[0]);
    expect(two.summary.missingStatuses).toBe(one.summary.missingStatuses);
    expect(Object.isFrozen(one.summary.byStatus[0])).toBe(true);
  });
});
