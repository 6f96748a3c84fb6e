/**
 * The benchmark: sms-graph against a bare node:http ceiling and its peers, side by side in one
 * run, on loopback, against one shared upstream that counts calls per token.
 *
 *     npm run bench               # the full run (5 interleaved rounds, < 10 minutes on 2 cores)
 *     npm run bench -- --quick    # 2 short rounds, for iteration (~2 minutes)
 *
 * Every contender runs in its own child process (so RSS and CPU are its own), started one
 * after another; with `taskset`, contenders run on one core and the load generator and the
 * upstream on another. The table of ratios is printed and written to bench/results/latest.md.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { MemoryResult } from './memory.js';
import { REQUEST_BODY } from './shared.js';
import type { UpstreamMessage, UpstreamStats } from './upstream.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const quick = process.argv.includes('--quick');
/** `--hit-only`: just the cache-hit and equal-load rounds (for profiling iterations). */
const hitOnly = process.argv.includes('--hit-only');

// The equal-load window is the longest: its p99 over 5 s is ~27,000 samples at this machine's
// rate; over 2 s one GC pause in either contender was enough to move it several-fold.
const SETTINGS = quick
  ? { rounds: 2, warmupS: 1, measureS: 3, equalS: 3, steadyRounds: 1, steadyS: 3, burstRounds: 1 }
  : { rounds: 5, warmupS: 2, measureS: 3, equalS: 5, steadyRounds: 2, steadyS: 3, burstRounds: 1 };
/** Concurrent connections of the throughput runs. */
const CONNECTIONS = 50;
/** Connections of the equal-load runs (fixed request rate). */
const EQUAL_CONNECTIONS = 16;
/** The equal load, as a share of sms-graph's cache-hit throughput measured at start. */
const EQUAL_LOAD_SHARE = 0.5;
const STEADY_TOKENS = 10_000;
const BURST_REQUESTS = 1000;
/** Upstream latency during cold bursts, so that the whole burst arrives while the first call is out. */
const BURST_UPSTREAM_DELAY_MS = 200;
const MEMORY_ENTRIES = 100_000;
const HIT_TOKEN = 'bench-hit-token-0001';
const VALIDATION_TOKEN = 'bench-validation-token';

// ---------------------------------------------------------------------------------------------
// Cores: contenders on SERVER_CORE; this process (the load generator) and the upstream on the other.

const SERVER_CORE = '0';
const CLIENT_CORE = '1';
const canPin = cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

function command(core: string, args: string[]): [string, string[]] {
  return canPin ? ['taskset', ['-c', core, process.execPath, ...args]] : [process.execPath, args];
}

// ---------------------------------------------------------------------------------------------
// The shared upstream

interface Upstream {
  readonly url: string;
  send(message: UpstreamMessage): Promise<UpstreamStats | undefined>;
  close(): void;
}

async function startUpstream(): Promise<Upstream> {
  const [cmd, args] = command(CLIENT_CORE, ['--import', 'tsx', `${ROOT}bench/upstream.ts`]);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  type Reply = { type: 'listening'; url: string } | { type: 'ok' } | { type: 'stats'; stats: UpstreamStats };
  const replies: ((reply: Reply) => void)[] = [];
  child.on('message', (reply: Reply) => replies.shift()?.(reply));
  const next = (): Promise<Reply> => new Promise((resolve) => replies.push(resolve));
  const listening = await next();
  if (listening.type !== 'listening')
    throw new Error(`expected the upstream to listen, got: ${listening.type}`);
  return {
    url: listening.url,
    async send(message) {
      const reply = next();
      child.send(message);
      const answer = await reply;
      return answer.type === 'stats' ? answer.stats : undefined;
    },
    close: () => child.kill(),
  };
}

// ---------------------------------------------------------------------------------------------
// Contenders

type ContenderId =
  | 'bare'
  | 'sms-graph'
  | 'sms-graph-miss'
  | 'apollo-same-job'
  | 'apollo-default'
  | 'yoga-naive';

interface ContenderSpec {
  readonly label: string;
  readonly script: string;
  readonly env: Readonly<Record<string, string>>;
}

const CONTENDERS: Record<ContenderId, ContenderSpec> = {
  bare: { label: 'bare node:http (fixed JSON)', script: 'bench/contenders/bare.ts', env: {} },
  'sms-graph': { label: 'sms-graph', script: 'src/main.ts', env: {} },
  'sms-graph-miss': {
    label: 'sms-graph, cache off',
    script: 'src/main.ts',
    env: { CACHE_TTL_MS: '0', CACHE_STALE_MS: '0' },
  },
  'apollo-same-job': {
    label: 'Apollo 5 + RESTDataSource, same job (TTL, token in cacheKeyFor)',
    script: 'bench/contenders/apollo.ts',
    env: { BENCH_APOLLO_MODE: 'same-job' },
  },
  'apollo-default': {
    label: 'Apollo 5 + RESTDataSource, defaults',
    script: 'bench/contenders/apollo.ts',
    env: { BENCH_APOLLO_MODE: 'default' },
  },
  'yoga-naive': {
    label: 'graphql-yoga, naive fetch resolver',
    script: 'bench/contenders/yoga-naive.ts',
    env: {},
  },
};

interface Running {
  readonly url: string;
  readonly pid: number;
  /** The exact body the contender answered for the validation request. */
  readonly answer: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function post(url: string, token: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    body: REQUEST_BODY,
  });
  return { status: response.status, body: await response.text() };
}

async function startContender(
  id: ContenderId,
  upstream: Upstream,
  extraEnv: Record<string, string> = {},
): Promise<Running> {
  const spec = CONTENDERS[id];
  const port = await freePort();
  const [cmd, args] = command(SERVER_CORE, ['--import', 'tsx', `${ROOT}${spec.script}`]);
  const child: ChildProcess = spawn(cmd, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      SMS_ENDPOINT: upstream.url,
      LOG_LEVEL: 'info',
      ...spec.env,
      ...extraEnv,
    },
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${spec.label} did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = `http://127.0.0.1:${port}/graphql`;
  const validation = await post(url, VALIDATION_TOKEN);
  if (validation.status !== 200 || !sameJson(validation.body, expectedAnswer)) {
    child.kill('SIGKILL');
    throw new Error(
      `${spec.label} answered HTTP ${validation.status} ${validation.body}, expected: ${expectedAnswer}`,
    );
  }
  return {
    url,
    pid: child.pid ?? 0,
    answer: validation.body,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}

function sameJson(body: string, expected: string): boolean {
  try {
    return JSON.stringify(JSON.parse(body)) === expected;
  } catch {
    return false;
  }
}

/** CPU time (ms) a process has used so far. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

/** Peak resident set size (MiB) of a process. */
function peakRssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+)/.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

// ---------------------------------------------------------------------------------------------
// Load

interface LoadOptions {
  readonly connections: number;
  readonly durationS?: number;
  readonly amount?: number;
  /** Requests per second for all connections together (equal load); unset: as fast as possible. */
  readonly rate?: number;
  /** Tokens used in turn, one per request. */
  readonly tokens: readonly string[];
}

interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** non-2xx + socket errors + timeouts + GraphQL errors + answers that differ from the expected one. */
  readonly failures: number;
  readonly failureDetail: string;
}

let expectedAnswer = '';

async function load(running: Running, options: LoadOptions): Promise<LoadResult> {
  const { tokens } = options;
  let graphqlErrors = 0;
  let wrongAnswers = 0;
  let next = 0;
  const headers = { 'content-type': 'application/json', 'x-auth-token': tokens[0] ?? '' };
  const result = await autocannon({
    url: running.url,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationS ?? 1 }),
    ...(options.rate !== undefined ? { overallRate: options.rate } : {}),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        headers,
        body: REQUEST_BODY,
        ...(tokens.length > 1
          ? {
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                headers: { ...headers, 'x-auth-token': tokens[next++ % tokens.length] ?? '' },
              }),
            }
          : {}),
        onResponse: (_status: number, body: string) => {
          if (body.includes('"errors"')) graphqlErrors++;
          else if (body !== running.answer) wrongAnswers++;
        },
      },
    ],
  });
  const requests = result.requests.total;
  const failures = result.non2xx + result.errors + result.timeouts + graphqlErrors + wrongAnswers;
  return {
    requests,
    rps: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures,
    failureDetail: `non-2xx ${result.non2xx}, socket errors ${result.errors}, timeouts ${result.timeouts}, GraphQL errors ${graphqlErrors}, wrong answers ${wrongAnswers}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Samples and statistics

interface Sample {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly callsPerRequest: number;
  readonly rssMiB: number;
  readonly cpuMsPer1k: number;
  readonly failures: number;
  readonly failureDetail: string;
}

type ScenarioId = 'hit' | 'equal' | 'miss' | 'steady';
const samples = new Map<string, Sample[]>();
const key = (scenario: ScenarioId, id: ContenderId): string => `${scenario}/${id}`;

function record(scenario: ScenarioId, id: ContenderId, sample: Sample): void {
  const list = samples.get(key(scenario, id)) ?? [];
  list.push(sample);
  samples.set(key(scenario, id), list);
  const status = sample.failures > 0 ? `  INVALID (${sample.failureDetail})` : '';
  process.stderr.write(
    `  ${scenario.padEnd(6)} ${id.padEnd(16)} ${fmt(sample.rps, 0).padStart(7)} req/s  p50 ${fmt(sample.p50, 1)} ms  p99 ${fmt(sample.p99, 1)} ms  ${fmt(sample.callsPerRequest, 4)} calls/req  ${fmt(sample.rssMiB, 0)} MiB${status}\n`,
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function stat(scenario: ScenarioId, id: ContenderId, field: keyof Omit<Sample, 'failureDetail'>) {
  const values = (samples.get(key(scenario, id)) ?? []).map((s) => s[field]);
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

function fmt(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

async function measure(
  scenario: ScenarioId,
  id: ContenderId,
  running: Running,
  upstream: Upstream,
  options: LoadOptions,
): Promise<void> {
  await upstream.send({ type: 'reset' });
  const cpuBefore = cpuMs(running.pid);
  const result = await load(running, options);
  const cpu = cpuMs(running.pid) - cpuBefore;
  const stats = await upstream.send({ type: 'stats' });
  record(scenario, id, {
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    callsPerRequest: (stats?.calls ?? 0) / Math.max(1, result.requests),
    rssMiB: peakRssMiB(running.pid),
    cpuMsPer1k: (cpu / Math.max(1, result.requests)) * 1000,
    failures: result.failures,
    failureDetail: result.failureDetail,
  });
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const rotatingTokens = (n: number, prefix: string): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i.toString().padStart(6, '0')}`);

/** Cache-hit throughput (one token) and, for some, latency at an equal fixed load. */
async function hitSession(id: ContenderId, upstream: Upstream, equalRate: number | undefined): Promise<void> {
  const running = await startContender(id, upstream);
  try {
    const tokens = [HIT_TOKEN];
    await load(running, { connections: CONNECTIONS, durationS: SETTINGS.warmupS, tokens });
    await measure('hit', id, running, upstream, {
      connections: CONNECTIONS,
      durationS: SETTINGS.measureS,
      tokens,
    });
    if (equalRate !== undefined) {
      await measure('equal', id, running, upstream, {
        connections: EQUAL_CONNECTIONS,
        durationS: SETTINGS.equalS,
        rate: equalRate,
        tokens,
      });
    }
    if (!hitOnly && (id === 'apollo-default' || id === 'yoga-naive'))
      await missMeasure(id, running, upstream);
  } finally {
    await running.stop();
  }
}

/** The miss path: every request a token not seen for 10,000 requests, so every one goes upstream. */
async function missMeasure(id: ContenderId, running: Running, upstream: Upstream): Promise<void> {
  const tokens = rotatingTokens(STEADY_TOKENS, `bench-miss-${id}`);
  await load(running, { connections: CONNECTIONS, durationS: SETTINGS.warmupS, tokens });
  await measure('miss', id, running, upstream, {
    connections: CONNECTIONS,
    durationS: SETTINGS.measureS,
    tokens,
  });
}

/** Steady load over 10,000 distinct tokens, after one pass has filled the cache (TTL 60 s for both). */
async function steadySession(id: ContenderId, upstream: Upstream, round: number): Promise<void> {
  const running = await startContender(id, upstream, { CACHE_TTL_MS: '60000' });
  try {
    const tokens = rotatingTokens(STEADY_TOKENS, `bench-steady-${round}`);
    await load(running, { connections: CONNECTIONS, amount: STEADY_TOKENS, tokens });
    await measure('steady', id, running, upstream, {
      connections: CONNECTIONS,
      durationS: SETTINGS.steadyS,
      tokens,
    });
  } finally {
    await running.stop();
  }
}

interface BurstResult {
  readonly tokens: number;
  readonly requests: number;
  readonly calls: number;
  readonly distinctTokens: number;
  readonly maxCallsPerToken: number;
  readonly failures: number;
}

const bursts = new Map<ContenderId, BurstResult[]>();

/** 1,000 concurrent requests on a cold process: with 1 token, then with 100 tokens. */
async function burstSession(id: ContenderId, upstream: Upstream, round: number): Promise<void> {
  const running = await startContender(id, upstream);
  await upstream.send({ type: 'delay', ms: BURST_UPSTREAM_DELAY_MS });
  try {
    for (const n of [1, 100]) {
      await upstream.send({ type: 'reset' });
      const tokens = rotatingTokens(n, `bench-burst-${round}-${n}`);
      const result = await load(running, { connections: BURST_REQUESTS, amount: BURST_REQUESTS, tokens });
      const stats = await upstream.send({ type: 'stats' });
      const burst: BurstResult = {
        tokens: n,
        requests: result.requests,
        calls: stats?.calls ?? 0,
        distinctTokens: stats?.distinctTokens ?? 0,
        maxCallsPerToken: stats?.maxCallsPerToken ?? 0,
        failures: result.failures,
      };
      bursts.set(id, [...(bursts.get(id) ?? []), burst]);
      process.stderr.write(
        `  burst  ${id.padEnd(16)} ${n} token(s): ${burst.requests} requests, ${burst.calls} upstream calls (max ${burst.maxCallsPerToken}/token)${burst.failures > 0 ? `  INVALID (${result.failureDetail})` : ''}\n`,
      );
    }
  } finally {
    await upstream.send({ type: 'delay', ms: 0 });
    await running.stop();
  }
}

function runMemory(): MemoryResult {
  const [cmd, args] = command(SERVER_CORE, [
    '--expose-gc',
    '--import',
    'tsx',
    `${ROOT}bench/memory.ts`,
    String(MEMORY_ENTRIES),
  ]);
  const out = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`bench/memory.ts failed:\n${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as MemoryResult;
}

// ---------------------------------------------------------------------------------------------

function rotate<T>(list: readonly T[], by: number): T[] {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg()[0] ?? 0;
  const { EXPECTED_ANSWER } = await import('./shared.js');
  expectedAnswer = JSON.stringify(EXPECTED_ANSWER);
  const upstream = await startUpstream();
  process.stderr.write(
    `sms-graph bench${quick ? ' --quick' : ''}: ${SETTINGS.rounds} rounds, ${canPin ? `contenders on core ${SERVER_CORE}, load generator + upstream on core ${CLIENT_CORE}` : 'no taskset: unpinned'}\n`,
  );
  try {
    // Calibrate the equal load: a share of sms-graph's cache-hit throughput.
    const calibration = await startContender('sms-graph', upstream);
    let equalRate: number;
    try {
      const tokens = [HIT_TOKEN];
      await load(calibration, { connections: CONNECTIONS, durationS: SETTINGS.warmupS, tokens });
      const probe = await load(calibration, {
        connections: CONNECTIONS,
        durationS: SETTINGS.warmupS,
        tokens,
      });
      equalRate = Math.max(100, Math.round((probe.rps * EQUAL_LOAD_SHARE) / 100) * 100);
    } finally {
      await calibration.stop();
    }
    process.stderr.write(`equal load: ${equalRate} req/s\n`);

    const hitIds: ContenderId[] = ['bare', 'sms-graph', 'apollo-same-job', 'apollo-default', 'yoga-naive'];
    const equalIds = new Set<ContenderId>(['bare', 'sms-graph', 'apollo-same-job']);
    for (let round = 0; round < SETTINGS.rounds; round++) {
      process.stderr.write(`round ${round + 1}/${SETTINGS.rounds}\n`);
      const sessions: (() => Promise<void>)[] = hitIds.map(
        (id) => () => hitSession(id, upstream, equalIds.has(id) ? equalRate : undefined),
      );
      if (!hitOnly) {
        sessions.push(async () => {
          const running = await startContender('sms-graph-miss', upstream);
          try {
            await missMeasure('sms-graph-miss', running, upstream);
          } finally {
            await running.stop();
          }
        });
      }
      if (!hitOnly && round < SETTINGS.steadyRounds) {
        sessions.push(
          () => steadySession('sms-graph', upstream, round),
          () => steadySession('apollo-same-job', upstream, round),
        );
      }
      if (!hitOnly && round < SETTINGS.burstRounds) {
        for (const id of ['sms-graph', 'apollo-same-job', 'apollo-default', 'yoga-naive'] as const) {
          sessions.push(() => burstSession(id, upstream, round));
        }
      }
      for (const session of rotate(sessions, round)) await session();
    }
    process.stderr.write('memory per cached entry…\n');
    const memory = hitOnly
      ? { entries: 0, bytesPerEntrySameBody: Number.NaN, bytesPerEntryDistinctBodies: Number.NaN }
      : runMemory();
    const report = renderReport({
      equalRate,
      memory,
      seconds: (Date.now() - started) / 1000,
      loadBefore,
      loadAfter: loadavg()[0] ?? 0,
    });
    process.stdout.write(`\n${report}\n`);
    if (!quick && !hitOnly) writeFileSync(`${ROOT}bench/results/latest.md`, `${report}\n`);
    else writeFileSync(`${ROOT}bench/results/quick.md`, `${report}\n`);
  } finally {
    upstream.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

interface ReportInput {
  readonly equalRate: number;
  readonly memory: MemoryResult;
  readonly seconds: number;
  readonly loadBefore: number;
  readonly loadAfter: number;
}

function valid(scenario: ScenarioId, id: ContenderId): boolean {
  const list = samples.get(key(scenario, id)) ?? [];
  return list.length > 0 && list.every((s) => s.failures === 0);
}

function renderReport(input: ReportInput): string {
  const rps = (s: ScenarioId, id: ContenderId) => stat(s, id, 'rps').median;
  const ratio = (a: number, b: number) => a / b;
  const spread = (
    s: ScenarioId,
    id: ContenderId,
    field: keyof Omit<Sample, 'failureDetail'>,
    digits: number,
  ) => {
    const v = stat(s, id, field);
    return `${fmt(v.median, digits)} (${fmt(v.min, digits)}–${fmt(v.max, digits)})`;
  };
  const bar = (ok: boolean, ...deps: [ScenarioId, ContenderId][]) =>
    deps.some(([s, id]) => !valid(s, id)) ? 'INVALID (errors)' : ok ? 'met' : 'NOT met';

  const hitVsBare = ratio(rps('hit', 'sms-graph'), rps('hit', 'bare'));
  const hitVsApollo = ratio(rps('hit', 'sms-graph'), rps('hit', 'apollo-same-job'));
  const p99VsBare = ratio(stat('equal', 'sms-graph', 'p99').median, stat('equal', 'bare', 'p99').median);
  const missVsNaive = ratio(rps('miss', 'sms-graph-miss'), rps('miss', 'yoga-naive'));
  const steadyCalls = stat('steady', 'sms-graph', 'callsPerRequest').median;
  const ourBursts = bursts.get('sms-graph') ?? [];
  const burstExact =
    ourBursts.length > 0 &&
    ourBursts.every((b) => b.calls === b.tokens && b.maxCallsPerToken === 1 && b.failures === 0);
  const perEntry = Math.max(input.memory.bytesPerEntrySameBody, input.memory.bytesPerEntryDistinctBodies);

  const lines: string[] = [];
  lines.push('# sms-graph benchmark');
  lines.push('');
  lines.push(
    `${new Date().toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ` +
      `${canPin ? 'taskset: contenders on one core, load generator + upstream on the other' : 'unpinned'} · ` +
      `${SETTINGS.rounds} interleaved rounds${quick ? ' (--quick)' : ''} · ${fmt(input.seconds, 0)} s · ` +
      `load average ${fmt(input.loadBefore, 2)} → ${fmt(input.loadAfter, 2)}`,
  );
  lines.push('');
  lines.push("Absolute numbers are this machine's; the ratios, measured in the same run, are what compare.");
  lines.push('');
  lines.push('## The bar');
  lines.push('');
  lines.push('| Bar | Measured | Target | Status |');
  lines.push('| --- | --- | --- | --- |');
  lines.push(
    `| Cache-hit throughput vs Apollo + RESTDataSource (same job) | ${fmt(hitVsApollo, 2)}× | ≥ 1.5× | ${bar(hitVsApollo >= 1.5, ['hit', 'sms-graph'], ['hit', 'apollo-same-job'])} |`,
  );
  lines.push(
    `| Cache-hit throughput vs bare node:http | ${fmt(hitVsBare, 2)}× | ≥ 0.25× | ${bar(hitVsBare >= 0.25, ['hit', 'sms-graph'], ['hit', 'bare'])} |`,
  );
  lines.push(
    `| p99 at equal load (${input.equalRate} req/s) vs bare | ${fmt(p99VsBare, 2)}× (${fmt(stat('equal', 'sms-graph', 'p99').median, 1)} vs ${fmt(stat('equal', 'bare', 'p99').median, 1)} ms) | ≤ 2× | ${bar(p99VsBare <= 2, ['equal', 'sms-graph'], ['equal', 'bare'])} |`,
  );
  lines.push(
    `| Upstream calls per distinct token, cold burst of ${BURST_REQUESTS} | ${ourBursts.map((b) => `${b.calls}/${b.tokens}`).join(', ')} | exactly 1 | ${burstExact ? 'met' : 'NOT met'} |`,
  );
  lines.push(
    `| Upstream calls per request, steady ${STEADY_TOKENS} tokens within the TTL | ${fmt(steadyCalls, 4)} | ≤ 0.01 | ${bar(steadyCalls <= 0.01, ['steady', 'sms-graph'])} |`,
  );
  lines.push(
    `| Heap per cached entry (${input.memory.entries} tokens) | ${perEntry} B (same body ${input.memory.bytesPerEntrySameBody} B, distinct bodies ${input.memory.bytesPerEntryDistinctBodies} B) | ≤ 1024 B | ${perEntry <= 1024 ? 'met' : 'NOT met'} |`,
  );
  lines.push(
    `| Miss path (cache off) vs naive global-fetch resolver | ${fmt(missVsNaive, 2)}× | ≥ 1.5× | ${bar(missVsNaive >= 1.5, ['miss', 'sms-graph-miss'], ['miss', 'yoga-naive'])} |`,
  );
  lines.push('');
  lines.push('## Ratios (median req/s over the rounds)');
  lines.push('');
  lines.push('| Scenario | Contender | vs bare | vs Apollo + RESTDataSource (same job) |');
  lines.push('| --- | --- | --- | --- |');
  for (const id of ['bare', 'sms-graph', 'apollo-same-job', 'apollo-default', 'yoga-naive'] as const) {
    lines.push(
      `| cache hit, 1 token | ${CONTENDERS[id].label} | ${fmt(ratio(rps('hit', id), rps('hit', 'bare')), 2)}× | ${fmt(ratio(rps('hit', id), rps('hit', 'apollo-same-job')), 2)}× |`,
    );
  }
  for (const id of ['sms-graph-miss', 'apollo-default', 'yoga-naive'] as const) {
    lines.push(
      `| miss path, ${STEADY_TOKENS} tokens | ${CONTENDERS[id].label} | ${fmt(ratio(rps('miss', id), rps('hit', 'bare')), 2)}× | ${fmt(ratio(rps('miss', id), rps('hit', 'apollo-same-job')), 2)}× |`,
    );
  }
  for (const id of ['sms-graph', 'apollo-same-job'] as const) {
    lines.push(
      `| steady, ${STEADY_TOKENS} tokens cached | ${CONTENDERS[id].label} | ${fmt(ratio(rps('steady', id), rps('hit', 'bare')), 2)}× | ${fmt(ratio(rps('steady', id), rps('steady', 'apollo-same-job')), 2)}× |`,
    );
  }
  lines.push('');
  lines.push('## Measurements (median, min–max over the rounds)');
  lines.push('');
  lines.push(
    '| Scenario | Contender | rounds | req/s | p50 ms | p99 ms | upstream calls/request | peak RSS MiB | CPU ms / 1k req | errors |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const rows: [ScenarioId, ContenderId][] = [
    ['hit', 'bare'],
    ['hit', 'sms-graph'],
    ['hit', 'apollo-same-job'],
    ['hit', 'apollo-default'],
    ['hit', 'yoga-naive'],
    ['equal', 'bare'],
    ['equal', 'sms-graph'],
    ['equal', 'apollo-same-job'],
    ['miss', 'sms-graph-miss'],
    ['miss', 'apollo-default'],
    ['miss', 'yoga-naive'],
    ['steady', 'sms-graph'],
    ['steady', 'apollo-same-job'],
  ];
  const scenarioLabel: Record<ScenarioId, string> = {
    hit: 'cache hit, 1 token, max rate',
    equal: `equal load ${input.equalRate} req/s`,
    miss: `miss path, ${STEADY_TOKENS} tokens`,
    steady: `steady, ${STEADY_TOKENS} tokens, TTL 60 s`,
  };
  for (const [s, id] of rows) {
    const list = samples.get(key(s, id)) ?? [];
    const failures = list.reduce((n, x) => n + x.failures, 0);
    lines.push(
      `| ${scenarioLabel[s]} | ${CONTENDERS[id].label} | ${list.length} | ${spread(s, id, 'rps', 0)} | ${spread(s, id, 'p50', 1)} | ${spread(s, id, 'p99', 1)} | ${fmt(stat(s, id, 'callsPerRequest').median, 4)} | ${fmt(stat(s, id, 'rssMiB').median, 0)} | ${fmt(stat(s, id, 'cpuMsPer1k').median, 0)} | ${failures === 0 ? '0' : `${failures} INVALID`} |`,
    );
  }
  lines.push('');
  lines.push(
    `## Cold bursts (${BURST_REQUESTS} concurrent requests on a fresh process, upstream latency ${BURST_UPSTREAM_DELAY_MS} ms)`,
  );
  lines.push('');
  lines.push('| Contender | tokens | requests | upstream calls | max calls for one token | errors |');
  lines.push('| --- | --- | --- | --- | --- | --- |');
  for (const [id, list] of bursts) {
    for (const b of list) {
      lines.push(
        `| ${CONTENDERS[id].label} | ${b.tokens} | ${b.requests} | ${b.calls} | ${b.maxCallsPerToken} | ${b.failures} |`,
      );
    }
  }
  lines.push('');
  lines.push(
    `Rerun: \`npm ci && npm run bench\` (or \`npm run bench -- --quick\`). Scenarios: cache hit = one token, ${CONNECTIONS} connections, ` +
      `${SETTINGS.warmupS} s warm-up then ${SETTINGS.measureS} s; equal load = a fixed rate of ${EQUAL_LOAD_SHARE * 100}% of sms-graph's cache-hit ` +
      `throughput, ${EQUAL_CONNECTIONS} connections, ${SETTINGS.equalS} s; miss path = ${STEADY_TOKENS} tokens in turn, so every request goes upstream ` +
      `(sms-graph with CACHE_TTL_MS=0 CACHE_STALE_MS=0); steady = one pass over ${STEADY_TOKENS} tokens fills the cache, then ` +
      `${SETTINGS.steadyS} s over the same tokens (TTL 60 s for sms-graph and Apollo, so the window is within it). ` +
      'A run with any non-2xx, socket error, timeout, GraphQL error or wrong answer is marked INVALID.',
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Declarations above; run last so that every module-level binding exists.

if (canPin && process.env.BENCH_PINNED !== '1') {
  const child = spawn(
    'taskset',
    [
      '-c',
      CLIENT_CORE,
      process.execPath,
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } },
  );
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  await main();
}
