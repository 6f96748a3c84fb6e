import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState, CacheEvent, UpstreamEvents } from './upstream/events.js';

/** Request durations, in seconds: from a cache hit (sub-ms) to a timed-out upstream (seconds). */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const CACHE_EVENTS: readonly CacheEvent[] = ['hit', 'miss', 'stale', 'coalesced'];
const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half_open'];

/** A GraphQL operation name we are willing to turn into a label value (before the cap). */
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** An `extensions.code`, as Yoga and our resolvers write them. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,39}$/;
/** An upstream `error_code`, as Huawei writes them (`SMS.9004`, `APIGW.0301`). */
const UPSTREAM_ERROR_CODE = /^[A-Za-z]{2,16}\.[0-9]{1,6}$/;

export interface MetricsOptions {
  /**
   * Operation names that get their own label value; any other name is `other`. Default:
   * the first `maxOperations` well-formed names seen.
   */
  readonly operations?: readonly string[];
  /** Distinct operation names labelled when `operations` is not given. Default 50. */
  readonly maxOperations?: number;
  /** Node.js process metrics (CPU, memory, event loop, GC). Default true. */
  readonly processMetrics?: boolean;
}

/** What the GraphQL layer reports for one request. */
export interface GraphqlObservation {
  /** The executed operation's name; undefined when it has none. `null`: nothing was executed. */
  readonly operation: string | undefined | null;
  /** `ok`, or the first error's `extensions.code`. */
  readonly outcome: string;
  readonly durationMs: number;
}

export interface GatewayMetrics {
  /** This gateway's own registry (never prom-client's global one). */
  readonly registry: Registry;
  /** Pass to createHttpSmsClient and createCachedClient as `events`. */
  readonly events: UpstreamEvents;
  /** Counts one GraphQL request. */
  observeGraphql(observation: GraphqlObservation): void;
}

/**
 * Folds label values into a bounded set: a value that does not match `pattern`, or that
 * would be distinct value number `max + 1`, becomes `fallback`. Label values come from
 * callers and from the upstream, and every distinct value is a new time series kept
 * forever: without the cap, one client could exhaust the process's memory.
 */
function boundedLabel(pattern: RegExp, max: number, fallback: string): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (!pattern.test(value)) return fallback;
    if (seen.has(value)) return value;
    if (seen.size >= max) return fallback;
    seen.add(value);
    return value;
  };
}

/**
 * The gateway's Prometheus metrics, in a registry of their own so that two gateways (or two
 * tests) never share counters. No label ever holds a token or unbounded caller input.
 *
 *     const metrics = createMetrics();
 *     const client = createHttpSmsClient({ endpoint, logger, events: metrics.events });
 *     const yoga = createGateway({ source, logger, metrics });
 */
export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });

  const graphqlRequests = new Counter({
    name: 'sms_graph_graphql_requests_total',
    help: 'GraphQL requests, by operation name and outcome (ok or the first error code).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const graphqlDuration = new Histogram({
    name: 'sms_graph_graphql_request_duration_seconds',
    help: 'GraphQL request duration, from the first byte received to the response, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const upstreamRequests = new Counter({
    name: 'sms_graph_upstream_requests_total',
    help: 'HTTP attempts to the SMS API, by HTTP status (none: no answer), upstream error_code and outcome.',
    labelNames: ['status', 'error_code', 'outcome'] as const,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: 'sms_graph_upstream_request_duration_seconds',
    help: 'Duration of one HTTP attempt to the SMS API, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const cacheEvents = new Counter({
    name: 'sms_graph_cache_events_total',
    help: 'Overview cache outcomes: hit, miss, stale (served stale while refreshing), coalesced (joined a call in flight).',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const breaker = new Gauge({
    name: 'sms_graph_circuit_breaker_state',
    help: 'The SMS API circuit breaker: 1 for the current state, 0 for the others.',
    labelNames: ['state'] as const,
    registers: [registry],
  });
  for (const event of CACHE_EVENTS) cacheEvents.inc({ event }, 0);
  const setBreaker = (current: BreakerState): void => {
    for (const state of BREAKER_STATES) breaker.set({ state }, state === current ? 1 : 0);
  };
  setBreaker('closed');

  const known = options.operations === undefined ? undefined : new Set(options.operations);
  const foldOperation = boundedLabel(OPERATION_NAME, options.maxOperations ?? 50, 'other');
  const operationLabel = (name: string | undefined | null): string => {
    if (name === null) return 'none';
    if (name === undefined) return 'anonymous';
    if (known !== undefined) return known.has(name) ? name : 'other';
    return foldOperation(name);
  };
  const outcomeLabel = boundedLabel(ERROR_CODE, 30, 'other');
  const upstreamCodeLabel = boundedLabel(UPSTREAM_ERROR_CODE, 50, 'other');

  return {
    registry,
    events: {
      upstreamCall(event) {
        const status =
          event.status !== undefined &&
          Number.isInteger(event.status) &&
          event.status >= 100 &&
          event.status <= 599
            ? String(event.status)
            : 'none';
        const errorCode = event.errorCode === undefined ? 'none' : upstreamCodeLabel(event.errorCode);
        upstreamRequests.inc({ status, error_code: errorCode, outcome: event.outcome });
        upstreamDuration.observe({ outcome: event.outcome }, event.durationMs / 1000);
      },
      cache(event) {
        cacheEvents.inc({ event });
      },
      breakerState(state) {
        setBreaker(state);
      },
    },
    observeGraphql({ operation, outcome, durationMs }) {
      const labels = {
        operation: operationLabel(operation),
        outcome: outcome === 'ok' ? 'ok' : outcomeLabel(outcome),
      };
      graphqlRequests.inc(labels);
      graphqlDuration.observe(labels, durationMs / 1000);
    },
  };
}
