import type { YogaServerOptions } from 'graphql-yoga';

type CorsOption = YogaServerOptions<object, object>['cors'];

/** Headers a browser page may send cross-origin (the token, JSON, the CSRF header). */
const ALLOWED_HEADERS = ['content-type', 'x-auth-token', 'authorization', 'x-graphql-csrf'];

/**
 * Yoga's `cors` option as an allow-list: only the listed origins get CORS headers (so only
 * their pages may read answers); every other origin, and all of them when the list is
 * empty, gets none. Credentials (cookies) are never allowed: the token travels in a header.
 *
 *     createYoga({ cors: corsAllowList(['https://app.example.com']) })
 */
export function corsAllowList(origins: readonly string[]): CorsOption {
  const allowed = new Set(origins);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !allowed.has(origin)) return false;
    return {
      origin: [origin],
      methods: ['GET', 'POST'],
      allowedHeaders: ALLOWED_HEADERS,
      credentials: false,
      maxAge: 600,
    };
  };
}
