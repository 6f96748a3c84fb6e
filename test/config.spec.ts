import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('has working defaults: the simulator, port 4000', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '0.0.0.0',
      smsEndpoint: undefined,
      upstreamTimeoutMs: 5000,
      cacheMaxEntries: 10000,
      cacheTtlMs: 10000,
      cacheStaleMs: 60000,
      logLevel: 'info',
      graphiql: true,
      readinessIntervalMs: 5000,
      shutdownDelayMs: 0,
      upstreamMaxConnections: 64,
      breakerFailureThreshold: 5,
      breakerCooldownMs: 30000,
      shutdownDeadlineMs: 10000,
      introspection: true,
      corsOrigins: [],
      maxBodyBytes: 102400,
      queryMaxDepth: 10,
      queryMaxAliases: 100,
      queryMaxTokens: 1000,
      queryMaxDirectives: 50,
      persistedOperationsFile: undefined,
    });
  });

  it('reads the production switches and limits', () => {
    const config = loadConfig({
      INTROSPECTION: 'false',
      GRAPHIQL: 'off',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173,',
      BREAKER_FAILURE_THRESHOLD: '0',
      BREAKER_COOLDOWN_MS: '500',
      SHUTDOWN_DEADLINE_MS: '250',
      MAX_BODY_BYTES: '2048',
      QUERY_MAX_ALIASES: '3',
    });
    expect(config).toMatchObject({
      introspection: false,
      graphiql: false,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      breakerFailureThreshold: 0,
      breakerCooldownMs: 500,
      shutdownDeadlineMs: 250,
      maxBodyBytes: 2048,
      queryMaxAliases: 3,
    });
  });

  it.each(['*', 'https://app.example.com/', 'app.example.com', 'https://app.example.com/path', 'ftp://x.y'])(
    'refuses CORS_ORIGINS entry %j with the contract',
    (entry) => {
      expect(() => loadConfig({ CORS_ORIGINS: `https://ok.example.com,${entry}` })).toThrow(
        `CORS_ORIGINS: expected comma-separated origins like https://app.example.com (no path, no trailing slash, no *), got: ${JSON.stringify(entry)}`,
      );
    },
  );

  it('maps SMS_REGION to the Huawei endpoint and normalises SMS_ENDPOINT', () => {
    expect(loadConfig({ SMS_REGION: 'ap-southeast-3' }).smsEndpoint).toBe(
      'https://sms.ap-southeast-3.myhuaweicloud.com',
    );
    expect(loadConfig({ SMS_REGION: 'ru-moscow-1' }).smsEndpoint).toBe(
      'https://sms-api.ru-moscow-1.myhuaweicloud.com',
    );
    expect(loadConfig({ SMS_ENDPOINT: 'https://sms.example.com/' }).smsEndpoint).toBe(
      'https://sms.example.com',
    );
    expect(loadConfig({ SMS_ENDPOINT: 'http://127.0.0.1:8080' }).smsEndpoint).toBe('http://127.0.0.1:8080');
  });

  it('reports every bad value at once, each with the contract and the value received', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        UPSTREAM_TIMEOUT_MS: '0',
        CACHE_MAX_ENTRIES: '-5',
        LOG_LEVEL: 'loud',
        GRAPHIQL: 'maybe',
        SMS_ENDPOINT: 'ftp://sms.example.com',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'PORT: expected an integer from 0 to 65535, got: "eighty"',
      'UPSTREAM_TIMEOUT_MS: expected an integer from 1 to 120000, got: "0"',
      'CACHE_MAX_ENTRIES: expected an integer from 1 to 10000000, got: "-5"',
      'GRAPHIQL: expected true or false, got: "maybe"',
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got: "loud"',
      'SMS_ENDPOINT: expected an http or https URL, got protocol: ftp:',
    ]);
  });

  it.each([
    [
      { SMS_REGION: 'mars-1' },
      'SMS_REGION: expected one of cn-north-4, ap-southeast-3, my-kualalumpur-1, ru-moscow-1, got: "mars-1"',
    ],
    [
      { SMS_REGION: 'cn-north-4', SMS_ENDPOINT: 'https://x.example' },
      'SMS_ENDPOINT and SMS_REGION: expected one of them, got both',
    ],
    [{ SMS_ENDPOINT: 'not a url' }, 'SMS_ENDPOINT: expected an http(s) base URL, got: "not a url"'],
    [
      { SMS_ENDPOINT: 'https://u:p@sms.example.com' },
      'SMS_ENDPOINT: expected no credentials in the URL (the caller token is used)',
    ],
    [
      { SMS_ENDPOINT: 'https://sms.example.com/v3' },
      'SMS_ENDPOINT: expected a base URL without path or query, got: "https://sms.example.com/v3"',
    ],
    [{ PORT: '70000' }, 'PORT: expected an integer from 0 to 65535, got: "70000"'],
  ])('refuses %j', (env, problem) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError([problem]));
  });
});

describe('README', () => {
  it('lists every variable with its default, as src/config.ts defines them', async () => {
    const { readFileSync } = await import('node:fs');
    const { renderConfigTable } = await import('../src/config.js');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table =
      /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme)?.[1] ?? '';
    // Compare cells, not spacing: the formatter pads markdown tables.
    const cells = (markdown: string) =>
      markdown
        .split('\n')
        .filter((line) => !/^\|[\s|-]+\|$/.test(line))
        .map((line) =>
          line
            .split('|')
            .slice(1, -1)
            .map((cell) => cell.trim()),
        );
    expect(cells(table), 'README table is stale: paste renderConfigTable() between the markers').toEqual(
      cells(renderConfigTable()),
    );
  });
});
