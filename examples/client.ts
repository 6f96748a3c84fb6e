// A minimal typed GraphQL client for sms-graph: plain fetch plus the typed documents that
// `npm run codegen` generates from examples/*.graphql. A frontend would do the same.
import type { TypedDocumentString } from './generated/graphql.js';

export interface SmsGraphClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  readonly url: string;
  /** The caller's IAM token, sent as `X-Auth-Token`. */
  readonly token: string;
  /**
   * Send only the document's hash (`extensions.persistedQuery.sha256Hash`), as a gateway
   * with `PERSISTED_OPERATIONS_FILE` requires. Default false: send the document.
   */
  readonly persisted?: boolean;
}

/** One GraphQL error as the gateway reports it. */
export interface SmsGraphError {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: { readonly code?: string } & Readonly<Record<string, unknown>>;
}

/** What the gateway answered: typed data (fields may be null on error) and its errors. */
export interface SmsGraphResult<TResult> {
  readonly data: TResult | null;
  readonly errors: readonly SmsGraphError[];
}

/**
 * Runs one typed operation.
 *
 *     const { data } = await execute(options, DashboardOverviewDocument);
 *     data?.sourceOverview?.needsAttention // number, checked against the schema
 */
export async function execute<TResult, TVariables>(
  options: SmsGraphClientOptions,
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<SmsGraphResult<TResult>> {
  let body: Record<string, unknown> = { query: document.toString(), variables };
  if (options.persisted) {
    // codegen's persistedDocuments writes `sha256:<hex>`; Apollo-style clients send the hex.
    const hash = document.__meta__?.hash;
    if (typeof hash !== 'string') {
      throw new Error(`expected a document with a persisted hash (codegen persistedDocuments), got: ${hash}`);
    }
    body = {
      variables,
      extensions: { persistedQuery: { version: 1, sha256Hash: hash.replace(/^sha256:/, '') } },
    };
  }
  const response = await fetch(options.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': options.token },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { data?: TResult | null; errors?: SmsGraphError[] };
  if (json.data === undefined && json.errors === undefined) {
    throw new Error(`expected a GraphQL response from ${options.url}, got HTTP ${response.status}`);
  }
  return { data: json.data ?? null, errors: json.errors ?? [] };
}
