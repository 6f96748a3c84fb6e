import type { UpstreamErrorDetail, UpstreamErrorInfo } from './errors.js';

type EnvelopeFields = Omit<UpstreamErrorInfo, 'status' | 'requestId'> & { requestId?: string };

/** Caps on what is copied from an envelope into a client-facing error (the seed's limits). */
const MAX_TEXT = 1024;
const MAX_ENCODED = 65535;
const MAX_ITEMS = 20;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Shortest secret redacted from upstream texts: shorter ones are not real IAM tokens, and
 * replacing them would garble ordinary words. */
const MIN_REDACTED_SECRET = 8;

type TextReader = (value: unknown, max?: number) => string | undefined;

/**
 * Reads a string (or number) field as a client may see it: the secret replaced by
 * `[redacted]` first (in the decoded text, so JSON escapes such as `\/` cannot hide it),
 * then cut to `max` characters (after redaction, so no cut leaves a piece of the secret).
 */
function textReader(secret: string | undefined): TextReader {
  const hidden = secret !== undefined && secret.length >= MIN_REDACTED_SECRET ? secret : undefined;
  return (value, max = MAX_TEXT) => {
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string' || value.length === 0) return undefined;
    const shown = hidden === undefined ? value : value.replaceAll(hidden, '[redacted]');
    return shown.length > max ? `${shown.slice(0, max)}…` : shown;
  };
}

function texts(value: unknown, text: TextReader): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out = value
    .slice(0, MAX_ITEMS)
    .map((v) => text(v))
    .filter((v) => v !== undefined);
  return out.length > 0 ? out : undefined;
}

function details(value: unknown, text: TextReader): UpstreamErrorDetail[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: UpstreamErrorDetail[] = [];
  for (const item of value.slice(0, MAX_ITEMS)) {
    if (!isRecord(item)) continue;
    const errorCode = text(item.error_code ?? item.code);
    const errorMessage = text(item.error_msg ?? item.message);
    if (errorCode === undefined && errorMessage === undefined) continue;
    out.push(compact({ errorCode, errorMessage }));
  }
  return out.length > 0 ? out : undefined;
}

function compact<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as (keyof T)[]) {
    if (obj[key] === undefined) delete obj[key];
  }
  return obj;
}

/**
 * Reads the fields of a Huawei Cloud error envelope from a response body, in any of the
 * variants seen: `{error_code, error_msg, encoded_authorization_message, error_param,
 * details, request_id}` (SMS, API gateway), `{code, message}` and `{error: {code, message}}`.
 * A body that is empty, HTML or otherwise not such JSON gives `{}`: raw text is never copied.
 * `secret` (the caller's token) is replaced by `[redacted]` in every text copied out.
 *
 *     parseErrorEnvelope('{"error_code":"SMS.9004","error_msg":"denied"}').errorCode // 'SMS.9004'
 */
export function parseErrorEnvelope(body: string, secret?: string): EnvelopeFields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  if (!isRecord(parsed)) return {};
  const root = isRecord(parsed.error) ? parsed.error : parsed;
  const text = textReader(secret);
  return compact({
    errorCode: text(root.error_code ?? root.code),
    errorMessage: text(root.error_msg ?? root.message),
    errorParams: texts(root.error_param, text),
    details: details(root.details, text),
    encodedAuthorizationMessage: text(root.encoded_authorization_message, MAX_ENCODED),
    requestId: text(root.request_id ?? parsed.request_id),
  });
}
