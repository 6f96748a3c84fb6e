import type { BreakerState } from './circuit-breaker.js';
import type { SmsErrorCode } from './errors.js';

/** One HTTP attempt to the SMS API, as seen by observers (metrics, logs). Holds no token. */
export interface UpstreamCallEvent {
  /** HTTP status, or undefined when no response came (timeout, connection error). */
  readonly status: number | undefined;
  /** The upstream envelope's `error_code`, when there was one. */
  readonly errorCode: string | undefined;
  /** `OK` or the error code the attempt produced. */
  readonly outcome: 'OK' | SmsErrorCode;
  readonly durationMs: number;
  /** The upstream's `X-Request-Id`, when it sent one. */
  readonly requestId: string | undefined;
}

/** What the cache did for one caller. */
export type CacheEvent = 'hit' | 'miss' | 'stale' | 'coalesced';

export type { BreakerState };

/**
 * Hooks the upstream layer calls so that metrics and logs can watch it without the
 * clients knowing about either. Every hook is optional and must not throw.
 */
export interface UpstreamEvents {
  upstreamCall?(event: UpstreamCallEvent): void;
  cache?(event: CacheEvent): void;
  /** The circuit breaker changed state. */
  breakerState?(state: BreakerState): void;
}

/**
 * One observer that forwards every hook to each of `observers` in turn.
 *
 *     createHttpSmsClient({ ..., events: combineEvents(metrics.events, upstreamRequestIds) })
 */
export function combineEvents(...observers: readonly UpstreamEvents[]): UpstreamEvents {
  return {
    upstreamCall: (event) => {
      for (const o of observers) o.upstreamCall?.(event);
    },
    cache: (event) => {
      for (const o of observers) o.cache?.(event);
    },
    breakerState: (state) => {
      for (const o of observers) o.breakerState?.(state);
    },
  };
}
