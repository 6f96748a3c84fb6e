import { createSchema, createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createContext, type GatewayContext } from './context.js';
import type { Logger } from './logger.js';
import { useRequestBodyLimit } from './plugins/use-request-body-limit.js';
import { resolvers } from './resolvers/index.js';
import { loadTypeDefs } from './schema.js';
import type { OverviewSource } from './upstream/types.js';

export interface GatewayOptions {
  /** Where `sourceOverview` comes from (the cached SMS client). */
  readonly source: OverviewSource;
  readonly logger: Logger;
  /** GraphiQL at `/graphql` for browsers. Default true. */
  readonly graphiql?: boolean;
  /** The token GraphiQL's headers editor starts with (the simulator's demo token). */
  readonly graphiqlToken?: string;
}

export type Gateway = YogaServerInstance<object, GatewayContext>;

export const DEFAULT_QUERY = `# sms-graph: your Huawei Cloud SMS source servers, by migration status.
# Put your IAM token in the Headers tab as {"X-Auth-Token": "..."}, then run.
query SourceOverview {
  sourceOverview {
    # Dashboard groups (a missing count is taken as 0)
    total
    inProgress
    needsAttention
    notStarted
    paused
    transitioning
    completed
    # Raw counts (null when the SMS API did not report that status)
    waiting
    replicate
    syncing
    stopped
    deleting
    cutovering
    unavailable
    stopping
    skipping
    finished
    initialize
    error
    cloning
    unconfigured
    other
    # For charts
    byStatus { status count group }
    missingStatuses
    # Freshness
    fetchedAt
    stale
    ageSeconds
  }
}
`;

/** Responses carry one caller's data: no shared HTTP cache may keep them. */
function usePrivateResponses(): Plugin {
  return {
    onResponse({ response }) {
      response.headers.set('cache-control', 'private, no-store');
    },
  };
}

/**
 * Builds the Yoga app: schema from schema/, thin resolvers, per-request context.
 * No listening, no env, no globals: main.ts and the tests decide those.
 *
 *     const yoga = createGateway({ source, logger });
 *     const res = await yoga.fetch('http://localhost/graphql', { method: 'POST', ... });
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { source, logger } = options;
  const yogaLogger = logger.child({ component: 'yoga' });
  return createYoga<object, GatewayContext>({
    schema: createSchema<GatewayContext>({ typeDefs: loadTypeDefs(), resolvers }),
    context: ({ request }) => createContext(request.headers, source),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql:
      options.graphiql === false
        ? false
        : {
            title: 'sms-graph',
            defaultQuery: DEFAULT_QUERY,
            headers: JSON.stringify({ 'X-Auth-Token': options.graphiqlToken ?? '<your IAM token>' }),
          },
    logging: {
      debug: (...args: unknown[]) => yogaLogger.debug({ args }, 'yoga'),
      info: (...args: unknown[]) => yogaLogger.info({ args }, 'yoga'),
      warn: (...args: unknown[]) => yogaLogger.warn({ args }, 'yoga'),
      error: (...args: unknown[]) => yogaLogger.error({ args }, 'yoga'),
    },
    // Yoga's limit, checked without re-streaming the body: see useRequestBodyLimit (keep it last).
    maxRequestBodySize: false,
    plugins: [usePrivateResponses(), useRequestBodyLimit()],
  });
}
