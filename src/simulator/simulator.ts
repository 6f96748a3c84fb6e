import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { STATUSES } from '../domain/statuses.js';
import { APIGW_401, LEGACY_OVERVIEW, SEED_OVERVIEW_200, SEED_OVERVIEW_403 } from './seed.js';

/**
 * Tokens with fixed behaviour. Any other well-formed token gets its own deterministic
 * numbers, so two tokens see two different overviews.
 */
export const DEMO_TOKENS = {
  /** The seed's 200 example. */
  seed: 'demo-token',
  /** The seed's 403 envelope (`SMS.9004`). */
  forbidden: 'demo-forbidden',
  /** The older `{waiting, replicating, syncing, other}` answer. */
  legacy: 'demo-legacy',
  /** A 401 `APIGW.0301`, as for an expired token. */
  expired: 'demo-expired',
  /** A 429 `APIGW.0308` with `Retry-After: 7`. */
  throttled: 'demo-throttled',
} as const;

/** A scripted answer. `body` is sent as JSON unless it is a string. */
export interface SimulatorAnswer {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before answering (ms). */
  readonly delayMs?: number;
  /** `hang`: never answer; `reset`: destroy the socket without answering. */
  readonly fault?: 'hang' | 'reset';
  /** Send the body chunked (no Content-Length) in this many pieces. Default: in one go. */
  readonly bodyChunks?: number;
  /** With `bodyChunks`, wait this long before each piece after the first (ms): a slow drip. */
  readonly chunkDelayMs?: number;
}

/** One request the simulator received. */
export interface SimulatorCall {
  readonly method: string;
  readonly path: string;
  /** The `X-Auth-Token` header, as received. */
  readonly token: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

export interface SmsSimulator {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly calls: SimulatorCall[];
  /** Answers for one token, used in order before its default behaviour resumes. */
  script(token: string, ...answers: SimulatorAnswer[]): void;
  /** An answer for every request (overrides the per-token behaviour) until cleared with `undefined`. */
  setFault(answer: SimulatorAnswer | undefined): void;
  /** TCP connections accepted so far (keep-alive reuse keeps this low). */
  connectionsAccepted(): number;
  /** TCP connections open now. */
  openConnections(): number;
  /** Forgets calls and scripts. */
  reset(): void;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  readonly host?: string;
  /** 0 (default) lets the OS pick. */
  readonly port?: number;
}

const TOKEN_PATTERN = /^[\x21-\x7e]{1,16384}$/;

/**
 * Deterministic counts for a token: every status reported, 0..40 each.
 *
 *     tokenOverview('alice').finished // the same number on every run
 */
export function tokenOverview(token: string): Record<string, number> {
  const digest = createHash('sha256').update(token).digest();
  const body: Record<string, number> = {};
  STATUSES.forEach(({ field }, i) => {
    body[field] = (digest[i] ?? 0) % 41;
  });
  return body;
}

function defaultAnswer(token: string | undefined): SimulatorAnswer {
  if (token === undefined || !TOKEN_PATTERN.test(token) || token === DEMO_TOKENS.expired) {
    return { status: 401, body: APIGW_401 };
  }
  switch (token) {
    case DEMO_TOKENS.seed:
      return { status: 200, body: SEED_OVERVIEW_200 };
    case DEMO_TOKENS.forbidden:
      return { status: 403, body: SEED_OVERVIEW_403 };
    case DEMO_TOKENS.legacy:
      return { status: 200, body: LEGACY_OVERVIEW };
    case DEMO_TOKENS.throttled:
      return {
        status: 429,
        headers: { 'retry-after': '7' },
        body: { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached' },
      };
    default:
      return { status: 200, body: tokenOverview(token) };
  }
}

function send(res: ServerResponse, answer: SimulatorAnswer): void {
  const status = answer.status ?? 200;
  const raw = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
  const headers: Record<string, string> = {
    'content-type': 'application/json;charset=UTF-8',
    'x-request-id': randomUUID().replaceAll('-', ''),
    ...answer.headers,
  };
  const pieces = answer.bodyChunks ?? 1;
  if (pieces <= 1) {
    headers['content-length'] ??= String(Buffer.byteLength(raw));
    res.writeHead(status, headers);
    res.end(raw);
    return;
  }
  headers['transfer-encoding'] = 'chunked';
  res.writeHead(status, headers);
  const size = Math.ceil(raw.length / pieces);
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  res.once('close', () => clearTimeout(timer));
  const next = (): void => {
    if (res.destroyed) return;
    const piece = raw.slice(sent, sent + size);
    sent += size;
    if (sent >= raw.length) {
      res.end(piece);
      return;
    }
    res.write(piece);
    timer = setTimeout(next, answer.chunkDelayMs ?? 0);
  };
  next();
}

/**
 * The embedded SMS API: `GET /v3/sources/overview` as the seed documents it, on node:http.
 * `npm start` runs the gateway against it when no upstream is configured; tests script
 * it (answers, delays, faults) and read its call log.
 *
 *     const sim = await createSmsSimulator();
 *     sim.script('t1', { status: 500 });
 */
export async function createSmsSimulator(options: SimulatorOptions = {}): Promise<SmsSimulator> {
  const calls: SimulatorCall[] = [];
  const scripts = new Map<string, SimulatorAnswer[]>();
  const sockets = new Set<Socket>();
  let accepted = 0;
  let fault: SimulatorAnswer | undefined;

  // Tokens may be 16384 characters: room for them beyond Node's 16 KiB header default.
  const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const header = req.headers['x-auth-token'];
    const token = Array.isArray(header) ? header[0] : header;
    calls.push({ method: req.method ?? 'GET', path, token, headers: req.headers });
    req.resume();

    let answer: SimulatorAnswer;
    if (path !== '/v3/sources/overview') {
      answer = {
        status: 404,
        body: { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published' },
      };
    } else if (req.method !== 'GET') {
      answer = { status: 405, body: { error_code: 'APIGW.0102', error_msg: 'Method not allowed' } };
    } else {
      const queued = token === undefined ? undefined : scripts.get(token)?.shift();
      answer = fault ?? queued ?? defaultAnswer(token);
    }

    if (answer.fault === 'hang') return;
    if (answer.fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (answer.delayMs !== undefined && answer.delayMs > 0) {
      const timer = setTimeout(() => send(res, answer), answer.delayMs);
      res.on('close', () => clearTimeout(timer));
    } else {
      send(res, answer);
    }
  });
  server.on('connection', (socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}`,
    calls,
    script(token, ...answers) {
      scripts.set(token, [...(scripts.get(token) ?? []), ...answers]);
    },
    setFault(answer) {
      fault = answer;
    },
    connectionsAccepted: () => accepted,
    openConnections: () => sockets.size,
    reset() {
      calls.length = 0;
      scripts.clear();
      fault = undefined;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
