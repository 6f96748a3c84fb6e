/**
 * Heap per cached entry: fills the process-wide cache (createCachedClient) with N tokens and
 * divides the heap growth by the entries held. Run with --expose-gc (the harness does):
 *
 *     node --expose-gc --import tsx bench/memory.ts 100000
 */
import { normaliseOverview } from '../src/domain/overview.js';
import { createLogger } from '../src/logger.js';
import { SEED_OVERVIEW_200 } from '../src/simulator/seed.js';
import { tokenOverview } from '../src/simulator/simulator.js';
import { createCachedClient } from '../src/upstream/cached-client.js';
import type { OverviewRecord, SmsClient } from '../src/upstream/types.js';

export interface MemoryResult {
  readonly entries: number;
  /** Every token gets the seed's body (what the shared upstream of the benchmark serves). */
  readonly bytesPerEntrySameBody: number;
  /** Every token gets its own numbers (the simulator's per-token answers). */
  readonly bytesPerEntryDistinctBodies: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function collect(): number {
  if (gc === undefined) throw new Error('expected node --expose-gc, got: no global.gc');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function measure(entries: number, bodyFor: (token: string) => string): Promise<number> {
  const tokens = Array.from(
    { length: entries },
    (_, i) => `bench-memory-token-${i.toString().padStart(7, '0')}`,
  );
  const bodies = tokens.map(bodyFor);
  let requestId = 0;
  const client: SmsClient = {
    // What the HTTP client keeps of one answer: the parsed overview, when, and X-Request-Id.
    fetchOverview: async (token) => {
      const body = bodies[Number(token.slice(-7))] ?? '{}';
      const record: OverviewRecord = {
        overview: normaliseOverview(JSON.parse(body)),
        fetchedAtMs: Date.now(),
        requestId: (requestId++).toString(16).padStart(32, '0'),
      };
      return record;
    },
  };
  const before = collect();
  const cache = createCachedClient({
    client,
    endpoint: 'http://127.0.0.1:1',
    maxEntries: entries,
    ttlMs: 3_600_000,
    logger: createLogger('silent'),
  });
  const batch = 1000;
  for (let i = 0; i < entries; i += batch) {
    await Promise.all(tokens.slice(i, i + batch).map((token) => cache.getOverview(token)));
  }
  const after = collect();
  if (cache.size !== entries) throw new Error(`expected ${entries} cached entries, got: ${cache.size}`);
  // Keep the inputs alive until after the measurement, so only the cache's growth is counted.
  if (tokens.length + bodies.length === 0) process.stdout.write('');
  return Math.round((after - before) / entries);
}

const entries = Number(process.argv[2] ?? 100_000);
const seedBody = JSON.stringify(SEED_OVERVIEW_200);
const result: MemoryResult = {
  entries,
  bytesPerEntrySameBody: await measure(entries, () => seedBody),
  bytesPerEntryDistinctBodies: await measure(entries, (token) => JSON.stringify(tokenOverview(token))),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
