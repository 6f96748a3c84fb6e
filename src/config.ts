import type { LevelWithSilent } from 'pino';
import { LOG_LEVELS } from './logger.js';

/** Huawei Cloud SMS endpoints by region (the official SDKs' list). */
export const SMS_REGIONS: Readonly<Record<string, string>> = {
  'cn-north-4': 'https://sms.cn-north-4.myhuaweicloud.com',
  'ap-southeast-3': 'https://sms.ap-southeast-3.myhuaweicloud.com',
  'my-kualalumpur-1': 'https://sms.my-kualalumpur-1.myhuaweicloud.com',
  'ru-moscow-1': 'https://sms-api.ru-moscow-1.myhuaweicloud.com',
};

export interface Config {
  readonly port: number;
  readonly host: string;
  /** SMS API base URL; undefined: start the embedded simulator. */
  readonly smsEndpoint: string | undefined;
  readonly upstreamTimeoutMs: number;
  readonly cacheMaxEntries: number;
  readonly cacheTtlMs: number;
  readonly cacheStaleMs: number;
  readonly logLevel: LevelWithSilent;
  readonly graphiql: boolean;
  readonly readinessIntervalMs: number;
  readonly shutdownDelayMs: number;
  readonly upstreamMaxConnections: number;
  readonly breakerFailureThreshold: number;
  readonly breakerCooldownMs: number;
  readonly shutdownDeadlineMs: number;
  readonly introspection: boolean;
  /** Origins allowed to call from a browser (exact `scheme://host[:port]`); empty: none. */
  readonly corsOrigins: readonly string[];
  readonly maxBodyBytes: number;
  readonly queryMaxDepth: number;
  readonly queryMaxAliases: number;
  readonly queryMaxTokens: number;
  readonly queryMaxDirectives: number;
  /** Path of the persisted-operations manifest; undefined: any operation runs. */
  readonly persistedOperationsFile: string | undefined;
}

/** One environment variable: its default (as written in the env) and what it means. */
export interface ConfigVar {
  readonly name: string;
  readonly default: string | undefined;
  readonly description: string;
}

/** Every variable the gateway reads, with its default. The README's table is checked against it. */
export const CONFIG_VARS: readonly ConfigVar[] = [
  { name: 'PORT', default: '4000', description: 'TCP port the gateway listens on (0: any free port).' },
  { name: 'HOST', default: '0.0.0.0', description: 'Interface the gateway listens on.' },
  {
    name: 'SMS_ENDPOINT',
    default: undefined,
    description:
      'Base URL of the SMS API (http or https, no path). Unset, with `SMS_REGION` unset too: the embedded simulator.',
  },
  {
    name: 'SMS_REGION',
    default: undefined,
    description: `Huawei Cloud region whose SMS endpoint to use instead of \`SMS_ENDPOINT\`: ${Object.keys(SMS_REGIONS).join(', ')}.`,
  },
  {
    name: 'UPSTREAM_TIMEOUT_MS',
    default: '5000',
    description: 'Budget for one upstream overview, retries included (ms).',
  },
  {
    name: 'CACHE_MAX_ENTRIES',
    default: '10000',
    description: 'Most tokens whose overview is cached at once.',
  },
  { name: 'CACHE_TTL_MS', default: '10000', description: 'How long a cached overview is fresh (ms).' },
  {
    name: 'CACHE_STALE_MS',
    default: '60000',
    description: 'How long after the TTL a cached overview may be served stale while it is refreshed (ms).',
  },
  { name: 'LOG_LEVEL', default: 'info', description: `Log level: ${LOG_LEVELS.join(', ')}.` },
  {
    name: 'GRAPHIQL',
    default: 'true',
    description: 'Serve GraphiQL to browsers at `/graphql` (true/false).',
  },
  {
    name: 'READINESS_INTERVAL_MS',
    default: '5000',
    description:
      'How often `/readiness` probes the SMS API host at most; results are reused in between (ms).',
  },
  {
    name: 'SHUTDOWN_DELAY_MS',
    default: '0',
    description:
      'After SIGTERM, how long `/readiness` answers 503 while requests are still served, before the listener closes (ms).',
  },
  {
    name: 'INTROSPECTION',
    default: 'true',
    description:
      'Answer introspection queries (true/false). Off also hides "Did you mean" field suggestions.',
  },
  {
    name: 'CORS_ORIGINS',
    default: undefined,
    description:
      'Comma-separated origins (`https://app.example.com`) whose browser pages may call the gateway. Unset: no cross-origin caller.',
  },
  {
    name: 'MAX_BODY_BYTES',
    default: '102400',
    description: 'Largest request body accepted; a larger one gets HTTP 413.',
  },
  {
    name: 'QUERY_MAX_DEPTH',
    default: '10',
    description:
      'Deepest field nesting in an operation; introspection (`__schema`, `__type`) is capped by `QUERY_MAX_TOKENS` instead.',
  },
  {
    name: 'QUERY_MAX_ALIASES',
    default: '100',
    description: 'Most aliases in an operation (one upstream read serves them all).',
  },
  { name: 'QUERY_MAX_TOKENS', default: '1000', description: 'Most lexical tokens in a document.' },
  { name: 'QUERY_MAX_DIRECTIVES', default: '50', description: 'Most directives in an operation.' },
  {
    name: 'UPSTREAM_MAX_CONNECTIONS',
    default: '64',
    description: 'Most keep-alive connections kept open to the SMS API.',
  },
  {
    name: 'BREAKER_FAILURE_THRESHOLD',
    default: '5',
    description:
      'Failed upstream overviews in a row (timeouts, unreachable, 5xx) that open the circuit breaker; 0: never open.',
  },
  {
    name: 'BREAKER_COOLDOWN_MS',
    default: '30000',
    description: 'How long an open circuit fails fast before one probe call is let through (ms).',
  },
  {
    name: 'SHUTDOWN_DEADLINE_MS',
    default: '10000',
    description:
      'After SIGTERM/SIGINT, how long in-flight requests may take before their connections are cut (ms).',
  },
  {
    name: 'PERSISTED_OPERATIONS_FILE',
    default: undefined,
    description:
      'Trusted documents: a JSON file `{"<sha256>": "<document>"}`; only those operations run, by hash. Unset: any.',
  },
];

/** Bad configuration: every problem found, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment once, reporting every bad value at the same time.
 *
 *     const config = loadConfig(process.env); // throws ConfigError
 */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const fallback = (name: string): string => {
    const spec = CONFIG_VARS.find((v) => v.name === name);
    if (spec?.default === undefined) throw new Error(`no default for ${name}`);
    return spec.default;
  };
  const integer = (name: string, min: number, max: number): number => {
    const value = raw(name) ?? fallback(name);
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      problems.push(`${name}: expected an integer from ${min} to ${max}, got: ${JSON.stringify(value)}`);
      return Number(fallback(name));
    }
    return n;
  };
  const boolean = (name: string): boolean => {
    const value = (raw(name) ?? fallback(name)).toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    problems.push(`${name}: expected true or false, got: ${JSON.stringify(value)}`);
    return fallback(name) === 'true';
  };

  const port = integer('PORT', 0, 65535);
  const host = raw('HOST') ?? fallback('HOST');
  const upstreamTimeoutMs = integer('UPSTREAM_TIMEOUT_MS', 1, 120_000);
  const cacheMaxEntries = integer('CACHE_MAX_ENTRIES', 1, 10_000_000);
  const cacheTtlMs = integer('CACHE_TTL_MS', 0, 86_400_000);
  const cacheStaleMs = integer('CACHE_STALE_MS', 0, 86_400_000);
  const graphiql = boolean('GRAPHIQL');
  const readinessIntervalMs = integer('READINESS_INTERVAL_MS', 100, 600_000);
  const shutdownDelayMs = integer('SHUTDOWN_DELAY_MS', 0, 60_000);
  const introspection = boolean('INTROSPECTION');
  const maxBodyBytes = integer('MAX_BODY_BYTES', 1024, 100 * 1024 * 1024);
  const queryMaxDepth = integer('QUERY_MAX_DEPTH', 1, 1000);
  const queryMaxAliases = integer('QUERY_MAX_ALIASES', 0, 10_000);
  const queryMaxTokens = integer('QUERY_MAX_TOKENS', 100, 1_000_000);
  const queryMaxDirectives = integer('QUERY_MAX_DIRECTIVES', 0, 10_000);
  const upstreamMaxConnections = integer('UPSTREAM_MAX_CONNECTIONS', 1, 10_000);
  const breakerFailureThreshold = integer('BREAKER_FAILURE_THRESHOLD', 0, 1000);
  const breakerCooldownMs = integer('BREAKER_COOLDOWN_MS', 1, 3_600_000);
  const shutdownDeadlineMs = integer('SHUTDOWN_DEADLINE_MS', 0, 600_000);
  const corsOrigins = parseOrigins(raw('CORS_ORIGINS'), problems);

  const logLevelRaw = (raw('LOG_LEVEL') ?? fallback('LOG_LEVEL')).toLowerCase();
  const logLevel = LOG_LEVELS.find((level) => level === logLevelRaw);
  if (logLevel === undefined) {
    problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got: ${JSON.stringify(logLevelRaw)}`);
  }

  let smsEndpoint: string | undefined;
  const endpoint = raw('SMS_ENDPOINT');
  const region = raw('SMS_REGION');
  if (endpoint !== undefined && region !== undefined) {
    problems.push('SMS_ENDPOINT and SMS_REGION: expected one of them, got both');
  } else if (region !== undefined) {
    smsEndpoint = SMS_REGIONS[region];
    if (smsEndpoint === undefined) {
      problems.push(
        `SMS_REGION: expected one of ${Object.keys(SMS_REGIONS).join(', ')}, got: ${JSON.stringify(region)}`,
      );
    }
  } else if (endpoint !== undefined) {
    smsEndpoint = parseEndpoint(endpoint, problems);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    smsEndpoint,
    upstreamTimeoutMs,
    cacheMaxEntries,
    cacheTtlMs,
    cacheStaleMs,
    logLevel: logLevel ?? 'info',
    graphiql,
    readinessIntervalMs,
    shutdownDelayMs,
    upstreamMaxConnections,
    breakerFailureThreshold,
    breakerCooldownMs,
    shutdownDeadlineMs,
    introspection,
    corsOrigins,
    maxBodyBytes,
    queryMaxDepth,
    queryMaxAliases,
    queryMaxTokens,
    queryMaxDirectives,
    persistedOperationsFile: raw('PERSISTED_OPERATIONS_FILE'),
  };
}

/** `CORS_ORIGINS`: each entry must be a bare origin, as browsers send it in `Origin`. */
function parseOrigins(value: string | undefined, problems: string[]): string[] {
  if (value === undefined) return [];
  const origins: string[] = [];
  for (const entry of value.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    if (
      url === undefined ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.origin !== entry
    ) {
      problems.push(
        `CORS_ORIGINS: expected comma-separated origins like https://app.example.com (no path, no trailing slash, no *), got: ${JSON.stringify(entry)}`,
      );
      continue;
    }
    origins.push(entry);
  }
  return origins;
}

function parseEndpoint(value: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`SMS_ENDPOINT: expected an http(s) base URL, got: ${JSON.stringify(value)}`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`SMS_ENDPOINT: expected an http or https URL, got protocol: ${url.protocol}`);
  } else if (url.username !== '' || url.password !== '') {
    problems.push('SMS_ENDPOINT: expected no credentials in the URL (the caller token is used)');
  } else if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    problems.push(`SMS_ENDPOINT: expected a base URL without path or query, got: ${JSON.stringify(value)}`);
  } else {
    return url.origin;
  }
  return undefined;
}

/**
 * The README's configuration table, from {@link CONFIG_VARS} (a test keeps the README equal).
 *
 *     node --import tsx -e "import('./src/config.ts').then(m => console.log(m.renderConfigTable()))"
 */
export function renderConfigTable(): string {
  const rows = CONFIG_VARS.map(
    (v) =>
      `| \`${v.name}\` | ${v.default === undefined ? '(unset)' : `\`${v.default}\``} | ${v.description} |`,
  );
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}
