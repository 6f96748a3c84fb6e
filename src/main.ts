import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { loadPersistedOperations } from './persisted-operations.js';
import { upstreamRequestIds } from './plugins/use-access-log.js';
import { createReadiness } from './readiness.js';
import { createGatewayListener } from './server.js';
import { createSmsSimulator, DEMO_TOKENS, type SmsSimulator } from './simulator/simulator.js';
import { createCachedClient } from './upstream/cached-client.js';
import { combineEvents } from './upstream/events.js';
import { createHttpSmsClient } from './upstream/http-client.js';

async function main(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const persistedOperations =
    config.persistedOperationsFile === undefined
      ? undefined
      : loadPersistedOperations(config.persistedOperationsFile);

  let simulator: SmsSimulator | undefined;
  let endpoint = config.smsEndpoint;
  if (endpoint === undefined) {
    simulator = await createSmsSimulator();
    endpoint = simulator.url;
    logger.info(
      { event: 'simulator_started', endpoint, demoTokens: DEMO_TOKENS },
      'No SMS_ENDPOINT or SMS_REGION set: serving the embedded SMS simulator',
    );
  }

  const metrics = createMetrics();
  const events = combineEvents(metrics.events, upstreamRequestIds);
  const readiness = createReadiness({ endpoint, intervalMs: config.readinessIntervalMs });
  const client = createHttpSmsClient({
    endpoint,
    timeoutMs: config.upstreamTimeoutMs,
    connections: config.upstreamMaxConnections,
    breakerFailureThreshold: config.breakerFailureThreshold,
    breakerCooldownMs: config.breakerCooldownMs,
    logger,
    events,
  });
  const source = createCachedClient({
    client,
    endpoint,
    maxEntries: config.cacheMaxEntries,
    ttlMs: config.cacheTtlMs,
    staleMs: config.cacheStaleMs,
    logger,
    events,
  });
  const { listener } = createGatewayListener({
    source,
    logger,
    graphiql: config.graphiql,
    metrics,
    readiness,
    introspection: config.introspection,
    corsOrigins: config.corsOrigins,
    maxBodyBytes: config.maxBodyBytes,
    queryLimits: {
      maxDepth: config.queryMaxDepth,
      maxAliases: config.queryMaxAliases,
      maxTokens: config.queryMaxTokens,
      maxDirectives: config.queryMaxDirectives,
    },
    ...(persistedOperations !== undefined ? { persistedOperations } : {}),
    ...(simulator !== undefined ? { graphiqlToken: DEMO_TOKENS.seed } : {}),
  });
  // IAM tokens may be 16384 characters: room for them beyond Node's 16 KiB header default.
  const server = createServer({ maxHeaderSize: 64 * 1024 }, listener);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.info(
    {
      event: 'listening',
      url: `http://${shownHost}:${port}/graphql`,
      upstream: simulator !== undefined ? 'simulator' : endpoint,
      // How many trusted operations run; null: any operation does.
      persistedOperations: persistedOperations?.size ?? null,
    },
    `sms-graph is listening: open http://${shownHost}:${port}/graphql` +
      (simulator !== undefined ? ` and send the header X-Auth-Token: ${DEMO_TOKENS.seed}` : ''),
  );

  let stopping = false;
  const close = (): void => {
    let forced = false;
    const force = setTimeout(() => {
      forced = true;
      logger.warn({ event: 'shutdown_forced' }, 'in-flight requests did not finish in time');
      server.closeAllConnections();
    }, config.shutdownDeadlineMs);
    force.unref();
    server.close(async () => {
      clearTimeout(force);
      // Past the deadline, upstream calls still running are cut too rather than awaited.
      await (forced ? client.destroy() : client.close());
      await readiness.close();
      await simulator?.close();
      logger.info({ event: 'stopped' }, 'stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    // Readiness fails first and the server keeps serving for SHUTDOWN_DELAY_MS, so the load
    // balancer stops sending traffic before the listener closes.
    readiness.shutDown();
    logger.info(
      { event: 'shutdown', signal, delayMs: config.shutdownDelayMs },
      'stopping: readiness fails now; then finishing in-flight requests',
    );
    setTimeout(close, config.shutdownDelayMs);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

try {
  await main(loadConfig(process.env));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `sms-graph failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  process.exit(1);
}
