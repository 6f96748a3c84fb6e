import { readdirSync, readFileSync } from 'node:fs';

/** schema/ at the project root; the same relative path from src/ and from dist/. */
export const SCHEMA_DIR = new URL('../schema/', import.meta.url);

/**
 * The contract's SDL: every `schema/*.graphql` file, in name order.
 *
 *     createSchema({ typeDefs: loadTypeDefs(), resolvers })
 */
export function loadTypeDefs(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readFileSync(new URL(name, SCHEMA_DIR), 'utf8'));
}
