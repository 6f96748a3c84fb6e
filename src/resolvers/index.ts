import { GraphQLError } from 'graphql';
import { STATUSES, type StatusField } from '../domain/statuses.js';
import type { Resolvers } from '../generated/graphql.js';
import { missingTokenError, SmsError, toGraphQLError } from '../upstream/errors.js';
import type { OverviewResult } from '../upstream/types.js';

type CountResolver = (parent: OverviewResult) => number | null;

/** `waiting`, `replicate`, …: the reported count, or null when the upstream omitted it. */
function countResolvers(): Record<StatusField, CountResolver> {
  const out: Partial<Record<StatusField, CountResolver>> = {};
  for (const { field } of STATUSES) out[field] = (parent) => parent.overview.counts[field] ?? null;
  return out as Record<StatusField, CountResolver>;
}

export const resolvers: Resolvers = {
  Query: {
    async sourceOverview(_root, { maxAgeSeconds }, { credentials, overviews }) {
      if (maxAgeSeconds != null && maxAgeSeconds < 0) {
        throw new GraphQLError(`expected maxAgeSeconds to be 0 or more, got: ${maxAgeSeconds}`, {
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      if (overviews === undefined) {
        throw toGraphQLError(missingTokenError('problem' in credentials ? credentials.problem : ''));
      }
      try {
        return await overviews.load(maxAgeSeconds == null ? Infinity : maxAgeSeconds * 1000);
      } catch (error) {
        throw error instanceof SmsError ? toGraphQLError(error) : error;
      }
    },
  },
  SourceOverview: {
    ...countResolvers(),
    other: (parent) => parent.overview.other,
    inProgress: (parent) => parent.overview.summary.inProgress,
    needsAttention: (parent) => parent.overview.summary.needsAttention,
    notStarted: (parent) => parent.overview.summary.notStarted,
    paused: (parent) => parent.overview.summary.paused,
    transitioning: (parent) => parent.overview.summary.transitioning,
    completed: (parent) => parent.overview.summary.completed,
    total: (parent) => parent.overview.summary.total,
    byStatus: (parent) => parent.overview.summary.byStatus,
    missingStatuses: (parent) => parent.overview.summary.missingStatuses,
    fetchedAt: (parent) => new Date(parent.fetchedAtMs).toISOString(),
    stale: (parent) => parent.stale,
    ageSeconds: (parent) => Math.floor(parent.ageMs / 1000),
  },
};
