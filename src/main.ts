import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { loadPersistedOperations } from './persisted-operations.js';
import { createGateway } from './server.js';
import { createSmsSimulator, DEMO_TOKENS, type SmsSimulator } from './simulator/simulator.js';
import { createCachedClient } from './upstream/cached-client.js';
import { createHttpSmsClient } from './upstream/http-client.js';

/** How long in-flight requests may take to finish after SIGTERM/SIGINT (ms). */
const SHUTDOWN_DEADLINE_MS = 10_000;

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

  const client = createHttpSmsClient({ endpoint, timeoutMs: config.upstreamTimeoutMs, logger });
  const source = createCachedClient({
    client,
    endpoint,
    maxEntries: config.cacheMaxEntries,
    ttlMs: config.cacheTtlMs,
    staleMs: config.cacheStaleMs,
    logger,
  });
  const yoga = createGateway({
    source,
    logger,
    graphiql: config.graphiql,
    ...(persistedOperations !== undefined ? { persistedOperations } : {}),
    ...(simulator !== undefined ? { graphiqlToken: DEMO_TOKENS.seed } : {}),
  });
  // IAM tokens may be 16384 characters: room for them beyond Node's 16 KiB header default.
  const server = createServer({ maxHeaderSize: 64 * 1024 }, yoga);

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
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutdown', signal }, 'stopping: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.warn({ event: 'shutdown_forced' }, 'in-flight requests did not finish in time');
      server.closeAllConnections();
    }, SHUTDOWN_DEADLINE_MS);
    force.unref();
    server.close(async () => {
      clearTimeout(force);
      await client.close();
      await simulator?.close();
      logger.info({ event: 'stopped' }, 'stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
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
