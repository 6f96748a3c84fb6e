import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';

/** What each bodiless refusal of Yoga's means, as a contract. */
function explain(status: number, request: Request): string {
  const got = (name: string) => JSON.stringify(request.headers.get(name) ?? '(none)').slice(0, 120);
  switch (status) {
    case 415:
      return `expected a Content-Type of application/json, application/graphql+json or multipart/form-data, got: ${got('content-type')}`;
    case 406:
      return `expected an Accept of application/graphql-response+json, application/json, text/event-stream or multipart/mixed, got: ${got('accept')}`;
    case 404:
      return 'expected a request to /graphql';
    case 405:
      return `expected GET or POST, got: ${request.method.slice(0, 16)}`;
    default:
      return `the request was refused (HTTP ${status})`;
  }
}

/**
 * Gives every bodiless 4xx Yoga sends (415 unsupported content type, 406, 404, 405) a
 * JSON `errors` body that says what was expected, so no client is left with a bare status.
 * A GET or POST without `query` gets 400
 * whatever its Accept (Yoga would answer 200 to `Accept: application/json`), like every
 * other malformed request. With trusted operations on, a POST without a hash is theirs to
 * refuse (`PERSISTED_QUERY_ID_REQUIRED`), so `postNeedsQuery` is then false.
 *
 *     plugins: [useJsonErrors({ postNeedsQuery: true })]
 */
export function useJsonErrors({ postNeedsQuery }: { postNeedsQuery: boolean }): Plugin {
  return {
    onRequestParse({ request, endResponse }) {
      if (request.method !== 'GET') {
        return postNeedsQuery ? { onRequestParseDone: refuseWithoutQuery } : undefined;
      }
      if (new URL(request.url).searchParams.has('query')) return undefined;
      endResponse(
        Response.json(
          {
            errors: [
              {
                message: 'Must provide query string.',
                extensions: { code: 'BAD_REQUEST' },
              },
            ],
          },
          { status: 400, headers: { allow: 'GET, POST', 'content-type': 'application/json; charset=utf-8' } },
        ),
      );
      return undefined;
    },
    onExecute() {
      return {
        onExecuteDone({ result }) {
          // Execution that never started (no `data`) failed on the request itself: after Yoga
          // has resolved the operation, that is a variable that does not coerce. Yoga answers
          // 400 without a code; clients and metrics get BAD_USER_INPUT.
          if (Symbol.asyncIterator in result || 'data' in result) return;
          for (const error of result.errors ?? []) {
            if (error.path === undefined)
              (error.extensions as Record<string, unknown>).code ??= 'BAD_USER_INPUT';
          }
        },
      };
    },
    onResultProcess({ result }) {
      // What is left without a code is a refusal of the HTTP request itself (CSRF's 403):
      // clients and metrics get BAD_REQUEST rather than nothing.
      if (Array.isArray(result) || Symbol.asyncIterator in result || 'data' in result) return;
      for (const error of result.errors ?? []) {
        if (error.path === undefined) (error.extensions as Record<string, unknown>).code ??= 'BAD_REQUEST';
      }
    },
    onResponse({ request, response, setResponse }) {
      if (response.status < 400 || response.status >= 500 || response.body !== null) return;
      const headers = new Headers(response.headers);
      headers.set('content-type', 'application/json; charset=utf-8');
      headers.delete('content-length');
      setResponse(
        new Response(
          JSON.stringify({
            errors: [{ message: explain(response.status, request), extensions: { code: 'BAD_REQUEST' } }],
          }),
          { status: response.status, headers },
        ),
      );
    },
  };
}

/** A POST body without a `query` is malformed: 400 (Yoga's own message, its code). */
function refuseWithoutQuery({
  requestParserResult,
}: {
  requestParserResult: GraphQLParams | GraphQLParams[];
}): void {
  if (Array.isArray(requestParserResult)) return; // batching is refused on its own
  if (requestParserResult.query != null) return;
  throw createGraphQLError('Must provide query string.', {
    extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
  });
}
