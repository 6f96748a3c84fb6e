/**
 * Apollo Server 5 standalone + @apollo/datasource-rest, the way Apollo's docs build it: one
 * RESTDataSource per request in the context, sharing the server's cache.
 *
 * BENCH_APOLLO_MODE=default: RESTDataSource's defaults (the upstream sends no cache headers,
 * so every request goes upstream). BENCH_APOLLO_MODE=same-job: configured to do our job:
 * `cacheOptionsFor` gives a TTL of CACHE_TTL_MS, and `cacheKeyFor` puts the token in the key
 * so two callers never share an answer.
 */
import { type AugmentedRequest, type DataSourceConfig, RESTDataSource } from '@apollo/datasource-rest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { announce, PEER_TYPE_DEFS, peerOverview, tokenOf, upstreamFromEnv } from '../shared.js';

const sameJob = process.env.BENCH_APOLLO_MODE === 'same-job';
const ttlSeconds = Number(process.env.CACHE_TTL_MS ?? 10_000) / 1000;
const endpoint = upstreamFromEnv();

class SmsApi extends RESTDataSource {
  override baseURL = endpoint;
  constructor(
    private readonly token: string,
    config: DataSourceConfig,
  ) {
    super(config);
  }
  override willSendRequest(_path: string, request: AugmentedRequest): void {
    request.headers['x-auth-token'] = this.token;
  }
  getOverview(): Promise<unknown> {
    return this.get('v3/sources/overview');
  }
}

class SameJobSmsApi extends SmsApi {
  protected override cacheKeyFor(url: URL, request: { method?: string }): string {
    return `${request.method ?? 'GET'} ${url}\n${this.tokenForKey}`;
  }
  protected override cacheOptionsFor(): { ttl: number } {
    return { ttl: ttlSeconds };
  }
  constructor(
    private readonly tokenForKey: string,
    config: DataSourceConfig,
  ) {
    super(tokenForKey, config);
  }
}

interface Context {
  readonly sms: SmsApi;
}

const server = new ApolloServer<Context>({
  typeDefs: PEER_TYPE_DEFS,
  resolvers: {
    Query: {
      sourceOverview: async (_root: unknown, _args: unknown, { sms }: Context) =>
        peerOverview(await sms.getOverview()),
    },
  },
});

const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 0), host: '127.0.0.1' },
  context: async ({ req }) => {
    const token = tokenOf(req.headers['x-auth-token']);
    const config = { cache: server.cache };
    return { sms: sameJob ? new SameJobSmsApi(token, config) : new SmsApi(token, config) };
  },
});
announce(new URL('/graphql', url).toString());
