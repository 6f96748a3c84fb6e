import { LRUCache } from 'lru-cache';
import type { Overview } from '../domain/overview.js';
import { STATUSES } from '../domain/statuses.js';

/**
 * Hands out one shared {@link Overview} per distinct set of numbers, so that tokens whose
 * answers are equal (tenants with the same counts, a stable fleet) hold one copy between
 * them in the cache. Overviews are immutable and carry no caller data, only counts.
 * Bounded: the `max` most recently seen distinct overviews are remembered.
 *
 *     const intern = createOverviewInterner();
 *     intern(normaliseOverview(a)) === intern(normaliseOverview(b)) // when a and b have equal counts
 */
export function createOverviewInterner(max = 1024): (overview: Overview) => Overview {
  const shared = new LRUCache<string, Overview>({ max });
  return (overview) => {
    let key = `${overview.other ?? ''}`;
    for (const { field } of STATUSES) key += `,${overview.counts[field] ?? ''}`;
    if (overview.drift.length > 0) key += `|${overview.drift.join(',')}`;
    const known = shared.get(key);
    if (known !== undefined) return known;
    shared.set(key, overview);
    return overview;
  };
}
