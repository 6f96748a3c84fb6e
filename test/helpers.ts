import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { GatewayListener } from '../src/fast-path.js';
import { createLogger, type Logger } from '../src/logger.js';
import { createMetrics, type GatewayMetrics } from '../src/metrics.js';
import { upstreamRequestIds } from '../src/plugins/use-access-log.js';
import { createReadiness, type Readiness, type ReadinessOptions } from '../src/readiness.js';
import { createGatewayListener, type Gateway, type GatewayOptions } from '../src/server.js';
import { createSmsSimulator, type SmsSimulator } from '../src/simulator/simulator.js';
import {
  type CachedClient,
  type CachedClientOptions,
  createCachedClient,
} from '../src/upstream/cached-client.js';
import { combineEvents } from '../src/upstream/events.js';
import {
  createHttpSmsClient,
  type HttpSmsClient,
  type HttpSmsClientOptions,
} from '../src/upstream/http-client.js';

/** Every log line written, parsed, so tests can assert on them (and on what they never contain). */
export interface LogCapture {
  readonly logger: Logger;
  readonly lines: string[];
  records(): Record<string, unknown>[];
}

export function captureLogs(level: 'debug' | 'info' = 'debug'): LogCapture {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return {
    logger: createLogger(level, sink),
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** A clock tests move by hand. */
export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

export function createClock(start = Date.parse('2026-12-03T12:00:00.000Z')): TestClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

export interface Stack {
  readonly sim: SmsSimulator;
  readonly yoga: Gateway;
  /** The node:http listener main.ts serves: the lean path in front of `yoga`. */
  readonly listener: GatewayListener;
  readonly client: HttpSmsClient;
  readonly source: CachedClient;
  readonly clock: TestClock;
  readonly logs: LogCapture;
  readonly metrics: GatewayMetrics;
  readonly readiness: Readiness;
  /** Upstream calls to the overview so far. */
  overviewCalls(): number;
  query(document: string, init?: QueryInit): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

export interface QueryInit {
  readonly token?: string;
  readonly variables?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

export interface GraphQLResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

export interface StackOptions {
  readonly client?: Partial<Omit<HttpSmsClientOptions, 'endpoint' | 'logger'>>;
  readonly cache?: Partial<Omit<CachedClientOptions, 'client' | 'endpoint' | 'logger'>>;
  readonly gateway?: Partial<Omit<GatewayOptions, 'source' | 'logger'>>;
  readonly readiness?: Partial<Omit<ReadinessOptions, 'endpoint'>>;
}

/** Simulator + real HTTP client + cache + Yoga, wired as main.ts does, with an injected clock. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await createSmsSimulator();
  const clock = createClock();
  const logs = captureLogs();
  const metrics = createMetrics({ processMetrics: false });
  const events = combineEvents(metrics.events, upstreamRequestIds);
  const readiness = createReadiness({
    endpoint: sim.url,
    now: clock.now,
    timeoutMs: 500,
    ...options.readiness,
  });
  const client = createHttpSmsClient({
    events,
    endpoint: sim.url,
    logger: logs.logger,
    timeoutMs: 2000,
    random: () => 0,
    now: clock.now,
    ...options.client,
  });
  const source = createCachedClient({
    client,
    endpoint: sim.url,
    logger: logs.logger,
    events,
    now: clock.now,
    ...options.cache,
  });
  const { yoga, listener } = createGatewayListener({
    source,
    logger: logs.logger,
    metrics,
    readiness,
    ...options.gateway,
  });
  return {
    sim,
    yoga,
    listener,
    client,
    source,
    clock,
    logs,
    metrics,
    readiness,
    overviewCalls: () => sim.calls.filter((c) => c.path === '/v3/sources/overview').length,
    query: (document, init) => postQuery(yoga, document, init),
    async close() {
      await client.close();
      await readiness.close();
      await sim.close();
    },
  };
}

export async function postQuery(
  yoga: Gateway,
  document: string,
  init: QueryInit = {},
): Promise<GraphQLResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  if (init.token !== undefined) headers['x-auth-token'] = init.token;
  const response = await yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: document, variables: init.variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as GraphQLResponse['body'],
  };
}

/** Every field of the overview, as a dashboard asks for it. */
export const FULL_OVERVIEW = `{
  sourceOverview {
    waiting replicate syncing stopped deleting cutovering unavailable stopping skipping
    finished initialize error cloning unconfigured other
    inProgress needsAttention notStarted paused transitioning completed total
    byStatus { status count group }
    missingStatuses fetchedAt stale ageSeconds
  }
}`;

/** A real HTTP listener on 127.0.0.1, any free port. */
export interface Listener {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `handler` (a Yoga app, or any node:http listener) on 127.0.0.1 port 0. */
export async function listen(handler: RequestListener): Promise<Listener> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
