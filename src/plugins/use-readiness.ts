import type { Plugin } from 'graphql-yoga';
import type { Readiness } from '../readiness.js';

/**
 * `GET /readiness`: 200 with `{"ready": true, ...}` when the gateway can serve, else 503
 * with the reason. `/health` (Yoga's) stays the liveness check.
 *
 *     plugins: [useReadiness(readiness)]
 */
export function useReadiness(readiness: Readiness, path = '/readiness'): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      // Synchronous for every other path: no promise per GraphQL request.
      if (url.pathname !== path) return undefined;
      return readiness.check().then((report) => {
        endResponse(fetchAPI.Response.json(report, { status: report.ready ? 200 : 503 }));
      });
    },
  };
}
