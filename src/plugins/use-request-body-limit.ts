import { IncomingMessage } from 'node:http';
import { createGraphQLError, type FetchAPI, type Plugin } from 'graphql-yoga';

/** Yoga's default `maxRequestBodySize` (bytes). */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 25_000_000;

const CONTENT_LENGTH = /^\d+$/;

function tooLarge(): Error {
  return createGraphQLError('Request body too large', {
    extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' },
  });
}

/**
 * Yoga's request body limit (`maxRequestBodySize`) with the same checks and errors, minus
 * its cost on the common path. Yoga re-streams every body through a TransformStream into a
 * new Request (with its abort signal) to count bytes, which halves a small query's
 * throughput. On node:http a body with a valid `Content-Length` cannot be longer than
 * declared (the parser reads exactly that many bytes and rejects `Content-Length` together
 * with `Transfer-Encoding`), so checking the header is enough there; any other body
 * (chunked, or a Request given to `yoga.fetch`) is counted as it streams, as Yoga does.
 *
 * Use with `maxRequestBodySize: false`, and keep it after every plugin that sets a request parser:
 *
 *     createYoga({ maxRequestBodySize: false, plugins: [..., useRequestBodyLimit()] })
 */
export function useRequestBodyLimit(limit: number = DEFAULT_MAX_REQUEST_BODY_BYTES): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, serverContext, fetchAPI }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength != null) {
        if (!CONTENT_LENGTH.test(contentLength)) {
          throw createGraphQLError('Content-Length header is invalid.', {
            extensions: { http: { status: 400 }, code: 'BAD_REQUEST' },
          });
        }
        if (Number(contentLength) > limit) throw tooLarge();
        const node = (serverContext as { req?: unknown } | undefined)?.req;
        if (node instanceof IncomingMessage) return;
      }
      if (requestParser == null || request.body == null) return;
      const parse = requestParser;
      setRequestParser((req) => parse(countingBody(req, limit, fetchAPI)));
    },
  };
}

/** The request with a body that errors once more than `limit` bytes have streamed through. */
function countingBody(request: Request, limit: number, fetchAPI: FetchAPI): Request {
  const { body } = request;
  if (body == null) return request;
  // A native body needs the native TransformStream, a ponyfill body the ponyfill's (as in Yoga).
  const Transform = body instanceof ReadableStream ? TransformStream : fetchAPI.TransformStream;
  let bytes = 0;
  const counted = body.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        if (bytes > limit) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: counted,
    duplex: 'half',
  } as RequestInit);
}
