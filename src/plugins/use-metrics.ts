import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../metrics.js';
import { operationName, resultOutcome } from './graphql-request.js';

interface Pending {
  readonly startedAt: number;
  /** null until an operation is executed (a request that fails to parse executes none). */
  operation: string | undefined | null;
  outcome: string | undefined;
}

/**
 * Serves the Prometheus text exposition at `path` and counts every GraphQL request by
 * operation name and outcome, with its duration.
 *
 *     plugins: [useMetrics(metrics)]
 */
export function useMetrics(metrics: GatewayMetrics, path = '/metrics'): Plugin {
  const pending = new WeakMap<Request, Pending>();
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== path) {
        pending.set(request, { startedAt: performance.now(), operation: null, outcome: undefined });
        return undefined;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(
          new fetchAPI.Response(`expected GET ${path}, got: ${request.method}\n`, {
            status: 405,
            headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
          }),
        );
        return undefined;
      }
      return metrics.registry.metrics().then((body) => {
        endResponse(
          new fetchAPI.Response(request.method === 'HEAD' ? null : body, {
            headers: { 'content-type': metrics.registry.contentType },
          }),
        );
      });
    },
    onExecute({ args }) {
      const state = pending.get(args.contextValue.request);
      if (state !== undefined) state.operation = operationName(args.document, args.operationName);
    },
    onResultProcess({ request, result }) {
      const state = pending.get(request);
      if (state !== undefined) state.outcome = resultOutcome(result);
    },
    onResponse({ request }) {
      const state = pending.get(request);
      // Only GraphQL requests reach onResultProcess: GraphiQL, health and 404s are not counted.
      if (state?.outcome === undefined) return;
      metrics.observeGraphql({
        operation: state.operation,
        outcome: state.outcome,
        durationMs: performance.now() - state.startedAt,
      });
    },
  };
}
