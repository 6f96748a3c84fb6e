import {
  type DocumentNode,
  type GraphQLSchema,
  getOperationAST,
  type OperationDefinitionNode,
} from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { type CompiledPlan, compilePlan } from '../compiled-plan.js';

/** A document Yoga has parsed, validated (limits included) and executed once. */
export interface VettedDocument {
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  /** The executed operation's name, as metrics and logs see it. */
  readonly operationName: string | undefined;
  /** Its answer without graphql-js's executor, when the document is simple enough. */
  readonly plan: CompiledPlan | undefined;
}

/**
 * The documents the full Yoga pipeline has accepted, by query text and operation name, so
 * the lean HTTP path (fast-path.ts) can run the same document again without parsing,
 * validating and limit-checking it anew. Only Yoga adds to it: the lean path never decides
 * on its own that a document is acceptable. Bounded in count and in total text size.
 *
 *     const vetted = new VettedDocuments(schema);
 *     createYoga({ plugins: [useVettedDocuments(vetted)] });
 *     vetted.get(query, operationName) // after Yoga has executed it once
 */
export class VettedDocuments {
  readonly #documents: LRUCache<string, VettedDocument>;
  readonly #schema: GraphQLSchema;

  constructor(schema: GraphQLSchema, maxDocuments = 1000, maxTextBytes = 8 * 1024 * 1024) {
    this.#schema = schema;
    this.#documents = new LRUCache({
      max: maxDocuments,
      maxSize: maxTextBytes,
      sizeCalculation: (_value, key) => Math.max(1, key.length),
    });
  }

  static key(query: string, operationName: string | null | undefined): string {
    return `${operationName ?? ''}\n${query}`;
  }

  get(query: string, operationName: string | null | undefined): VettedDocument | undefined {
    return this.#documents.get(VettedDocuments.key(query, operationName));
  }

  add(query: string, operationName: string | null | undefined, document: DocumentNode): void {
    const key = VettedDocuments.key(query, operationName);
    if (this.#documents.has(key)) return;
    const operation = getOperationAST(document, operationName);
    if (operation == null) return;
    // Yoga's executor (@graphql-tools/executor) coerces variables into a plain object, where
    // `$__proto__` is lost; graphql-js, which the lean path runs, keeps it. Such a document
    // stays with Yoga, so both never answer it differently.
    if (operation.variableDefinitions?.some((d) => d.variable.name.value === '__proto__')) return;
    this.#documents.set(key, {
      document,
      operation,
      operationName: operation.name?.value,
      plan: compilePlan(this.#schema, operation),
    });
  }

  get size(): number {
    return this.#documents.size;
  }
}

/**
 * Records every document Yoga gets as far as executing: it has passed parsing, validation,
 * the query limits, the introspection switch and the trusted-operations check. A request
 * that named a persisted operation is not recorded: its text was never sent by the caller,
 * and a caller sending that text itself must still meet the trusted-operations check.
 *
 *     plugins: [..., useVettedDocuments(vetted)] // last, after every plugin that may refuse
 */
export function useVettedDocuments(vetted: VettedDocuments): Plugin {
  return {
    onExecute({ args }) {
      const { params } = args.contextValue as Partial<YogaInitialContext>;
      if (params === undefined || typeof params.query !== 'string') return;
      const extensions: unknown = params.extensions;
      if (extensions != null && (typeof extensions !== 'object' || Object.keys(extensions).length > 0))
        return;
      vetted.add(params.query, params.operationName, args.document);
    },
  };
}
