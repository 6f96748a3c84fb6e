import { readFileSync } from 'node:fs';
import type { GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { InvalidOverviewError, normaliseOverview, summarise } from '../src/domain/overview.js';
import { STATUS_GROUPS, STATUSES } from '../src/domain/statuses.js';
import { createSubgraphSchema } from '../src/federation.js';

const seed = JSON.parse(
  readFileSync(new URL('./fixtures/overview-200.json', import.meta.url), 'utf8'),
) as unknown;

describe('normaliseOverview', () => {
  it('gives the exact counts and computed fields for the seed example', () => {
    const overview = normaliseOverview(seed);
    expect(overview.counts).toEqual({
      replicate: 0,
      stopped: 0,
      unconfigured: 13,
      waiting: 0,
      syncing: 0,
      unavailable: 0,
      cutovering: 0,
      finished: 6,
      error: 3,
      deleting: 1,
      stopping: 1,
      initialize: 0,
      cloning: 0,
    });
    expect(overview.counts.skipping).toBeUndefined();
    expect(overview.other).toBeNull();
    expect(overview.drift).toEqual([]);
    const { byStatus, ...groups } = overview.summary;
    expect(groups).toEqual({
      inProgress: 0,
      needsAttention: 3,
      notStarted: 13,
      paused: 0,
      transitioning: 2,
      completed: 6,
      total: 24,
      missingStatuses: ['SKIPPING'],
    });
    expect(byStatus.map((s) => [s.status, s.count, s.group])).toEqual([
      ['UNCONFIGURED', 13, 'NOT_STARTED'],
      ['UNAVAILABLE', 0, 'NEEDS_ATTENTION'],
      ['WAITING', 0, 'NOT_STARTED'],
      ['INITIALIZE', 0, 'IN_PROGRESS'],
      ['REPLICATE', 0, 'IN_PROGRESS'],
      ['SYNCING', 0, 'IN_PROGRESS'],
      ['CLONING', 0, 'IN_PROGRESS'],
      ['CUTOVERING', 0, 'IN_PROGRESS'],
      ['FINISHED', 6, 'COMPLETED'],
      ['STOPPING', 1, 'TRANSITIONING'],
      ['STOPPED', 0, 'PAUSED'],
      ['DELETING', 1, 'TRANSITIONING'],
      ['ERROR', 3, 'NEEDS_ATTENTION'],
    ]);
  });

  it('reads the older {waiting, replicating, syncing, other} shape', () => {
    const overview = normaliseOverview({ waiting: 2, replicating: 5, syncing: 1, other: 4 });
    expect(overview.counts).toEqual({ waiting: 2, replicate: 5, syncing: 1 });
    expect(overview.other).toBe(4);
    expect(overview.summary.total).toBe(12);
    expect(overview.summary.inProgress).toBe(6);
    expect(overview.summary.notStarted).toBe(2);
    expect(overview.summary.missingStatuses).toHaveLength(11);
  });

  it('prefers today’s name when both the old and the new one are sent', () => {
    expect(normaliseOverview({ replicate: 1, replicating: 9 }).counts).toEqual({ replicate: 1 });
    expect(normaliseOverview({ replicating: 9, replicate: 1 }).counts).toEqual({ replicate: 1 });
  });

  it('ignores unknown fields and reads explicit nulls as not reported', () => {
    const overview = normaliseOverview({ finished: 2, premigready: 5, error: null });
    expect(overview.counts).toEqual({ finished: 2 });
    expect(overview.summary.total).toBe(2);
  });

  it('treats an empty object as all statuses missing', () => {
    const overview = normaliseOverview({});
    expect(overview.summary.total).toBe(0);
    expect(overview.summary.missingStatuses).toEqual(STATUSES.map((s) => s.status));
    expect(overview.summary.byStatus).toEqual([]);
  });

  it('serves counts above the documented 1000 and reports them as drift', () => {
    const overview = normaliseOverview({ finished: 1001, error: 1000 });
    expect(overview.counts.finished).toBe(1001);
    expect(overview.drift).toEqual(['finished']);
  });

  it.each([
    [[], 'expected a JSON object of counts, got: an array'],
    [null, 'expected a JSON object of counts, got: null'],
    ['24', 'expected a JSON object of counts, got: string'],
    [{ error: -1 }, 'expected "error" to be an integer from 0 to 2147483647, got: -1'],
    [{ error: 1.5 }, 'expected "error" to be an integer from 0 to 2147483647, got: 1.5'],
    [{ error: '3' }, 'expected "error" to be an integer from 0 to 2147483647, got: a string'],
    [{ error: 2 ** 31 }, 'expected "error" to be an integer from 0 to 2147483647, got: 2147483648'],
    [{ other: true }, 'expected "other" to be an integer from 0 to 2147483647, got: a boolean'],
    [
      { error: 2 ** 31 - 1, finished: 1 },
      'expected the counts to add up to at most 2147483647, got: 2147483648',
    ],
  ])('refuses %j with a contract message', (payload, message) => {
    expect(() => normaliseOverview(payload)).toThrow(new InvalidOverviewError(message));
  });
});

describe('status table', () => {
  it('puts each of the 14 statuses in exactly one group, so the groups add up to the total', () => {
    expect(new Set(STATUSES.map((s) => s.field)).size).toBe(14);
    const counts = Object.fromEntries(STATUSES.map((s, i) => [s.field, i + 1]));
    const summary = summarise(counts, 7);
    const groups =
      summary.inProgress +
      summary.needsAttention +
      summary.notStarted +
      summary.paused +
      summary.transitioning +
      summary.completed;
    expect(groups).toBe((14 * 15) / 2);
    expect(summary.total).toBe(groups + 7);
  });

  it('matches the schema’s MigrationStatus and StatusGroup enums exactly', () => {
    const schema = createSubgraphSchema();
    const values = (name: string) =>
      (schema.getType(name) as GraphQLEnumType)
        .getValues()
        .map((v) => v.name)
        .sort();
    expect(values('MigrationStatus')).toEqual(STATUSES.map((s) => s.status).sort());
    expect(values('StatusGroup')).toEqual([...STATUS_GROUPS].sort());
    expect(new Set(STATUSES.map((s) => s.group))).toEqual(new Set(STATUS_GROUPS));
  });
});
