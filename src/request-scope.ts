import { AsyncLocalStorage } from 'node:async_hooks';

/** What the gateway knows about the HTTP request being handled. */
export interface RequestScope {
  readonly requestId: string;
  readonly startedAt: number;
  operation: string | undefined;
  outcome: string | undefined;
  /** The SMS API's `X-Request-Id` of every attempt this request made. */
  readonly upstreamRequestIds: string[];
}

/**
 * The request being handled, wherever its async work runs (resolvers, the DataLoader batch,
 * the HTTP client, the logger). One instance for the process is enough: each request gets
 * its own store from `run`, so two gateways or two requests never see each other's.
 */
export const requestScopes = new AsyncLocalStorage<RequestScope>();

/**
 * The id of the request being handled, if any: every log line written on its behalf
 * carries it (see createLogger).
 *
 *     logger.info({ requestId: currentRequestId() }, '...')
 */
export function currentRequestId(): string | undefined {
  return requestScopes.getStore()?.requestId;
}
