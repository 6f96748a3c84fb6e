/** The naive resolver: graphql-yoga with defaults, global fetch to the upstream on every request. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { announce, PEER_TYPE_DEFS, peerOverview, upstreamFromEnv } from '../shared.js';

const url = new URL('/v3/sources/overview', upstreamFromEnv()).toString();

const yoga = createYoga<{ request: Request }>({
  schema: createSchema<{ request: Request }>({
    typeDefs: PEER_TYPE_DEFS,
    resolvers: {
      Query: {
        sourceOverview: async (_root, _args, { request }) => {
          const response = await fetch(url, {
            headers: { 'x-auth-token': request.headers.get('x-auth-token') ?? '' },
          });
          if (!response.ok) throw new Error(`upstream answered HTTP ${response.status}`);
          return peerOverview(await response.json());
        },
      },
    },
  }),
  logging: false,
});
const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  announce(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
