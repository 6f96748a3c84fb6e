import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadDashboard } from '../examples/dashboard.js';
import { DashboardOverviewDocument } from '../examples/generated/graphql.js';
import { DEMO_TOKENS } from '../src/simulator/simulator.js';
import { type Listener, listen, type Stack, startStack } from './helpers.js';

let stack: Stack;
let server: Listener;
beforeAll(async () => {
  stack = await startStack();
  server = await listen(stack.yoga);
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});
beforeEach(() => stack.sim.reset());

describe('the typed example client (examples/)', () => {
  it('loads the dashboard with the seed numbers over HTTP', async () => {
    const dashboard = await loadDashboard({ url: `${server.url}/graphql`, token: DEMO_TOKENS.seed });
    if (!dashboard.ok) throw new Error(`expected the overview, got: ${dashboard.code}`);
    const { byStatus, ...rest } = dashboard.overview;
    expect(rest).toEqual({
      total: 24,
      inProgress: 0,
      needsAttention: 3,
      notStarted: 13,
      paused: 0,
      transitioning: 2,
      completed: 6,
      missingStatuses: ['SKIPPING'],
      fetchedAt: new Date(stack.clock.now()).toISOString(),
      stale: false,
    });
    expect(byStatus.filter((s) => s.count > 0)).toEqual([
      { status: 'UNCONFIGURED', count: 13, group: 'NOT_STARTED' },
      { status: 'FINISHED', count: 6, group: 'COMPLETED' },
      { status: 'STOPPING', count: 1, group: 'TRANSITIONING' },
      { status: 'DELETING', count: 1, group: 'TRANSITIONING' },
      { status: 'ERROR', count: 3, group: 'NEEDS_ATTENTION' },
    ]);
    expect(stack.sim.calls.map((c) => c.token)).toEqual([DEMO_TOKENS.seed]);
  });

  it('reports the error code when the SMS API refuses the caller', async () => {
    const dashboard = await loadDashboard({ url: `${server.url}/graphql`, token: DEMO_TOKENS.forbidden });
    expect(dashboard).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('ships a persisted-operations manifest holding exactly its documents', () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../examples/generated/persisted-documents.json', import.meta.url), 'utf8'),
    ) as Record<string, string>;
    expect(Object.keys(manifest)).toEqual([DashboardOverviewDocument.__meta__?.hash]);
  });
});
