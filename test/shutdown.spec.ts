import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSmsSimulator, type SmsSimulator, tokenOverview } from '../src/simulator/simulator.js';

/** The real entry (`node --import tsx src/main.ts`) against a scripted simulator. */
interface Running {
  readonly child: ChildProcess;
  readonly url: URL;
  readonly records: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let sim: SmsSimulator | undefined;
let running: Running | undefined;
afterEach(async () => {
  if (running?.child.exitCode === null) running.child.kill('SIGKILL');
  running = undefined;
  await sim?.close();
  sim = undefined;
});

async function startMain(env: Record<string, string>): Promise<Running> {
  sim = await createSmsSimulator();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SMS_ENDPOINT: sim.url, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const records: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines)
      if (line.trim() !== '') records.push(JSON.parse(line) as Record<string, unknown>);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const listening = await vi.waitFor(
    () => {
      const record = records.find((r) => r.event === 'listening');
      if (record === undefined) throw new Error('not listening yet');
      return record;
    },
    { timeout: 20_000, interval: 50 },
  );
  running = { child, url: new URL(String(listening.url)), records, exited };
  return running;
}

function ask(url: URL, token: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token, connection: 'close' },
    body: JSON.stringify({ query: '{ sourceOverview { total } }' }),
  });
}

/** `ECONNREFUSED` once the gateway stopped listening, `connected` while it listens. */
function tryConnect(url: URL): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

const events = (records: Record<string, unknown>[]) =>
  records.map((r) => r.event).filter((e) => e === 'shutdown' || e === 'shutdown_forced' || e === 'stopped');

describe('graceful shutdown of the real entry', () => {
  it('on SIGTERM refuses new connections, finishes the in-flight request, exits 0', async () => {
    const { child, url, records, exited } = await startMain({ SHUTDOWN_DEADLINE_MS: '10000' });
    const token = 'slow-token';
    sim?.script(token, { body: tokenOverview(token), delayMs: 1000 });
    expect(await tryConnect(url)).toBe('connected');
    const inflight = ask(url, token);
    await vi.waitFor(() => expect(sim?.calls).toHaveLength(1), { timeout: 5000, interval: 10 });
    const signalledAt = performance.now();
    child.kill('SIGTERM');
    await vi.waitFor(() => expect(events(records)).toContain('shutdown'), { timeout: 5000, interval: 10 });
    expect(await tryConnect(url)).toBe('ECONNREFUSED');
    const response = await inflight;
    expect(response.status).toBe(200);
    const total = Object.values(tokenOverview(token)).reduce((a, b) => a + b, 0);
    expect(await response.json()).toEqual({ data: { sourceOverview: { total } } });
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalledAt).toBeLessThan(10_000);
    expect(events(records)).toEqual(['shutdown', 'stopped']);
  }, 40_000);

  it('cuts requests still running at SHUTDOWN_DEADLINE_MS, then exits 0', async () => {
    const { child, url, records, exited } = await startMain({
      SHUTDOWN_DEADLINE_MS: '300',
      UPSTREAM_TIMEOUT_MS: '60000',
    });
    sim?.setFault({ fault: 'hang' });
    const inflight = ask(url, 'hung-token').then(
      (r) => `HTTP ${r.status}`,
      () => 'connection cut',
    );
    await vi.waitFor(() => expect(sim?.calls).toHaveLength(1), { timeout: 5000, interval: 10 });
    const signalledAt = performance.now();
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    const elapsed = performance.now() - signalledAt;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(5000);
    expect(await inflight).toBe('connection cut');
    expect(events(records)).toEqual(['shutdown', 'shutdown_forced', 'stopped']);
  }, 40_000);
});
