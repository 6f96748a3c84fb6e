// npm run faults: a guided tour of what the gateway answers to a broken upstream and to a hostile
// client, over real HTTP on loopback, against the embedded simulator scripted fault by fault.
// It prints one Markdown table (fault, HTTP status, extensions.code or error message, upstream
// calls) and checks that no token reached any log line or answer. The tests assert each of these
// exactly; this is the readable list of them, for an operator or a closing note.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../src/logger.js';
import { createGatewayListener } from '../src/server.js';
import { createSmsSimulator, type SimulatorAnswer } from '../src/simulator/simulator.js';
import { createCachedClient } from '../src/upstream/cached-client.js';
import { createHttpSmsClient } from '../src/upstream/http-client.js';

const TIMEOUT_MS = 800;
const QUERY = '{ sourceOverview { total needsAttention } }';

const logLines: string[] = [];
const logger = createLogger(
  'debug',
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  }),
);
const sim = await createSmsSimulator();
const client = createHttpSmsClient({
  endpoint: sim.url,
  timeoutMs: TIMEOUT_MS,
  logger,
  breakerFailureThreshold: 3,
  breakerCooldownMs: 60_000,
});
// TTL 0: every row below goes upstream, so each shows the fault, not a cached answer.
const source = createCachedClient({ client, endpoint: sim.url, ttlMs: 0, staleMs: 0, logger });
const { listener } = createGatewayListener({ source, logger });
// As main.ts serves it: room for a 16384-character token in the headers.
const server = createServer({ maxHeaderSize: 64 * 1024 }, listener);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const gateway = {
  url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  close: () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
};

const tokens: string[] = [];
let tokenSeq = 0;
/** A fresh token per row, so one row's throttling or breaker state is visible only where meant. */
function newToken(): string {
  tokenSeq++;
  const token = `tour-token-${tokenSeq}-${'x'.repeat(24)}`;
  tokens.push(token);
  return token;
}

interface Row {
  readonly fault: string;
  readonly status: number;
  readonly answer: string;
  readonly upstreamCalls: number;
  readonly ms: number;
}
const rows: Row[] = [];

async function send(init: RequestInit & { path?: string }): Promise<{ status: number; answer: string }> {
  const response = await fetch(`${gateway.url}${init.path ?? '/graphql'}`, init);
  const text = await response.text();
  let answer: string;
  try {
    const body = JSON.parse(text) as {
      data?: { sourceOverview?: unknown };
      errors?: { message: string; extensions?: { code?: string; retryAfterSeconds?: number } }[];
    };
    const error = body.errors?.[0];
    if (error === undefined) answer = `data ${JSON.stringify(body.data?.sourceOverview)}`;
    else {
      const code = error.extensions?.code;
      const retry = error.extensions?.retryAfterSeconds;
      answer = `${code ?? '(no code)'}${retry !== undefined ? ` retryAfterSeconds=${retry}` : ''}: ${error.message}`;
    }
  } catch {
    answer = `(not JSON, ${text.length} bytes)`;
  }
  return { status: response.status, answer: answer.slice(0, 140) };
}

async function row(fault: string, run: () => Promise<{ status: number; answer: string }>): Promise<void> {
  const before = sim.calls.length;
  const started = performance.now();
  const { status, answer } = await run();
  rows.push({
    fault,
    status,
    answer,
    upstreamCalls: sim.calls.length - before,
    ms: Math.round(performance.now() - started),
  });
}

function queryWith(token: string | undefined, document = QUERY): RequestInit {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers['x-auth-token'] = token;
  return { method: 'POST', headers, body: JSON.stringify({ query: document }) };
}

async function upstreamFault(fault: string, ...answers: SimulatorAnswer[]): Promise<void> {
  const token = newToken();
  sim.script(token, ...answers);
  await row(fault, () => send(queryWith(token)));
}

const SEED_BODY = { waiting: 0, finished: 6, error: 3 };

// Upstream faults
await upstreamFault('upstream answers the seed-like 200', { status: 200, body: SEED_BODY });
await upstreamFault('403 envelope (SMS.9004)', {
  status: 403,
  body: { error_code: 'SMS.9004', error_msg: 'The current account does not have the permission.' },
});
await upstreamFault('401 APIGW.0301', {
  status: 401,
  body: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information.' },
});
await upstreamFault('429 with Retry-After: 7', { status: 429, headers: { 'retry-after': '7' }, body: {} });
await upstreamFault('500 with an HTML error page', {
  status: 500,
  headers: { 'content-type': 'text/html' },
  body: '<html><body><pre>java.lang.NullPointerException at com.huawei...</pre></body></html>',
});
await upstreamFault(
  '503, 503, then 200 (retried twice)',
  { status: 503, body: {} },
  { status: 503, body: {} },
  { status: 200, body: SEED_BODY },
);
await upstreamFault(
  'connection reset three times',
  { fault: 'reset' },
  { fault: 'reset' },
  { fault: 'reset' },
);
await upstreamFault(`hung upstream (budget ${TIMEOUT_MS} ms)`, { fault: 'hang' });
await upstreamFault('200 with an empty body', { status: 200, body: '' });
await upstreamFault('200 with truncated JSON', { status: 200, body: '{"waiting": 1, "finis' });
await upstreamFault('200 with text/html content', {
  status: 200,
  headers: { 'content-type': 'text/html' },
  body: '<html>maintenance</html>',
});
await upstreamFault('200 with a JSON array', { status: 200, body: [1, 2, 3] });
await upstreamFault('count negative', { status: 200, body: { waiting: -1 } });
await upstreamFault('count fractional', { status: 200, body: { waiting: 1.5 } });
await upstreamFault('count a string', { status: 200, body: { waiting: '3' } });
await upstreamFault('count beyond Int', { status: 200, body: { waiting: 2 ** 31 } });
await upstreamFault('2 MiB body', {
  status: 200,
  body: { waiting: 1, padding: 'x'.repeat(2 * 1024 * 1024) },
});
// Three failures in a row (threshold 3) open the breaker; the next call fails fast.
{
  const token = newToken();
  for (let i = 0; i < 3; i++) sim.script(token, { status: 500, body: {} });
  for (let i = 0; i < 3; i++) await send(queryWith(token));
  await row('after 3 failed overviews in a row: breaker open', () => send(queryWith(newToken())));
}

// Hostile or broken clients (never reach the upstream)
const json = { 'content-type': 'application/json' };
const post = (body: string, headers: Record<string, string> = json): RequestInit => ({
  method: 'POST',
  headers: { ...headers, 'x-auth-token': newToken() },
  body,
});
await row('no token', () => send(queryWith(undefined)));
await row('token of 20,000 characters', () => send(queryWith('t'.repeat(20_000))));
await row('truncated JSON body', () => send(post('{"query": "{ sourceOverview')));
await row('body `[]`', () => send(post('[]')));
await row('body `{"query": 1}`', () => send(post('{"query": 1}')));
await row('variables as a string', () => send(post(JSON.stringify({ query: QUERY, variables: '{}' }))));
await row('empty body', () => send(post('')));
await row('multipart without boundary', () =>
  send(post('--x\r\n', { 'content-type': 'multipart/form-data', 'x-graphql-csrf': '1' })),
);
await row('GET without query', () => send({ method: 'GET', headers: { accept: 'application/json' } }));
await row('text/plain POST (CSRF)', () =>
  send(post(JSON.stringify({ query: QUERY }), { 'content-type': 'text/plain' })),
);
await row('body of 200 KiB', () => send(post(JSON.stringify({ query: QUERY, pad: 'x'.repeat(200 * 1024) }))));
await row('10,000 aliases of sourceOverview', () =>
  send(
    post(
      JSON.stringify({
        query: `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: sourceOverview { total }`).join(' ')} }`,
      }),
    ),
  ),
);
await row('101 aliases of sourceOverview (limit 100)', () =>
  send(
    post(
      JSON.stringify({
        query: `{ ${Array.from({ length: 101 }, (_, i) => `a${i}: sourceOverview { total }`).join(' ')} }`,
      }),
    ),
  ),
);
await row('51 directives (limit 50)', () =>
  send(post(JSON.stringify({ query: `{ sourceOverview { total ${'@include(if: true) '.repeat(51)}} }` }))),
);
await row('maxAgeSeconds: -1', () =>
  send(post(JSON.stringify({ query: '{ sourceOverview(maxAgeSeconds: -1) { total } }' }))),
);
await row('batched request (JSON array of 2)', () =>
  send(post(JSON.stringify([{ query: QUERY }, { query: QUERY }]))),
);

await gateway.close();
await client.close();
await sim.close();

const logged = logLines.join('');
const answers = rows.map((r) => r.answer).join('\n');
const leaked = tokens.filter((token) => logged.includes(token) || answers.includes(token));

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
process.stdout.write('| Fault | HTTP | Answer (extensions.code: message) | Upstream calls | ms |\n');
process.stdout.write('| --- | --- | --- | --- | --- |\n');
for (const r of rows) {
  process.stdout.write(
    `| ${cell(r.fault)} | ${r.status} | ${cell(r.answer)} | ${r.upstreamCalls} | ${r.ms} |\n`,
  );
}
process.stdout.write(
  `\n${logLines.length} log lines at debug level, ${tokens.length} tokens used: ` +
    `${leaked.length === 0 ? 'no token in any log line or answer' : `${leaked.length} token(s) LEAKED`}.\n`,
);
process.exitCode = leaked.length === 0 ? 0 : 1;
