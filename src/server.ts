import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createContext, type GatewayContext } from './context.js';
import { createRequestListener, type GatewayListener } from './fast-path.js';
import { createSubgraphSchema } from './federation.js';
import { accessLogger, type Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import type { PersistedOperations } from './persisted-operations.js';
import { useAccessLog } from './plugins/use-access-log.js';
import { useBodyLimit } from './plugins/use-body-limit.js';
import { corsAllowList } from './plugins/use-cors.js';
import { useIntrospection } from './plugins/use-introspection.js';
import { useJsonErrors } from './plugins/use-json-errors.js';
import { useMetrics } from './plugins/use-metrics.js';
import { useTrustedOperations } from './plugins/use-persisted-operations.js';
import { type QueryLimits, useQueryLimits } from './plugins/use-query-limits.js';
import { useReadiness } from './plugins/use-readiness.js';
import { useVettedDocuments, VettedDocuments } from './plugins/use-vetted-documents.js';
import type { Readiness } from './readiness.js';
import type { OverviewSource } from './upstream/types.js';

export interface GatewayOptions {
  /** Where `sourceOverview` comes from (the cached SMS client). */
  readonly source: OverviewSource;
  readonly logger: Logger;
  /** GraphiQL at `/graphql` for browsers. Default true. */
  readonly graphiql?: boolean;
  /** The token GraphiQL's headers editor starts with (the simulator's demo token). */
  readonly graphiqlToken?: string;
  /** Prometheus metrics, served at `/metrics`. Unset: no `/metrics`. */
  readonly metrics?: GatewayMetrics;
  /** Answers `/readiness`. Unset: no `/readiness`. */
  readonly readiness?: Readiness;
  /** Answer introspection; off also hides field suggestions. Default true. */
  readonly introspection?: boolean;
  /** Origins whose browser pages may call the gateway. Default: none. */
  readonly corsOrigins?: readonly string[];
  /** Largest request body (bytes); larger gets 413. Default 102400. */
  readonly maxBodyBytes?: number;
  /** Depth, alias, token and directive caps. Defaults: see {@link QueryLimits}. */
  readonly queryLimits?: QueryLimits;
  /** Only these operations run (trusted documents). Default: any operation. */
  readonly persistedOperations?: PersistedOperations;
}

/**
 * Headers that mark a request as not "simple", so a browser preflights it cross-origin.
 * A GET, form or text/plain request without one is refused (CSRF); JSON POSTs, as
 * GraphiQL and every GraphQL client send them, are preflighted anyway.
 */
export const CSRF_HEADERS = ['x-graphql-csrf', 'x-graphql-yoga-csrf'];

/** Largest request body by default (bytes). */
export const DEFAULT_MAX_BODY_BYTES = 100 * 1024;

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

/**
 * Yoga's log calls (message strings and Error objects, e.g. the cause of a masked
 * "Unexpected error.") as pino records: an Error goes under `err`, so pino keeps its
 * message and stack for the operator while the client sees only the masked message.
 */
function yogaLog(logger: Logger, level: 'debug' | 'info' | 'warn' | 'error') {
  return (...args: unknown[]): void => {
    const err = args.find((arg) => arg instanceof Error);
    const message = args.find((arg) => typeof arg === 'string');
    logger[level](err !== undefined ? { err } : { args }, typeof message === 'string' ? message : 'yoga');
  };
}

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
  const schema = createSubgraphSchema();
  return buildYoga(options, schema, new VettedDocuments(schema));
}

/**
 * The gateway as a node:http request listener: Yoga, with the lean path of fast-path.ts in
 * front for the JSON POSTs of documents Yoga has already accepted.
 *
 *     createServer(createGatewayListener({ source, logger }).listener)
 */
export function createGatewayListener(options: GatewayOptions): {
  yoga: Gateway;
  listener: GatewayListener;
} {
  const schema = createSubgraphSchema();
  const vetted = new VettedDocuments(schema);
  const yoga = buildYoga(options, schema, vetted);
  const listener = createRequestListener({
    yoga,
    schema,
    vetted,
    source: options.source,
    logger: options.logger,
    ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  });
  return { yoga, listener };
}

function buildYoga(options: GatewayOptions, schema: GraphQLSchema, vetted: VettedDocuments): Gateway {
  const { source, logger } = options;
  const yogaLogger = logger.child({ component: 'yoga' });
  return createYoga<object, GatewayContext>({
    schema,
    context: ({ request }) => createContext(request.headers, source),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    batching: false,
    cors: corsAllowList(options.corsOrigins ?? []),
    // GraphiQL with its assets inlined: Yoga's default loads them from unpkg.com, which an
    // offline machine, a locked-down network or a strict CSP would never show.
    // Loaded on the first browser visit: the inlined bundle costs ~46 MB of memory.
    renderGraphiQL: async (graphiqlOptions) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions),
    graphiql:
      options.graphiql === false
        ? false
        : {
            title: 'sms-graph',
            defaultQuery: DEFAULT_QUERY,
            headers: JSON.stringify({ 'X-Auth-Token': options.graphiqlToken ?? '<your IAM token>' }),
          },
    logging: {
      debug: yogaLog(yogaLogger, 'debug'),
      info: yogaLog(yogaLogger, 'info'),
      warn: yogaLog(yogaLogger, 'warn'),
      error: yogaLog(yogaLogger, 'error'),
    },
    // Our body cap (useBodyLimit) replaces Yoga's, which re-streams every body to count it.
    maxRequestBodySize: false,
    plugins: [
      usePrivateResponses(),
      useAccessLog(accessLogger(logger)),
      // First of the onRequest hooks: it may swap the request for a buffered copy, which
      // every later hook (metrics keys its state by request) must see.
      useBodyLimit(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
      ...(options.metrics !== undefined ? [useMetrics(options.metrics)] : []),
      ...(options.readiness !== undefined ? [useReadiness(options.readiness)] : []),
      useJsonErrors({ postNeedsQuery: options.persistedOperations === undefined }),
      useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
      ...useQueryLimits(options.queryLimits),
      ...useIntrospection(options.introspection ?? true),
      useTrustedOperations(options.persistedOperations),
      // Last: only what every plugin above let through reaches execution and is recorded.
      useVettedDocuments(vetted),
    ],
  });
}
