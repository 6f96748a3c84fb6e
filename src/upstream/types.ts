import type { Overview } from '../domain/overview.js';

/** One successful upstream answer. */
export interface OverviewRecord {
  readonly overview: Overview;
  /** Epoch ms when the SMS API answered. */
  readonly fetchedAtMs: number;
  /** The upstream's `X-Request-Id`, for support tickets. */
  readonly requestId?: string;
}

/** Talks to the SMS API. Throws {@link SmsError} for every failure it understands. */
export interface SmsClient {
  fetchOverview(token: string): Promise<OverviewRecord>;
}

/** A record as served to a caller, with its freshness. */
export interface OverviewResult extends OverviewRecord {
  /** Past the TTL: served while a refresh runs, or because the refresh failed transiently. */
  readonly stale: boolean;
  /** How old the record was when served (ms). */
  readonly ageMs: number;
}

export interface GetOverviewOptions {
  /** Accept a cached record at most this old (ms); 0 forces an upstream call. */
  readonly maxAgeMs?: number;
}

/** What the resolvers read the overview through (the cached client). */
export interface OverviewSource {
  getOverview(token: string, options?: GetOverviewOptions): Promise<OverviewResult>;
}
