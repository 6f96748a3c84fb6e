import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { ConfigError } from './config.js';

/** The operations a gateway with `PERSISTED_OPERATIONS_FILE` accepts: sha256 hex → document. */
export type PersistedOperations = ReadonlyMap<string, string>;

const HASH = /^(?:sha256:)?([0-9a-f]{64})$/;

/**
 * Reads and checks a persisted-operations manifest: a JSON object whose keys are the sha256
 * (hex, optionally `sha256:`-prefixed, as codegen's client preset writes them) of the
 * document they map to. Every problem is reported at once, as a ConfigError.
 *
 *     const operations = loadPersistedOperations('examples/generated/persisted-documents.json');
 */
export function loadPersistedOperations(path: string): PersistedOperations {
  const name = 'PERSISTED_OPERATIONS_FILE';
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([
      `${name}: expected a readable JSON file, got: ${JSON.stringify(path)} (${reason})`,
    ]);
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new ConfigError([
      `${name}: expected a JSON object {"<sha256 hash>": "<document>"}, got: ${Array.isArray(manifest) ? 'an array' : JSON.stringify(manifest)}`,
    ]);
  }
  const problems: string[] = [];
  const operations = new Map<string, string>();
  for (const [key, document] of Object.entries(manifest)) {
    const hash = HASH.exec(key)?.[1];
    if (hash === undefined) {
      problems.push(
        `${name}: expected keys to be sha256 hashes (64 hex digits), got: ${JSON.stringify(key)}`,
      );
      continue;
    }
    if (typeof document !== 'string') {
      problems.push(`${name}: expected the document for ${hash} to be a string, got: ${typeof document}`);
      continue;
    }
    const actual = createHash('sha256').update(document).digest('hex');
    if (actual !== hash) {
      problems.push(
        `${name}: expected ${hash} to be the sha256 of its document, got a document hashing to ${actual}`,
      );
      continue;
    }
    try {
      parse(document);
    } catch (error) {
      problems.push(
        `${name}: expected the document for ${hash} to be GraphQL, got: ${(error as Error).message}`,
      );
      continue;
    }
    operations.set(hash, document);
  }
  if (problems.length === 0 && operations.size === 0) {
    problems.push(`${name}: expected at least one operation, got an empty object`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return operations;
}
