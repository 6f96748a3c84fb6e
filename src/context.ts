import DataLoader from 'dataloader';
import type { OverviewResult, OverviewSource } from './upstream/types.js';

/** The longest token the SMS API accepts (`X-Auth-Token`, 1..16384 characters). */
export const MAX_TOKEN_LENGTH = 16384;

/** What the gateway reads of a request's headers: a Fetch `Headers`, or node's in fast-path.ts. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** The caller's token, or why there is none. The token itself is never logged. */
export type Credentials = { readonly token: string } | { readonly problem: string };

/** What every resolver gets: the caller's credentials and a per-request overview loader. */
export interface GatewayContext {
  readonly credentials: Credentials;
  /**
   * Loads the caller's overview once per operation, however many fields ask for it.
   * The key is the largest acceptable age in ms (`Infinity`: the cache policy decides).
   * Undefined when there is no token.
   */
  readonly overviews: DataLoader<number, OverviewResult> | undefined;
}

/**
 * Reads the caller's token from `X-Auth-Token` (Huawei's header) or `Authorization: Bearer`.
 *
 *     readCredentials(new Headers({ 'x-auth-token': 't' })) // { token: 't' }
 */
export function readCredentials(headers: HeaderReader): Credentials {
  const direct = headers.get('x-auth-token');
  const bearer = /^Bearer[ \t]+(.*)$/i.exec(headers.get('authorization') ?? '')?.[1];
  const token = (direct ?? bearer)?.trim();
  if (token === undefined) return { problem: 'No token was sent.' };
  if (token.length === 0) return { problem: 'The token is empty.' };
  if (token.length > MAX_TOKEN_LENGTH) {
    return { problem: `The token is longer than ${MAX_TOKEN_LENGTH} characters.` };
  }
  return { token };
}

/**
 * Builds one request's context. The loader lives exactly as long as the request, so
 * nothing one caller loads can reach another (DataLoader's "a new DataLoader per request").
 *
 *     context: ({ request }) => createContext(request.headers, source)
 */
export function createContext(headers: HeaderReader, source: OverviewSource): GatewayContext {
  const credentials = readCredentials(headers);
  if (!('token' in credentials)) return { credentials, overviews: undefined };
  const { token } = credentials;
  const overviews = new DataLoader<number, OverviewResult>(async (maxAges) => {
    // One upstream read serves every field of the operation: the strictest age wins.
    const maxAgeMs = Math.min(...maxAges);
    try {
      const result = await source.getOverview(token, Number.isFinite(maxAgeMs) ? { maxAgeMs } : undefined);
      return maxAges.map(() => result);
    } catch (error) {
      // A failure per key, not of the batch: DataLoader then keeps it for the rest of the
      // request (a batch that throws is forgotten), so running the operation again within
      // the request (fast-path.ts does, when a compiled plan gives up) never asks twice.
      const failure = error instanceof Error ? error : new Error(String(error));
      return maxAges.map(() => failure);
    }
  });
  return { credentials, overviews };
}
