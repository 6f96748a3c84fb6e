import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createContext, type GatewayContext } from './context.js';
import { createSubgraphSchema } from './federation.js';
import type { Logger } from './logger.js';
import type { PersistedOperations } from './persisted-operations.js';
import { useTrustedOperations } from './plugins/use-persisted-operations.js';
import type { OverviewSource } from './upstream/types.js';

export interface GatewayOptions {
  /** Where `sourceOverview` comes from (the cached SMS client). */
  readonly source: OverviewSource;
  readonly logger: Logger;
  /** GraphiQL at `/graphql` for browsers. Default true. */
  readonly graphiql?: boolean;
  /** The token GraphiQL's headers editor starts with (the simulator's demo token). */
  readonly graphiqlToken?: string;
  /** Only these operations run (trusted documents). Default: any operation. */
  readonly persistedOperations?: PersistedOperations;
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
 * Builds the Yoga app: schema from schema/ (a Federation v2 subgraph), thin resolvers,
 * per-request context.
 * No listening, no env, no globals: main.ts and the tests decide those.
 *
 *     const yoga = createGateway({ source, logger });
 *     const res = await yoga.fetch('http://localhost/graphql', { method: 'POST', ... });
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { source, logger } = options;
  const yogaLogger = logger.child({ component: 'yoga' });
  return createYoga<object, GatewayContext>({
    schema: createSubgraphSchema(),
    context: ({ request }) => createContext(request.headers, source),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL with its assets inlined: Yoga's default loads them from unpkg.com, which an
    // offline machine, a locked-down network or a strict CSP would never show.
    renderGraphiQL,
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
    plugins: [usePrivateResponses(), useTrustedOperations(options.persistedOperations)],
  });
}
