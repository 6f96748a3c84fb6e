import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');

/** What the Dockerfile's CMD runs; the test below runs exactly this. */
const START_COMMAND = ['node', 'dist/main.js'] as const;

describe('Dockerfile', () => {
  const lines = read('Dockerfile')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const froms = lines.filter((line) => line.startsWith('FROM '));
  const runtime = lines.slice(lines.lastIndexOf(froms.at(-1) ?? ''));

  it('is multi-stage on a pinned Node 20 base', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms)
      expect(from).toMatch(/^FROM node:20\.\d+(\.\d+)?-[a-z]+(-slim)?(@sha256:[0-9a-f]{64})?( AS \w+)?$/);
  });

  it('installs production dependencies only in the final stage, runs as non-root, exposes the port', () => {
    expect(runtime).toContain('RUN npm ci --omit=dev && npm cache clean --force');
    expect(runtime.filter((line) => line.startsWith('COPY --from=build'))).toEqual([
      'COPY --from=build /app/dist ./dist',
    ]);
    const user = runtime.filter((line) => line.startsWith('USER '));
    expect(user).toEqual(['USER node']);
    expect(runtime).toContain('EXPOSE 4000');
    expect(runtime.find((line) => line.startsWith('ENV '))).toContain('PORT=4000');
  });

  it('checks /health and starts with the command this suite runs', () => {
    const healthcheck = runtime.find((line) => line.startsWith('HEALTHCHECK '));
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*\/health/);
    expect(runtime.at(-1)).toBe(`CMD ${JSON.stringify(START_COMMAND).replaceAll(',', ', ')}`);
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`npm run build && ${START_COMMAND.join(' ')}`);
  });

  it('keeps the build context small and free of local state', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'dist', '.git', 'test']) expect(ignored).toContain(entry);
  });
});

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly records: Record<string, unknown>[];
  readonly stdout: string[];
  readonly exit: Promise<number | null>;
  /** Resolves with the first log record that matches. */
  waitFor(predicate: (record: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

function start(env: Record<string, string>): Running {
  const [command, ...args] = START_COMMAND;
  const child = spawn(command, args, {
    cwd: ROOT,
    // Only what the container sets: no SMS_ENDPOINT from the developer's shell.
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const stdout: string[] = [];
  const records: Record<string, unknown>[] = [];
  const waiters: {
    predicate: (r: Record<string, unknown>) => boolean;
    resolve: (r: Record<string, unknown>) => void;
  }[] = [];
  let buffer = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      stdout.push(line);
      const record = JSON.parse(line) as Record<string, unknown>;
      records.push(record);
      for (const waiter of waiters.filter((w) => w.predicate(record))) waiter.resolve(record);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    records,
    stdout,
    exit,
    waitFor: (predicate) =>
      new Promise((resolve, reject) => {
        const found = records.find(predicate);
        if (found !== undefined) return resolve(found);
        waiters.push({ predicate, resolve });
        exit.then((code) => reject(new Error(`exited with ${code}: ${stdout.join('\n')}`)));
      }),
  };
}

describe(`the container's start command (${START_COMMAND.join(' ')})`, () => {
  let running: Running;
  let base: string;

  beforeAll(async () => {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT });
    running = start({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_MS: '1500',
      NODE_ENV: 'production',
    });
    const listening = await running.waitFor((r) => r.event === 'listening');
    base = new URL(String(listening.url)).origin;
  }, 120_000);

  afterAll(() => {
    if (running.child.exitCode === null) running.child.kill('SIGKILL');
  });

  it('serves health, readiness, queries and metrics, then drains and exits 0 on SIGTERM', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/readiness`)).status).toBe(200);

    const token = 'container-test-TOKEN-5150';
    for (const t of ['demo-token', token]) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': t, 'x-request-id': `req-${t.length}` },
        body: JSON.stringify({ query: 'query Container { sourceOverview { total } }' }),
      });
      expect(response.headers.get('x-request-id')).toBe(`req-${t.length}`);
      const body = (await response.json()) as { data?: { sourceOverview?: { total?: number } } };
      expect(typeof body.data?.sourceOverview?.total).toBe('number');
      if (t === 'demo-token') expect(body.data?.sourceOverview?.total).toBe(24);
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('sms_graph_graphql_requests_total{operation="Container",outcome="ok"} 2');
    expect(metrics).toContain(
      'sms_graph_upstream_requests_total{status="200",error_code="none",outcome="OK"} 2',
    );
    expect(metrics).toContain('process_resident_memory_bytes');

    running.child.kill('SIGTERM');
    await running.waitFor((r) => r.event === 'shutdown');
    // Draining: not ready any more, still alive and serving.
    const readiness = await fetch(`${base}/readiness`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toEqual({
      ready: false,
      status: 'shutting_down',
      reason: 'the gateway is shutting down',
    });
    expect((await fetch(`${base}/health`, { headers: { connection: 'close' } })).status).toBe(200);
    expect(await running.exit).toBe(0);
    expect(running.records.at(-1)).toMatchObject({ event: 'stopped' });

    const access = running.records.filter((r) => r.event === 'request' && r.path === '/graphql');
    expect(access.map((r) => [r.requestId, r.operation, r.status])).toEqual([
      ['req-10', 'Container', 200],
      [`req-${token.length}`, 'Container', 200],
    ]);
    for (const line of running.stdout) expect(line).not.toContain(token);
  }, 60_000);
});
