import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * With `enabled` false, refuses `__schema` and `__type` queries and hides graphql-js's
 * "Did you mean ...?" suggestions, which would otherwise leak the schema field by field.
 *
 *     plugins: [...useIntrospection(config.introspection)]
 */
export function useIntrospection(enabled: boolean): Plugin[] {
  if (enabled) return [];
  return [
    {
      onValidate({ addValidationRule }) {
        addValidationRule(NoSchemaIntrospectionCustomRule);
      },
    },
    blockFieldSuggestionsPlugin() as Plugin,
  ];
}
