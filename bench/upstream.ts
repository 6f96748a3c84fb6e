/**
 * The shared upstream: `GET /v3/sources/overview` answering the seed's 200 body for any token,
 * counting calls per token. Runs in its own process; the harness talks to it over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SEED_OVERVIEW_200 } from '../src/simulator/seed.js';

export type UpstreamMessage = { type: 'reset' } | { type: 'delay'; ms: number } | { type: 'stats' };

export interface UpstreamStats {
  readonly calls: number;
  readonly distinctTokens: number;
  readonly maxCallsPerToken: number;
}

const body = Buffer.from(JSON.stringify(SEED_OVERVIEW_200));
const perToken = new Map<string, number>();
let calls = 0;
let delayMs = 0;
let requestId = 0;

const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
  const header = req.headers['x-auth-token'];
  const token = Array.isArray(header) ? header[0] : header;
  req.resume();
  if (req.url !== '/v3/sources/overview' || token === undefined) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error_code":"APIGW.0101","error_msg":"not found"}');
    return;
  }
  calls++;
  perToken.set(token, (perToken.get(token) ?? 0) + 1);
  const send = (): void => {
    res.writeHead(200, {
      'content-type': 'application/json;charset=UTF-8',
      'content-length': body.length,
      'x-request-id': `bench${(requestId++).toString(16).padStart(27, '0')}`,
    });
    res.end(body);
  };
  if (delayMs > 0) setTimeout(send, delayMs);
  else send();
});
server.keepAliveTimeout = 60_000;

process.on('message', (message: UpstreamMessage) => {
  if (message.type === 'reset') {
    perToken.clear();
    calls = 0;
    process.send?.({ type: 'ok' });
  } else if (message.type === 'delay') {
    delayMs = message.ms;
    process.send?.({ type: 'ok' });
  } else {
    let max = 0;
    for (const n of perToken.values()) max = Math.max(max, n);
    const stats: UpstreamStats = { calls, distinctTokens: perToken.size, maxCallsPerToken: max };
    process.send?.({ type: 'stats', stats });
  }
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'listening', url: `http://127.0.0.1:${port}` });
});
