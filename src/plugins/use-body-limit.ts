import type { Plugin } from 'graphql-yoga';

/**
 * Refuses a request body over `maxBytes` with HTTP 413 before Yoga parses it: a declared
 * `Content-Length` over the cap is refused unread; any other body is read up to the cap
 * and handed on buffered.
 *
 *     plugins: [useBodyLimit(100 * 1024)]
 */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    async onRequest({ request, setRequest, endResponse, fetchAPI }) {
      if (request.body === null) return;
      const tooLarge = (got: string) =>
        endResponse(
          Response.json(
            {
              errors: [
                {
                  message: `expected a request body of at most ${maxBytes} bytes, got: ${got}`,
                  extensions: { code: 'PAYLOAD_TOO_LARGE' },
                },
              ],
            },
            { status: 413, headers: { connection: 'close' } },
          ),
        );
      const declared = request.headers.get('content-length');
      if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
        tooLarge(`${declared} bytes`);
        return;
      }
      // Counted even under a small Content-Length: in-process callers (yoga.fetch) are not
      // held to it by an HTTP parser.
      const reader = request.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          await reader.cancel();
          tooLarge(`more than ${maxBytes} bytes`);
          return;
        }
        chunks.push(value);
      }
      setRequest(
        new fetchAPI.Request(request.url, {
          method: request.method,
          headers: request.headers,
          body: Buffer.concat(chunks),
        }),
      );
    },
  };
}
