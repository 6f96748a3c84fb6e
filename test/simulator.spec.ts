import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_OVERVIEW_200, SEED_OVERVIEW_403 } from '../src/simulator/seed.js';
import {
  createSmsSimulator,
  DEMO_TOKENS,
  type SmsSimulator,
  tokenOverview,
} from '../src/simulator/simulator.js';

const fixture = (dir: URL, name: string) => JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as unknown;
const LOCAL = new URL('./fixtures/', import.meta.url);
const SHARED = new URL('../../shared/fixtures/', import.meta.url);

let sim: SmsSimulator;
beforeAll(async () => {
  sim = await createSmsSimulator();
});
afterAll(async () => {
  await sim.close();
});

async function get(token: string | undefined, path = '/v3/sources/overview', method = 'GET') {
  const headers: Record<string, string> = token === undefined ? {} : { 'x-auth-token': token };
  const res = await fetch(`${sim.url}${path}`, { method, headers });
  return {
    status: res.status,
    body: (await res.json()) as unknown,
    requestId: res.headers.get('x-request-id'),
  };
}

describe('the embedded SMS simulator', () => {
  it('embeds the seed payloads exactly (test/fixtures, and ../shared/fixtures when present)', () => {
    expect(SEED_OVERVIEW_200).toEqual(fixture(LOCAL, 'overview-200.json'));
    expect(SEED_OVERVIEW_403).toEqual(fixture(LOCAL, 'overview-403.json'));
    if (existsSync(SHARED)) {
      expect(fixture(SHARED, 'overview-200.json')).toEqual(fixture(LOCAL, 'overview-200.json'));
      expect(fixture(SHARED, 'overview-403.json')).toEqual(fixture(LOCAL, 'overview-403.json'));
    }
  });

  it('answers the seed 200 and 403 examples for the demo tokens, with a request id', async () => {
    const ok = await get(DEMO_TOKENS.seed);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual(SEED_OVERVIEW_200);
    expect(ok.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(await get(DEMO_TOKENS.forbidden)).toMatchObject({ status: 403, body: SEED_OVERVIEW_403 });
  });

  it('answers 401 APIGW.0301 without a token or with a malformed one', async () => {
    for (const token of [undefined, 'has space']) {
      expect(await get(token)).toMatchObject({ status: 401, body: { error_code: 'APIGW.0301' } });
    }
  });

  it('gives every other token its own deterministic numbers', async () => {
    expect((await get('alice')).body).toEqual(tokenOverview('alice'));
    expect(tokenOverview('alice')).not.toEqual(tokenOverview('bob'));
    expect(Object.keys(tokenOverview('alice'))).toHaveLength(14);
  });

  it('answers 404 and 405 with envelopes', async () => {
    expect(await get('alice', '/v3/sources')).toMatchObject({
      status: 404,
      body: { error_code: 'APIGW.0101' },
    });
    expect(await get('alice', '/v3/sources/overview', 'POST')).toMatchObject({ status: 405 });
  });

  it('plays scripts in order, then resumes, and logs every call', async () => {
    sim.reset();
    sim.script('carol', { status: 500, body: { code: 'X' } }, { status: 200, body: { finished: 1 } });
    expect((await get('carol')).status).toBe(500);
    expect((await get('carol')).body).toEqual({ finished: 1 });
    expect((await get('carol')).body).toEqual(tokenOverview('carol'));
    expect(sim.calls.map((c) => [c.method, c.path, c.token])).toEqual([
      ['GET', '/v3/sources/overview', 'carol'],
      ['GET', '/v3/sources/overview', 'carol'],
      ['GET', '/v3/sources/overview', 'carol'],
    ]);
  });
});
