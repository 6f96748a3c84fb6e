import { missingList, NONE, statusCount } from './intern.js';
import {
  DOCUMENTED_MAX_COUNT,
  LEGACY_FIELD_ALIASES,
  type MigrationStatus,
  STATUSES,
  type StatusField,
  type StatusGroup,
} from './statuses.js';

/** Counts per status as the upstream reported them; an omitted status is absent. */
export type StatusCounts = Readonly<Partial<Record<StatusField, number>>>;

export interface StatusCountEntry {
  readonly status: MigrationStatus;
  readonly count: number;
  readonly group: StatusGroup;
}

/** Everything a dashboard derives from the counts, computed once per upstream answer. */
export interface OverviewSummary {
  readonly inProgress: number;
  readonly needsAttention: number;
  readonly notStarted: number;
  readonly paused: number;
  readonly transitioning: number;
  readonly completed: number;
  readonly total: number;
  readonly byStatus: readonly StatusCountEntry[];
  readonly missingStatuses: readonly MigrationStatus[];
}

/** One upstream answer, normalised and summarised. Immutable: it is shared via the cache. */
export interface Overview {
  readonly counts: StatusCounts;
  /** `other` from older upstreams; null when not reported. */
  readonly other: number | null;
  readonly summary: OverviewSummary;
  /** Fields whose count is above the documented maximum (served anyway). */
  readonly drift: readonly string[];
}

/** A payload that does not honour the overview contract. `reason` never quotes the payload. */
export class InvalidOverviewError extends Error {
  override readonly name = 'InvalidOverviewError';
}

const GROUP_KEYS = {
  IN_PROGRESS: 'inProgress',
  NEEDS_ATTENTION: 'needsAttention',
  NOT_STARTED: 'notStarted',
  PAUSED: 'paused',
  TRANSITIONING: 'transitioning',
  COMPLETED: 'completed',
} as const satisfies Record<StatusGroup, keyof OverviewSummary>;

const FIELD_BY_NAME: ReadonlyMap<string, StatusField> = new Map<string, StatusField>([
  ...STATUSES.map((s) => [s.field, s.field] as const),
  ...Object.entries(LEGACY_FIELD_ALIASES),
]);

/** GraphQL's Int is a signed 32-bit integer. */
const MAX_INT = 2 ** 31 - 1;

function checkCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_INT) {
    const got = typeof value === 'number' ? String(value) : value === null ? 'null' : `a ${typeof value}`;
    throw new InvalidOverviewError(`expected "${name}" to be an integer from 0 to ${MAX_INT}, got: ${got}`);
  }
  return value;
}

/**
 * Turns an upstream 200 body into an {@link Overview}, or throws {@link InvalidOverviewError}.
 *
 * Accepts today's 14-field answer (any field may be omitted), and the older
 * `{waiting, replicating, syncing, other}` shape. Unknown fields are ignored (the upstream
 * may add statuses); a known field that is present must be a count.
 *
 *     const overview = normaliseOverview(JSON.parse(body));
 */
export function normaliseOverview(payload: unknown): Overview {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    const got = payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload;
    throw new InvalidOverviewError(`expected a JSON object of counts, got: ${got}`);
  }
  const counts: Partial<Record<StatusField, number>> = {};
  let other: number | null = null;
  const drift: string[] = [];
  for (const [name, value] of Object.entries(payload)) {
    const field = FIELD_BY_NAME.get(name);
    if (field === undefined && name !== 'other') continue;
    // An explicit null is read as "not reported", like an omitted field.
    if (value === null) continue;
    const count = checkCount(name, value);
    if (count > DOCUMENTED_MAX_COUNT) drift.push(name);
    if (field === undefined) other = count;
    else if (counts[field] !== undefined && name !== field)
      continue; // today's name wins
    else counts[field] = count;
  }
  const summary = summarise(counts, other);
  if (summary.total > MAX_INT) {
    throw new InvalidOverviewError(
      `expected the counts to add up to at most ${MAX_INT}, got: ${summary.total}`,
    );
  }
  return { counts, other, summary, drift: drift.length === 0 ? NONE : drift };
}

/**
 * Computes the dashboard fields from counts; a missing count is taken as 0.
 *
 *     summarise({ error: 3, unavailable: 1 }, null).needsAttention // 4
 */
export function summarise(counts: StatusCounts, other: number | null): OverviewSummary {
  const groups = {
    inProgress: 0,
    needsAttention: 0,
    notStarted: 0,
    paused: 0,
    transitioning: 0,
    completed: 0,
  };
  const byStatus: StatusCountEntry[] = [];
  const missingStatuses: MigrationStatus[] = [];
  let total = other ?? 0;
  for (const { field, status, group } of STATUSES) {
    const count = counts[field];
    if (count === undefined) {
      missingStatuses.push(status);
      continue;
    }
    groups[GROUP_KEYS[group]] += count;
    total += count;
    byStatus.push(statusCount(status, count, group));
  }
  // One literal (not a spread) and an exact-size byStatus: the summary lives as long as it is
  // cached, so its layout is its memory (in-object fields, no spare array capacity).
  return {
    inProgress: groups.inProgress,
    needsAttention: groups.needsAttention,
    notStarted: groups.notStarted,
    paused: groups.paused,
    transitioning: groups.transitioning,
    completed: groups.completed,
    total,
    byStatus: byStatus.slice(),
    missingStatuses: missingList(missingStatuses),
  };
}
