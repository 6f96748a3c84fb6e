import { createHmac, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger.js';
import { SmsError } from './errors.js';
import type { CacheEvent, UpstreamEvents } from './events.js';
import { createOverviewInterner } from './overview-interner.js';
import type {
  GetOverviewOptions,
  OverviewRecord,
  OverviewResult,
  OverviewSource,
  SmsClient,
} from './types.js';

export interface CachedClientOptions {
  readonly client: SmsClient;
  /** Upstream base URL; part of every cache key, so two upstreams never share entries. */
  readonly endpoint: string;
  /** Most tokens cached at once. Default 10000. */
  readonly maxEntries?: number;
  /** How long an answer is fresh (ms). Default 10000. */
  readonly ttlMs?: number;
  /** How long after the TTL an answer may still be served stale (ms). Default 60000. */
  readonly staleMs?: number;
  readonly logger: Logger;
  /** Observers of every cache outcome. */
  readonly events?: UpstreamEvents;
  /** Clock (epoch ms), shared with the LRU. Default `Date.now`. */
  readonly now?: () => number;
  /** HMAC key for cache keys. Default: 32 random bytes made at start-up. */
  readonly secret?: Buffer;
}

export interface CacheStats {
  hits: number;
  misses: number;
  staleServes: number;
  coalesced: number;
}

export interface CachedClient extends OverviewSource {
  readonly stats: Readonly<CacheStats>;
  /** Entries held now (fresh or stale). */
  readonly size: number;
  /** Upstream calls under way now (background refreshes included). */
  readonly inFlight: number;
}

/**
 * The process-wide cache in front of the SMS client.
 *
 * Keys are HMAC-SHA-256(secret, endpoint + token): the raw token is never a key, and a
 * key cannot be turned back into a token. Only successful answers are stored. Calls are
 * single-flight per key: concurrent callers with one token share one upstream call (and
 * its failure); different tokens never share anything.
 *
 * Within the TTL an answer is served as is. For `staleMs` after it, it is served with
 * `stale: true` while one background refresh runs; a refresh that fails transiently
 * (timeout, unreachable, 5xx) keeps the old answer, one that fails with 401/403 drops it
 * at once, because the token may have been revoked.
 *
 * In-flight calls live in their own map, not in the LRU: an eviction while the cache is
 * full cannot lose a caller's answer, and every caller gets its data or an explicit error.
 *
 *     const source = createCachedClient({ client, endpoint, logger });
 *     const { overview, stale } = await source.getOverview(token);
 */
export function createCachedClient(options: CachedClientOptions): CachedClient {
  const ttlMs = options.ttlMs ?? 10_000;
  const staleMs = options.staleMs ?? 60_000;
  const now = options.now ?? Date.now;
  const secret = options.secret ?? randomBytes(32);
  const { client, logger } = options;
  const prefix = `${options.endpoint}\n`;
  const cache = new LRUCache<string, OverviewRecord>({
    max: options.maxEntries ?? 10_000,
    ttl: ttlMs + staleMs,
    perf: { now },
  });
  const inflight = new Map<string, Promise<OverviewRecord>>();
  // Equal answers share one Overview: the cache's memory is then mostly keys and timestamps.
  const intern = createOverviewInterner();
  const stats: CacheStats = { hits: 0, misses: 0, staleServes: 0, coalesced: 0 };
  const STAT_KEYS = { hit: 'hits', miss: 'misses', stale: 'staleServes', coalesced: 'coalesced' } as const;
  const count = (event: CacheEvent): void => {
    stats[STAT_KEYS[event]]++;
    options.events?.cache?.(event);
  };

  function keyFor(token: string): string {
    // latin1: the 32 digest bytes as a 32-character string, the most compact key a Map can hold.
    return createHmac('sha256', secret).update(prefix).update(token).digest().toString('latin1');
  }

  function load(key: string, token: string): Promise<OverviewRecord> {
    const running = inflight.get(key);
    if (running !== undefined) {
      count('coalesced');
      return running;
    }
    const call = client.fetchOverview(token).then(
      (answer) => {
        const overview = intern(answer.overview);
        const record = overview === answer.overview ? answer : { ...answer, overview };
        // lru-cache measures its TTL from `start`: the time the upstream answered.
        cache.set(key, record, { start: record.fetchedAtMs });
        return record;
      },
      (error: unknown) => {
        if (!(error instanceof SmsError && error.isTransient)) cache.delete(key);
        throw error;
      },
    );
    const tracked = call.finally(() => inflight.delete(key));
    inflight.set(key, tracked);
    return tracked;
  }

  function served(record: OverviewRecord, stale: boolean, at: number): OverviewResult {
    return { ...record, stale, ageMs: Math.max(0, at - record.fetchedAtMs) };
  }

  async function getOverview(token: string, { maxAgeMs }: GetOverviewOptions = {}): Promise<OverviewResult> {
    const key = keyFor(token);
    const entry = cache.get(key);
    const at = now();
    if (entry !== undefined) {
      const age = at - entry.fetchedAtMs;
      if (maxAgeMs === undefined || age <= maxAgeMs) {
        if (age <= ttlMs) {
          count('hit');
          return served(entry, false, at);
        }
        if (age <= ttlMs + staleMs) {
          count('stale');
          load(key, token).catch((error: unknown) => {
            const code = error instanceof SmsError ? error.code : 'UNEXPECTED';
            logger.debug({ event: 'refresh_failed', code }, 'background refresh failed');
          });
          return served(entry, true, at);
        }
      }
    }
    count('miss');
    const record = await load(key, token);
    return served(record, false, now());
  }

  return {
    getOverview,
    stats,
    get size() {
      return cache.size;
    },
    get inFlight() {
      return inflight.size;
    },
  };
}
