import type { MigrationStatus, StatusGroup } from './statuses.js';

/**
 * Shared immutable pieces of overviews, so that a cache of 100,000 tokens does not hold
 * 1.4 million copies of `{ status: 'FINISHED', count: 6, group: 'COMPLETED' }`.
 * Values only (no tokens, no caller data), bounded: past the caps, pieces are not shared.
 */

/** Counts up to this are shared; larger ones (rare) get their own entry. */
const MAX_SHARED_COUNT = 1000;
/** Distinct sets of missing statuses shared at most. */
const MAX_SHARED_MISSING = 4096;

export interface SharedStatusCount {
  readonly status: MigrationStatus;
  readonly count: number;
  readonly group: StatusGroup;
}

const entries = new Map<MigrationStatus, SharedStatusCount[]>();
const missingSets = new Map<string, readonly MigrationStatus[]>();

/** An empty list, shared (frozen). */
export const NONE: readonly never[] = Object.freeze([]);

/**
 * The one `{status, count, group}` object for this status and count.
 *
 *     statusCount('FINISHED', 6, 'COMPLETED') === statusCount('FINISHED', 6, 'COMPLETED') // true
 */
export function statusCount(status: MigrationStatus, count: number, group: StatusGroup): SharedStatusCount {
  if (count > MAX_SHARED_COUNT) return { status, count, group };
  let byCount = entries.get(status);
  if (byCount === undefined) {
    byCount = [];
    entries.set(status, byCount);
  }
  let entry = byCount[count];
  if (entry === undefined) {
    entry = Object.freeze({ status, count, group });
    byCount[count] = entry;
  }
  return entry;
}

/**
 * The one frozen array with these missing statuses (in this order).
 *
 *     missingList(['SKIPPING']) === missingList(['SKIPPING']) // true
 */
export function missingList(statuses: readonly MigrationStatus[]): readonly MigrationStatus[] {
  if (statuses.length === 0) return NONE;
  const key = statuses.join(',');
  const shared = missingSets.get(key);
  if (shared !== undefined) return shared;
  const list = Object.freeze([...statuses]);
  if (missingSets.size < MAX_SHARED_MISSING) missingSets.set(key, list);
  return list;
}
