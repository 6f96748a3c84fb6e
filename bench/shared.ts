import { normaliseOverview } from '../src/domain/overview.js';
import { SEED_OVERVIEW_200 } from '../src/simulator/seed.js';

/** What every contender answers: all counts plus the dashboard groups a client asks for. */
export const DOCUMENT =
  '{ sourceOverview { waiting replicate syncing stopped deleting cutovering unavailable stopping skipping ' +
  'finished initialize error cloning unconfigured other inProgress needsAttention total } }';

/** The POST body every load generator sends. */
export const REQUEST_BODY = JSON.stringify({ query: DOCUMENT });

/** The count fields of {@link DOCUMENT}, in its order. */
const COUNT_FIELDS = [
  'waiting',
  'replicate',
  'syncing',
  'stopped',
  'deleting',
  'cutovering',
  'unavailable',
  'stopping',
  'skipping',
  'finished',
  'initialize',
  'error',
  'cloning',
  'unconfigured',
] as const;

/** The SDL the peers serve: the part of the contract {@link DOCUMENT} reads. */
export const PEER_TYPE_DEFS = `
type Query { sourceOverview: SourceOverview }
type SourceOverview {
  ${COUNT_FIELDS.map((f) => `${f}: Int`).join('\n  ')}
  other: Int
  inProgress: Int!
  needsAttention: Int!
  total: Int!
}`;

/** The `sourceOverview` object the peers resolve from an upstream body (same domain rules as ours). */
export function peerOverview(body: unknown): Record<string, number | null> {
  const { counts, other, summary } = normaliseOverview(body);
  const out: Record<string, number | null> = {};
  for (const field of COUNT_FIELDS) out[field] = counts[field] ?? null;
  out.other = other;
  out.inProgress = summary.inProgress;
  out.needsAttention = summary.needsAttention;
  out.total = summary.total;
  return out;
}

/** The exact answer to {@link DOCUMENT} for the seed's 200 body: every contender must send it. */
export const EXPECTED_ANSWER = { data: { sourceOverview: peerOverview(SEED_OVERVIEW_200) } };

/** The line a contender prints when it listens (sms-graph's own `listening` log line has `url` too). */
export function announce(url: string): void {
  process.stdout.write(`${JSON.stringify({ event: 'listening', url })}\n`);
}

/** The upstream base URL the harness gives every contender. */
export function upstreamFromEnv(): string {
  const endpoint = process.env.SMS_ENDPOINT;
  if (endpoint === undefined) throw new Error('expected SMS_ENDPOINT to be set by the harness, got: nothing');
  return endpoint;
}

/** The caller's token, as sms-graph reads it (X-Auth-Token). */
export function tokenOf(header: string | string[] | null | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value ?? '';
}
