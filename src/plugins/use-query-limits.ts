import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
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
 * GraphQL Armor's depth, alias, token and directive limits: a document that would fan
 * out into thousands of resolver calls is refused before it reaches the upstream.
 *
 *     plugins: [...useQueryLimits({ maxAliases: 100 })]
 */
export function useQueryLimits(limits: QueryLimits = {}): Plugin[] {
  const { maxDepth, maxAliases, maxTokens, maxDirectives } = { ...DEFAULT_QUERY_LIMITS, ...limits };
  return [
    maxTokensPlugin({ n: maxTokens }),
    maxDepthPlugin({ n: maxDepth, flattenFragments: true }),
    maxAliasesPlugin({ n: maxAliases }),
    maxDirectivesPlugin({ n: maxDirectives }),
  ] as Plugin[];
}
