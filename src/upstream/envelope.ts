import type { UpstreamErrorDetail, UpstreamErrorInfo } from './errors.js';

type EnvelopeFields = Omit<UpstreamErrorInfo, 'status' | 'requestId'> & { requestId?: string };

/** Caps on what is copied from an envelope into a client-facing error (the seed's limits). */
const MAX_TEXT = 1024;
const MAX_ENCODED = 65535;
const MAX_ITEMS = 20;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, max = MAX_TEXT): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function texts(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out = value
    .slice(0, MAX_ITEMS)
    .map((v) => text(v))
    .filter((v) => v !== undefined);
  return out.length > 0 ? out : undefined;
}

function details(value: unknown): UpstreamErrorDetail[] | undefined {
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
 *
 *     parseErrorEnvelope('{"error_code":"SMS.9004","error_msg":"denied"}').errorCode // 'SMS.9004'
 */
export function parseErrorEnvelope(body: string): EnvelopeFields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  if (!isRecord(parsed)) return {};
  const root = isRecord(parsed.error) ? parsed.error : parsed;
  return compact({
    errorCode: text(root.error_code ?? root.code),
    errorMessage: text(root.error_msg ?? root.message),
    errorParams: texts(root.error_param),
    details: details(root.details),
    encodedAuthorizationMessage: text(root.encoded_authorization_message, MAX_ENCODED),
    requestId: text(root.request_id ?? parsed.request_id),
  });
}
