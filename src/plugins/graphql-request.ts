import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';

type ResultProcessorInput = Parameters<NonNullable<Plugin['onResultProcess']>>[0]['result'];

/**
 * The name of the operation a request executes; undefined for an anonymous one.
 *
 *     operationName(parse('query Dashboard { sourceOverview { total } }')) // 'Dashboard'
 */
export function operationName(document: DocumentNode, name?: string | null): string | undefined {
  return getOperationAST(document, name)?.name?.value;
}

/**
 * `ok`, or the `extensions.code` of a request's first error (`error` when it has none).
 * A field error with partial data counts as an error: the caller did not get everything.
 */
export function resultOutcome(result: ResultProcessorInput): string {
  const first = Array.isArray(result) ? result[0] : result;
  if (first === undefined || Symbol.asyncIterator in first) return 'ok';
  const error = first.errors?.[0];
  if (error === undefined) return 'ok';
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : 'error';
}
