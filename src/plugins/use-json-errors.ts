import type { Plugin } from 'graphql-yoga';

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
 * A GET without `query` gets 400 whatever its Accept (Yoga would answer 200 to
 * `Accept: application/json`), like every other malformed request.
 *
 *     plugins: [useJsonErrors()]
 */
export function useJsonErrors(): Plugin {
  return {
    onRequestParse({ request, endResponse }) {
      if (request.method !== 'GET' || new URL(request.url).searchParams.has('query')) return;
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
