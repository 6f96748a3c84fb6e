import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Caps on one GraphQL document; every one is checked before any resolver runs. */
export interface QueryLimits {
  /** Deepest field nesting. Default 10. */
  readonly maxDepth?: number;
  /** Most aliases in an operation. Default 100. */
  readonly maxAliases?: number;
  /** Most lexical tokens in the document (checked while parsing). Default 1000. */
  readonly maxTokens?: number;
  /** Most directives in an operation. Default 50. */
  readonly maxDirectives?: number;
}

export const DEFAULT_QUERY_LIMITS: Required<QueryLimits> = {
  maxDepth: 10,
  maxAliases: 100,
  maxTokens: 1000,
  maxDirectives: 50,
};

/**
 * Armor's validation rules throw their refusal by default, so it reaches the client as a bare
 * error without `extensions.code`. Reported into the validation context instead, it is a
 * validation error like any other: `GRAPHQL_VALIDATION_FAILED`, HTTP status as Yoga sets it.
 * Outside validation (no context) it is still thrown: a refusal is never dropped.
 */
const asValidationError = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError): void => {
      if (context === null) throw error;
      context.reportError(error);
    },
  ],
};

/**
 * GraphQL Armor's depth, alias, token and directive limits: a document that would fan
 * out into thousands of resolver calls is refused before it reaches the upstream.
 * The depth limit leaves introspection (`__schema`, `__type`) to the token limit and the
 * `INTROSPECTION` switch: GraphiQL's own introspection query nests `ofType` deeper than
 * any query of the schema's fields can.
 *
 *     plugins: [...useQueryLimits({ maxAliases: 100 })]
 */
export function useQueryLimits(limits: QueryLimits = {}): Plugin[] {
  const { maxDepth, maxAliases, maxTokens, maxDirectives } = { ...DEFAULT_QUERY_LIMITS, ...limits };
  return [
    // Checked while parsing: Yoga codes a parse failure GRAPHQL_PARSE_FAILED.
    maxTokensPlugin({ n: maxTokens }),
    maxDepthPlugin({ n: maxDepth, flattenFragments: true, ...asValidationError }),
    maxAliasesPlugin({ n: maxAliases, ...asValidationError }),
    maxDirectivesPlugin({ n: maxDirectives, ...asValidationError }),
  ] as Plugin[];
}
