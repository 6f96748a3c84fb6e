import { Agent, request } from 'undici';
import { OVERVIEW_PATH } from './upstream/http-client.js';

export interface ReadinessOptions {
  /** Base URL of the SMS API (the one the gateway calls). */
  readonly endpoint: string;
  /** Reuse one probe's result for this long (ms). Default 5000. */
  readonly intervalMs?: number;
  /** A probe without an answer within this long counts as unreachable (ms). Default 2000. */
  readonly timeoutMs?: number;
  /** Clock (epoch ms). Default `Date.now`. */
  readonly now?: () => number;
}

/** What `/readiness` answers, as JSON. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly status: 'ready' | 'not_ready' | 'shutting_down';
  /** Why the gateway is not ready. */
  readonly reason?: string;
  readonly upstream?: {
    readonly reachable: boolean;
    /** The HTTP status the SMS API answered the probe with (401: reachable, no token sent). */
    readonly httpStatus?: number;
    readonly checkedAt: string;
  };
}

export interface Readiness {
  /** The current readiness; probes the SMS API at most once per `intervalMs`. */
  check(): Promise<ReadinessReport>;
  /** From now on not ready: called first on shutdown, so traffic drains before the close. */
  shutDown(): void;
  /** Closes the probe's connections. */
  close(): Promise<void>;
}

interface Probe {
  readonly at: number;
  readonly reachable: boolean;
  readonly httpStatus?: number;
  readonly reason?: string;
}

/**
 * Readiness: the gateway is not shutting down and the SMS API's host answered HTTP
 * recently. The probe is a GET of the overview without a token: any HTTP answer,
 * 401 included, proves the host is reachable; a connection error or a timeout does not.
 * No caller's token is ever used for it.
 *
 *     const readiness = createReadiness({ endpoint });
 *     const { ready } = await readiness.check();
 */
export function createReadiness(options: ReadinessOptions): Readiness {
  const intervalMs = options.intervalMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 2000;
  const now = options.now ?? Date.now;
  const url = new URL(OVERVIEW_PATH, options.endpoint).toString();
  const agent = new Agent({ connections: 1 });
  let last: Probe | undefined;
  let running: Promise<Probe> | undefined;
  let shuttingDown = false;

  async function probe(): Promise<Probe> {
    const started = now();
    try {
      const response = await request(url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        dispatcher: agent,
        // A new connection each time: reachable now, not "a kept-alive socket still open".
        reset: true,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body.dump();
      return { at: started, reachable: true, httpStatus: response.statusCode };
    } catch (error) {
      const code = (error as { code?: unknown; name?: unknown } | null)?.code;
      const name = (error as { name?: unknown } | null)?.name;
      const why =
        name === 'TimeoutError' || name === 'AbortError'
          ? `no answer within ${timeoutMs} ms`
          : typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code)
            ? code
            : 'connection failed';
      return { at: started, reachable: false, reason: `the SMS API was not reachable (${why})` };
    }
  }

  async function current(): Promise<Probe> {
    if (last !== undefined && now() - last.at < intervalMs) return last;
    running ??= probe().then((result) => {
      last = result;
      running = undefined;
      return result;
    });
    return running;
  }

  return {
    async check() {
      if (shuttingDown)
        return { ready: false, status: 'shutting_down', reason: 'the gateway is shutting down' };
      const result = await current();
      // A probe may have been in flight when the shutdown began.
      if (shuttingDown)
        return { ready: false, status: 'shutting_down', reason: 'the gateway is shutting down' };
      const upstream = {
        reachable: result.reachable,
        ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
        checkedAt: new Date(result.at).toISOString(),
      };
      return result.reachable
        ? { ready: true, status: 'ready', upstream }
        : { ready: false, status: 'not_ready', reason: result.reason ?? 'unknown', upstream };
    },
    shutDown() {
      shuttingDown = true;
    },
    close: () => agent.close(),
  };
}
