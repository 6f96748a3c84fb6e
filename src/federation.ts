import { buildSubgraphSchema } from '@apollo/subgraph';
import { type GraphQLSchema, graphqlSync, parse } from 'graphql';
import { resolvers } from './resolvers/index.js';
import { loadTypeDefs } from './schema.js';

/** Where `npm run schema:print` writes the subgraph SDL for a schema registry (project root). */
export const SUBGRAPH_SDL_FILE = new URL('../schema.federation.graphql', import.meta.url);

/**
 * The executable schema: schema/ as an Apollo Federation v2 subgraph (adds `_service { sdl }`),
 * still a plain GraphQL API for direct callers.
 *
 *     createYoga({ schema: createSubgraphSchema() })
 */
export function createSubgraphSchema(): GraphQLSchema {
  // The module-list form: its resolver map takes any context, so `Resolvers` fits unchanged.
  return buildSubgraphSchema([{ typeDefs: parse(loadTypeDefs().join('\n')), resolvers }]);
}

/**
 * Exactly what `_service { sdl }` answers (as `rover subgraph introspect` would save it), with a
 * trailing newline: the file a platform team publishes to its schema registry.
 *
 *     writeFileSync(SUBGRAPH_SDL_FILE, printSubgraphSdl())
 */
export function printSubgraphSdl(): string {
  const result = graphqlSync({ schema: createSubgraphSchema(), source: '{ _service { sdl } }' });
  const sdl = (result.data?._service as { sdl?: unknown } | undefined)?.sdl;
  if (typeof sdl !== 'string') {
    throw new Error(`expected _service { sdl } to answer a string, got: ${JSON.stringify(result)}`);
  }
  return `${sdl.trimEnd()}\n`;
}
