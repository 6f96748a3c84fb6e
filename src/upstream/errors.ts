import { GraphQLError } from 'graphql';

/** The stable `extensions.code` values a `sourceOverview` failure carries. */
export type SmsErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_INVALID_RESPONSE';

/** One entry of the upstream envelope's `details`. */
export interface UpstreamErrorDetail {
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/**
 * What the upstream said about a failure, as far as it is useful to the caller.
 * Never holds the token, the upstream URL or a raw (HTML) body.
 */
export interface UpstreamErrorInfo {
  readonly status?: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly errorParams?: readonly string[];
  readonly details?: readonly UpstreamErrorDetail[];
  readonly encodedAuthorizationMessage?: string;
  readonly requestId?: string;
}

/**
 * A failure to get the overview, with its stable code. The message is safe to show
 * to the caller; anything else thrown below the resolvers stays masked by Yoga.
 */
export class SmsError extends Error {
  override readonly name = 'SmsError';
  constructor(
    readonly code: SmsErrorCode,
    message: string,
    readonly upstream?: UpstreamErrorInfo,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** Whether serving stale data instead of this error is allowed (the token is not in doubt). */
  get isTransient(): boolean {
    return (
      this.code === 'UPSTREAM_TIMEOUT' ||
      this.code === 'UPSTREAM_UNAVAILABLE' ||
      (this.code === 'UPSTREAM_ERROR' && (this.upstream?.status ?? 0) >= 500)
    );
  }
}

/** The error for a request that carries no usable token; no upstream call is made. */
export function missingTokenError(reason: string): SmsError {
  return new SmsError(
    'UNAUTHENTICATED',
    `${reason} Send your Huawei Cloud IAM token in the X-Auth-Token header (or Authorization: Bearer <token>), 1 to 16384 characters.`,
  );
}

/**
 * Turns an {@link SmsError} into the GraphQL error the client sees. Being a
 * GraphQLError without an `originalError`, it passes Yoga's masking as is.
 *
 *     catch (e) { throw e instanceof SmsError ? toGraphQLError(e) : e }
 */
export function toGraphQLError(error: SmsError): GraphQLError {
  const extensions: Record<string, unknown> = { code: error.code };
  if (error.retryAfterSeconds !== undefined) extensions.retryAfterSeconds = error.retryAfterSeconds;
  if (error.upstream !== undefined) extensions.upstream = error.upstream;
  return new GraphQLError(error.message, { extensions });
}
