import { createHmac, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher, request } from 'undici';
import { InvalidOverviewError, normaliseOverview } from '../domain/overview.js';
import type { Logger } from '../logger.js';
import { type Admission, createCircuitBreaker } from './circuit-breaker.js';
import { parseErrorEnvelope } from './envelope.js';
import { SmsError, type SmsErrorCode, type UpstreamErrorInfo } from './errors.js';
import type { UpstreamEvents } from './events.js';
import type { OverviewRecord, SmsClient } from './types.js';

export const OVERVIEW_PATH = '/v3/sources/overview';

export interface HttpSmsClientOptions {
  /** Base URL of the SMS API, e.g. `https://sms.ap-southeast-3.myhuaweicloud.com`. */
  readonly endpoint: string;
  /** Budget for one overview, retries included (ms). Default 5000. */
  readonly timeoutMs?: number;
  /** Largest body read from the upstream (bytes). Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Retries after a connection error or a 502/503/504. Default 2. */
  readonly maxRetries?: number;
  /** Keep-alive connections kept to the upstream at most. Default 64. */
  readonly connections?: number;
  /** Consecutive failed overviews (timeouts, unreachable, 5xx) that open the circuit; 0: never. Default 5. */
  readonly breakerFailureThreshold?: number;
  /** How long an open circuit fails fast before one probe call (ms). Default 30000. */
  readonly breakerCooldownMs?: number;
  readonly logger: Logger;
  /** Observers of every upstream attempt. */
  readonly events?: UpstreamEvents;
  /** Clock (epoch ms). Default `Date.now`. */
  readonly now?: () => number;
  /** Source of backoff jitter in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

export interface HttpSmsClient extends SmsClient {
  /** Closes the keep-alive connections once the calls in flight have finished. */
  close(): Promise<void>;
  /** Closes every connection now, failing the calls in flight. */
  destroy(): Promise<void>;
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);
const THROTTLE_CODES = new Set(['APIGW.0308', 'APIG.0308']);
/** Huawei's gateway asks to retry a throttled call "after a few seconds". */
const THROTTLE_DEFAULT_RETRY_SECONDS = 5;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Longest a throttled token is held back (s): a hostile Retry-After cannot lock it out for good. */
const MAX_THROTTLE_HOLD_SECONDS = 300;
/** Most throttled tokens remembered at once. */
const MAX_THROTTLED_TOKENS = 10_000;
const BACKOFF_BASE_MS = 100;

class BodyTooLargeError extends Error {}

/**
 * The SMS client over HTTP: forwards the caller's token as `X-Auth-Token` (and nothing
 * else of the caller's), reuses keep-alive connections, bounds every call by one timeout
 * budget, retries only what is safe for an idempotent GET, and turns every failure into
 * an {@link SmsError}.
 *
 * Two things keep it from hammering a struggling upstream: a token the upstream throttled
 * (429 / `APIGW.0308`) gets `RATE_LIMITED` without a call until its Retry-After has
 * passed (at most 300 s), and a circuit breaker fails every call fast with
 * `UPSTREAM_UNAVAILABLE` for `breakerCooldownMs` after `breakerFailureThreshold`
 * transient failures in a row, then lets one probe call decide.
 *
 *     const client = createHttpSmsClient({ endpoint, logger });
 *     const { overview } = await client.fetchOverview(token);
 */
export function createHttpSmsClient(options: HttpSmsClientOptions): HttpSmsClient {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const maxRetries = options.maxRetries ?? 2;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const { logger, events } = options;
  const url = new URL(OVERVIEW_PATH, options.endpoint).toString();
  const agent = new Agent({
    connections: options.connections ?? 64,
    keepAliveTimeout: 30_000,
    pipelining: 1,
  });
  const driftReported = new Set<string>();
  // Tokens the upstream throttled, by HMAC (never the raw token), with when they may call again.
  const throttleSecret = randomBytes(32);
  const throttled = new Map<string, { readonly error: SmsError; readonly untilMs: number }>();
  const failureThreshold = options.breakerFailureThreshold ?? 5;
  const cooldownMs = options.breakerCooldownMs ?? 30_000;
  const breaker = createCircuitBreaker({
    failureThreshold,
    cooldownMs,
    now,
    onStateChange(state) {
      if (state === 'open') {
        logger.warn(
          { event: 'circuit_open', failureThreshold, cooldownMs },
          `SMS API circuit open: failing fast for ${cooldownMs} ms`,
        );
      } else if (state === 'half_open') {
        logger.info({ event: 'circuit_half_open' }, 'SMS API circuit half-open: sending one probe call');
      } else {
        logger.info({ event: 'circuit_closed' }, 'SMS API circuit closed: the probe call succeeded');
      }
      events?.breakerState?.(state);
    },
  });

  function circuitOpenError(admission: Admission & { allowed: false }): SmsError {
    if (admission.state === 'half_open') {
      return new SmsError(
        'UPSTREAM_UNAVAILABLE',
        'The SMS API is failing: the circuit breaker is half-open and one probe call is testing the SMS API now; retry in 1 s.',
        undefined,
        1,
      );
    }
    const seconds = Math.max(1, Math.ceil(admission.retryInMs / 1000));
    return new SmsError(
      'UPSTREAM_UNAVAILABLE',
      `The SMS API is failing: the circuit breaker opened after ${failureThreshold} failed calls in a row, so calls fail fast; the gateway tries the SMS API again in ${seconds} s.`,
      undefined,
      seconds,
    );
  }

  async function attempt(token: string, signal: AbortSignal): Promise<OverviewRecord> {
    const response = await request(url, {
      method: 'GET',
      headers: { 'x-auth-token': token, accept: 'application/json' },
      dispatcher: agent,
      signal,
    });
    const status = response.statusCode;
    const requestId = header(response.headers, 'x-request-id');
    if (status >= 200 && status < 300) {
      const body = await readBody(response.body, maxBodyBytes, response.headers);
      const record = parseOverview(body, header(response.headers, 'content-type'), requestId);
      reportDrift(record);
      return record;
    }
    const body = await readBody(response.body, MAX_ERROR_BODY_BYTES, response.headers).catch(() => '');
    throw httpError(status, body, token, response.headers, requestId, now());
  }

  function parseOverview(
    body: string,
    contentType: string | undefined,
    requestId: string | undefined,
  ): OverviewRecord {
    if (contentType !== undefined && !/\bjson\b/i.test(contentType)) {
      throw invalid(`expected a JSON body, got content type: ${contentType.slice(0, 100)}`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      throw invalid(
        body.length === 0
          ? 'expected a JSON body, got: an empty body'
          : 'expected a JSON body, got: text that is not JSON',
      );
    }
    try {
      const overview = normaliseOverview(payload);
      return requestId === undefined
        ? { overview, fetchedAtMs: now() }
        : { overview, fetchedAtMs: now(), requestId };
    } catch (error) {
      if (error instanceof InvalidOverviewError) throw invalid(error.message);
      throw error;
    }
  }

  function reportDrift(record: OverviewRecord): void {
    for (const field of record.overview.drift) {
      if (driftReported.has(field)) continue;
      driftReported.add(field);
      logger.warn(
        { event: 'contract_drift', field },
        `SMS API reported a "${field}" count above the documented maximum of 1000; served as is`,
      );
    }
  }

  /** One overview through the circuit breaker: a transient failure counts against it. */
  async function fetchOverview(token: string): Promise<OverviewRecord> {
    const throttleKey = createHmac('sha256', throttleSecret).update(token).digest('base64url');
    const held = throttled.get(throttleKey);
    if (held !== undefined) {
      const leftMs = held.untilMs - now();
      if (leftMs > 0) {
        // Asked to wait: answer as the upstream did, with the time left, and do not call it.
        const { message, upstream } = held.error;
        throw new SmsError('RATE_LIMITED', message, upstream, Math.ceil(leftMs / 1000));
      }
      throttled.delete(throttleKey);
    }
    const admission = breaker.admit();
    if (!admission.allowed) throw circuitOpenError(admission);
    try {
      const record = await fetchWithRetries(token);
      breaker.record(admission, true);
      return record;
    } catch (error) {
      // 4xx and invalid bodies prove the upstream answers: only transient failures count.
      breaker.record(admission, error instanceof SmsError && !error.isTransient);
      if (error instanceof SmsError && error.code === 'RATE_LIMITED' && error.retryAfterSeconds) {
        const holdSeconds = Math.min(error.retryAfterSeconds, MAX_THROTTLE_HOLD_SECONDS);
        if (throttled.size >= MAX_THROTTLED_TOKENS) {
          const oldest = throttled.keys().next().value;
          if (oldest !== undefined) throttled.delete(oldest);
        }
        throttled.set(throttleKey, { error, untilMs: now() + holdSeconds * 1000 });
      }
      throw error;
    }
  }

  async function fetchWithRetries(token: string): Promise<OverviewRecord> {
    const deadline = now() + timeoutMs;
    for (let retry = 0; ; retry++) {
      const remaining = deadline - now();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), Math.max(remaining, 0));
      const started = performance.now();
      try {
        const record = await attempt(token, controller.signal);
        events?.upstreamCall?.({
          status: 200,
          errorCode: undefined,
          outcome: 'OK',
          durationMs: performance.now() - started,
          requestId: record.requestId,
        });
        return record;
      } catch (error) {
        const smsError = controller.signal.aborted
          ? new SmsError('UPSTREAM_TIMEOUT', `The SMS API did not answer within ${timeoutMs} ms.`)
          : toSmsError(error);
        events?.upstreamCall?.({
          status: smsError.upstream?.status,
          errorCode: smsError.upstream?.errorCode,
          outcome: smsError.code,
          durationMs: performance.now() - started,
          requestId: smsError.upstream?.requestId,
        });
        const backoff = BACKOFF_BASE_MS * 2 ** retry * (0.5 + random());
        if (retry >= maxRetries || !isRetryable(smsError) || now() + backoff >= deadline) {
          throw smsError;
        }
        logger.debug(
          {
            event: 'upstream_retry',
            code: smsError.code,
            status: smsError.upstream?.status,
            retry: retry + 1,
          },
          'retrying the SMS API',
        );
        await sleep(backoff);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  return {
    fetchOverview,
    close: () => agent.close(),
    destroy: () => agent.destroy(),
  };
}

function isRetryable(error: SmsError): boolean {
  if (error.code === 'UPSTREAM_UNAVAILABLE') return true;
  const status = error.upstream?.status;
  return error.code === 'UPSTREAM_ERROR' && status !== undefined && RETRYABLE_STATUS.has(status);
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.length === 0 ? undefined : first.slice(0, 256);
}

async function readBody(
  body: Dispatcher.ResponseData['body'],
  max: number,
  headers: Dispatcher.ResponseData['headers'],
): Promise<string> {
  const declared = Number(header(headers, 'content-length'));
  if (Number.isFinite(declared) && declared > max) {
    body.destroy();
    throw new BodyTooLargeError(`expected a body of at most ${max} bytes, got: ${declared} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > max) {
      body.destroy();
      throw new BodyTooLargeError(`expected a body of at most ${max} bytes, got: more than that`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function invalid(reason: string): SmsError {
  return new SmsError(
    'UPSTREAM_INVALID_RESPONSE',
    `The SMS API answered with an invalid overview: ${reason}.`,
  );
}

function retryAfterSeconds(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

function httpError(
  status: number,
  body: string,
  token: string,
  headers: Dispatcher.ResponseData['headers'],
  requestId: string | undefined,
  nowMs: number,
): SmsError {
  // The caller's token never reaches an error, whatever the upstream echoed back.
  const envelope = parseErrorEnvelope(body, token);
  const info: UpstreamErrorInfo = {
    status,
    ...envelope,
    ...(requestId !== undefined ? { requestId } : {}),
  };
  const throttled =
    status === 429 || (envelope.errorCode !== undefined && THROTTLE_CODES.has(envelope.errorCode));
  let code: SmsErrorCode;
  let fallback: string;
  let retryAfter: number | undefined;
  if (throttled) {
    code = 'RATE_LIMITED';
    retryAfter =
      retryAfterSeconds(header(headers, 'retry-after'), nowMs) ??
      (envelope.errorCode !== undefined && THROTTLE_CODES.has(envelope.errorCode)
        ? THROTTLE_DEFAULT_RETRY_SECONDS
        : undefined);
    fallback =
      retryAfter === undefined
        ? 'The SMS API is throttling requests; retry later.'
        : `The SMS API is throttling requests; retry after ${retryAfter} s.`;
  } else if (status === 401) {
    code = 'UNAUTHENTICATED';
    fallback = 'The SMS API rejected the token (HTTP 401).';
  } else if (status === 403) {
    code = 'FORBIDDEN';
    fallback = 'The SMS API refused this token access to the source overview (HTTP 403).';
  } else {
    code = 'UPSTREAM_ERROR';
    fallback = `The SMS API answered HTTP ${status}.`;
  }
  return new SmsError(code, envelope.errorMessage ?? fallback, info, retryAfter);
}

/** Errors from the socket layer: the upstream could not be reached or dropped the connection. */
function toSmsError(error: unknown): SmsError {
  if (error instanceof SmsError) return error;
  if (error instanceof BodyTooLargeError) {
    return invalid(error.message);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) {
    return new SmsError('UPSTREAM_UNAVAILABLE', `The SMS API could not be reached (${code}).`);
  }
  throw error;
}
