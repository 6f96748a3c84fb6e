import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { HeaderReader } from '../context.js';
import type { Logger } from '../logger.js';
import { type RequestScope, requestScopes as scopes } from '../request-scope.js';
import type { UpstreamEvents } from '../upstream/events.js';
import { operationName, resultOutcome } from './graphql-request.js';

/** A caller's `X-Request-Id` we are willing to reuse (and to write into our logs). */
export const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Operation names longer or stranger than this are logged as `invalid`. */
const LOGGED_OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Probes and scrapes: every few seconds, so logged at debug level only. */
const QUIET_PATHS = new Set(['/health', '/readiness', '/metrics']);

/**
 * Upstream hook that notes the SMS API's `X-Request-Id` of every attempt on the request
 * that made it. A caller that joins another's call in flight made no call of its own.
 *
 *     events: combineEvents(metrics.events, upstreamRequestIds)
 */
export const upstreamRequestIds: UpstreamEvents = {
  upstreamCall(event) {
    if (event.requestId !== undefined) scopes.getStore()?.upstreamRequestIds.push(event.requestId);
  },
};

/** The caller's `X-Request-Id` when it is sane, else a new UUID. */
export function requestIdFor(headers: HeaderReader): string {
  const given = headers.get('x-request-id')?.trim();
  return given !== undefined && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** A new request's scope: its id (the caller's when sane), start time, nothing else yet. */
export function newRequestScope(headers: HeaderReader): RequestScope {
  return {
    requestId: requestIdFor(headers),
    startedAt: performance.now(),
    operation: undefined,
    outcome: undefined,
    upstreamRequestIds: [],
  };
}

/**
 * Writes a request's access log line: method, path (never the query string), status,
 * duration, operation, outcome and the upstream's request ids. Never headers or bodies.
 */
export function logRequest(
  logger: Logger,
  scope: RequestScope,
  method: string,
  path: string,
  status: number,
): void {
  const record = {
    event: 'request',
    requestId: scope.requestId,
    method,
    path: path.slice(0, 256),
    status,
    durationMs: Math.round((performance.now() - scope.startedAt) * 1000) / 1000,
    ...(scope.operation !== undefined
      ? { operation: LOGGED_OPERATION_NAME.test(scope.operation) ? scope.operation : 'invalid' }
      : {}),
    ...(scope.outcome !== undefined ? { outcome: scope.outcome.slice(0, 64) } : {}),
    ...(scope.upstreamRequestIds.length > 0 ? { upstreamRequestIds: scope.upstreamRequestIds } : {}),
  };
  if (QUIET_PATHS.has(path)) logger.debug(record, 'request');
  else logger.info(record, 'request');
}

/**
 * Gives every request a request id (returned as `x-request-id`) and writes one access log
 * line when it ends: method, path (never the query string), status, duration, operation,
 * outcome and the upstream's request ids. Never headers, never bodies, so never a token.
 *
 *     plugins: [useAccessLog(logger)]
 */
export function useAccessLog(logger: Logger): Plugin {
  return {
    instrumentation: {
      request({ request }, wrapped) {
        return scopes.run(newRequestScope(request.headers), wrapped);
      },
    },
    onExecute({ args }) {
      const scope = scopes.getStore();
      if (scope !== undefined) scope.operation = operationName(args.document, args.operationName);
    },
    onResultProcess({ result }) {
      const scope = scopes.getStore();
      if (scope !== undefined) scope.outcome = resultOutcome(result);
    },
    onResponse({ request, response }) {
      const scope = scopes.getStore();
      if (scope === undefined) return;
      response.headers.set('x-request-id', scope.requestId);
      logRequest(logger, scope, request.method, new URL(request.url).pathname, response.status);
    },
  };
}
