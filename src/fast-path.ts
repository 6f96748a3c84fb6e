import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  type ExecutionResult,
  execute,
  type GraphQLError,
  type GraphQLSchema,
  getVariableValues,
} from 'graphql';
import { maskError } from 'graphql-yoga';
import { createContext, type HeaderReader } from './context.js';
import { accessLogger, type Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import { resultOutcome } from './plugins/graphql-request.js';
import { logRequest, newRequestScope } from './plugins/use-access-log.js';
import type { VettedDocuments } from './plugins/use-vetted-documents.js';
import { requestScopes } from './request-scope.js';
import type { OverviewSource } from './upstream/types.js';

/** What node:http hands a request listener, and what Yoga is as one. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * How many requests took the lean path, how many of those a compiled plan answered without
 * graphql-js's executor, and how many it handed to Yoga after reading the body.
 */
export interface FastPathStats {
  lean: number;
  planned: number;
  handedOver: number;
}

/** The gateway's request listener, with its lean-path counts. */
export type GatewayListener = NodeListener & { readonly stats: Readonly<FastPathStats> };

export interface FastPathOptions {
  /** Everything the lean path does not take: Yoga, exactly as configured. */
  readonly yoga: NodeListener;
  /** The schema Yoga executes against. */
  readonly schema: GraphQLSchema;
  /** Documents Yoga has accepted (see useVettedDocuments). */
  readonly vetted: VettedDocuments;
  readonly source: OverviewSource;
  readonly logger: Logger;
  readonly metrics?: GatewayMetrics;
  /** The body cap Yoga enforces (useBodyLimit); larger bodies go to Yoga, which refuses them. */
  readonly maxBodyBytes: number;
}

const JSON_CONTENT_TYPE = /^application\/json[ \t]*(;[ \t]*charset=utf-8[ \t]*)?$/i;
const CONTENT_LENGTH = /^[1-9]\d{0,8}$/;
const MASKED_MESSAGE = 'Unexpected error.';
const NO_VARIABLES: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The response media type Yoga would pick for a JSON result, or undefined when the Accept
 * header is one the lean path leaves to Yoga (streams, multipart, anything unusual).
 */
function responseType(accept: string | undefined): string | undefined {
  if (accept === undefined) return 'application/json; charset=utf-8';
  const first = accept.split(',', 1)[0]?.split(';', 1)[0]?.trim().toLowerCase();
  if (first === 'application/json' || first === '*/*') return 'application/json; charset=utf-8';
  if (first === 'application/graphql-response+json')
    return 'application/graphql-response+json; charset=utf-8';
  return undefined;
}

/**
 * Only the common request goes the lean way: `POST /graphql` of a small JSON body with a
 * Content-Length, no compression, no Origin (CORS decisions stay with Yoga), an Accept the
 * lean path answers the way Yoga would.
 */
function leanResponseType(req: IncomingMessage, maxBodyBytes: number): string | undefined {
  const { headers } = req;
  if (req.method !== 'POST' || req.url !== '/graphql') return undefined;
  const length = headers['content-length'];
  if (length === undefined || !CONTENT_LENGTH.test(length) || Number(length) > maxBodyBytes) return undefined;
  if (headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined)
    return undefined;
  if (headers.origin !== undefined) return undefined;
  if (!JSON_CONTENT_TYPE.test(headers['content-type'] ?? '')) return undefined;
  return responseType(headers.accept);
}

/** node:http's headers read the way a Fetch `Headers` reads them (repeats joined by ", "). */
function nodeHeaders(headers: IncomingHttpHeaders): HeaderReader {
  return {
    get(name) {
      const value = headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

interface GraphqlBody {
  readonly query: string;
  readonly operationName: string | null | undefined;
  readonly variables: Record<string, unknown> | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body when it is a plain GraphQL request the lean path can run; else undefined. */
function graphqlBody(text: string): GraphqlBody | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(body)) return undefined;
  const { query, operationName, variables, extensions } = body;
  for (const key in body) {
    if (key !== 'query' && key !== 'operationName' && key !== 'variables' && key !== 'extensions')
      return undefined;
  }
  if (typeof query !== 'string') return undefined;
  // An empty operationName names no operation: Yoga refuses it, and the vetted documents'
  // keys do not tell it from an absent one.
  if (operationName != null && (typeof operationName !== 'string' || operationName === '')) return undefined;
  if (variables != null && !isPlainObject(variables)) return undefined;
  if (extensions != null && (!isPlainObject(extensions) || Object.keys(extensions).length > 0))
    return undefined;
  return { query, operationName, variables: variables ?? undefined };
}

/** The client went away before its body was in: nothing to answer, nothing went wrong here. */
class ClientAbortedError extends Error {}

/** Reads exactly `length` bytes of body (node:http enforces the Content-Length). */
function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () =>
      resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, length)),
    );
    req.once('error', () => reject(new ClientAbortedError('the client aborted the request body')));
    req.once('aborted', () => reject(new ClientAbortedError('the client aborted the request body')));
  });
}

/**
 * The result as Yoga serialises it: unexpected errors masked (and logged), Yoga's internal
 * `http` and `unexpected` extensions left out (see graphql-yoga's result-processor/stringify).
 */
function serialise(result: ExecutionResult, logger: Logger): string {
  if (result.errors === undefined) return JSON.stringify(result);
  const errors = result.errors.map((error) => {
    const masked = maskError(error, MASKED_MESSAGE, false) as GraphQLError;
    // As Yoga does: the operator sees what was masked (server.ts's yogaLog shape).
    if (masked !== error) logger.error({ err: error }, 'yoga');
    const { extensions, ...json } = masked.toJSON();
    if (extensions === undefined) return json;
    const { http: _http, unexpected: _unexpected, ...kept } = extensions;
    return Object.keys(kept).length > 0 ? { ...json, extensions: kept } : json;
  });
  return JSON.stringify({ ...result, errors });
}

/**
 * The HTTP request listener: a lean path for the one request a dashboard sends over and
 * over (a JSON POST of a document Yoga has already accepted), Yoga for everything else.
 *
 * The lean path runs the document Yoga parsed and validated, with the same schema, context,
 * error masking, headers, metrics and access log; it never accepts a document Yoga has not.
 * Whenever it is unsure (unknown document, odd headers, bad JSON, variables that do not
 * coerce) it hands the request, body already read, to Yoga, which answers as it always does.
 * What it saves is Yoga's per-request Fetch Request/Response objects, parse and validation
 * cache lookups and plugin hooks: most of the cost of a cache hit.
 *
 *     createServer(createRequestListener({ yoga, schema, vetted, source, logger, maxBodyBytes }))
 */
export function createRequestListener(options: FastPathOptions): GatewayListener {
  const { yoga, schema, vetted, source, logger, metrics, maxBodyBytes } = options;
  const httpLogger = accessLogger(logger);
  const yogaLogger = logger.child({ component: 'yoga' });
  const stats: FastPathStats = { lean: 0, planned: 0, handedOver: 0 };

  async function lean(req: IncomingMessage, res: ServerResponse, contentType: string): Promise<void> {
    const raw = await readBody(req, Number(req.headers['content-length']));
    const body = graphqlBody(raw.toString('utf8'));
    const known = body === undefined ? undefined : vetted.get(body.query, body.operationName);
    if (body === undefined || known === undefined) return handOver(req, res, raw);
    const definitions = known.operation.variableDefinitions;
    let coerced: Readonly<Record<string, unknown>> = NO_VARIABLES;
    if (definitions !== undefined && definitions.length > 0) {
      const variables = getVariableValues(schema, definitions, body.variables ?? {});
      // Variables that do not coerce are a request error: Yoga words and codes those.
      if (variables.errors !== undefined) return handOver(req, res, raw);
      coerced = variables.coerced;
    }
    stats.lean++;
    const headers = nodeHeaders(req.headers);
    const scope = newRequestScope(headers);
    scope.operation = known.operationName;
    const contextValue = createContext(headers, source);
    const answer = await requestScopes.run(scope, async () => {
      const planned = known.plan === undefined ? undefined : await known.plan(contextValue, coerced);
      if (planned !== undefined) {
        stats.planned++;
        return { json: planned, outcome: 'ok' };
      }
      // graphql-js on the same context: what the plan loaded is still in its loader.
      const result = (await execute({
        schema,
        document: known.document,
        operationName: body.operationName,
        variableValues: body.variables,
        contextValue,
      })) as ExecutionResult;
      return { json: serialise(result, yogaLogger), outcome: resultOutcome(result) };
    });
    const { json, outcome } = answer;
    scope.outcome = outcome;
    res.writeHead(200, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(json),
      'cache-control': 'private, no-store',
      'x-request-id': scope.requestId,
    });
    res.end(json);
    metrics?.observeGraphql({
      operation: known.operationName,
      outcome,
      durationMs: performance.now() - scope.startedAt,
    });
    logRequest(httpLogger, scope, 'POST', '/graphql', 200);
  }

  function handOver(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    // whatwg-node reads a consumed request's body from `req.body` (as body parsers leave it).
    stats.handedOver++;
    (req as IncomingMessage & { body?: Uint8Array }).body = body;
    yoga(req, res);
  }

  const listener: NodeListener = (req, res) => {
    const contentType = leanResponseType(req, maxBodyBytes);
    if (contentType === undefined) {
      yoga(req, res);
      return;
    }
    lean(req, res, contentType).catch((error: unknown) => {
      if (error instanceof ClientAbortedError) {
        // As Yoga treats a body cut short: a client's choice, not the gateway's failure.
        logger.debug({ event: 'client_aborted', method: 'POST', path: '/graphql' }, error.message);
        res.destroy();
        return;
      }
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(
          JSON.stringify({
            errors: [{ message: MASKED_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
          }),
        );
      } else {
        res.destroy();
      }
    });
  };
  return Object.assign(listener, { stats });
}
