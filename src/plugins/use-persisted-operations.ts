import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { PersistedOperations } from '../persisted-operations.js';

/**
 * Trusted documents: only the operations in the manifest run, chosen by the sha256 hash a
 * client sends as `extensions.persistedQuery.sha256Hash` (Apollo's and Yoga's format); any
 * other document is refused before parsing. Undefined operations: the plugin is a no-op.
 *
 *     plugins: [useTrustedOperations(config.persistedOperations)]
 */
export function useTrustedOperations(operations: PersistedOperations | undefined): Plugin {
  if (operations === undefined) return {};
  return usePersistedOperations({
    getPersistedOperation: (hash) => operations.get(hash) ?? null,
    allowArbitraryOperations: false,
    customErrors: {
      notFound: ({ params }) =>
        createGraphQLError(
          `expected extensions.persistedQuery.sha256Hash to name an operation of this gateway's persisted-operations file, got: ${JSON.stringify(hashOf(params.extensions))}`,
          { extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 400 } } },
        ),
      persistedQueryOnly: {
        message:
          'expected a persisted operation (extensions.persistedQuery.sha256Hash), got a document: this gateway only runs the operations in its persisted-operations file',
        extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
      },
      keyNotFound: {
        message: 'expected extensions.persistedQuery.sha256Hash to be a string, got none',
        extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED', http: { status: 400 } },
      },
    },
  });
}

function hashOf(extensions: unknown): unknown {
  const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  const hash = persisted?.sha256Hash;
  return typeof hash === 'string' ? hash.slice(0, 100) : hash;
}
