import { type DestinationStream, type LevelWithSilent, pino } from 'pino';
import { currentRequestId } from './request-scope.js';

/** The logging surface the gateway uses (a subset of pino's). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>, options?: { redact?: string[] }): Logger;
}

export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/**
 * JSON lines on stdout (or `destination`), each with the current request's `requestId`.
 * Header and token-like paths are censored as a second line of defence: the code never
 * passes a token to the logger in the first place.
 *
 * Stdout is written asynchronously (one access line per request would otherwise cost a
 * blocking write each); pino flushes what is pending when the process exits.
 *
 *     const logger = createLogger('info');
 */
export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'sms-graph' },
      // Lines written while a request is handled (retries, drift, Yoga's errors) carry its id.
      mixin: () => {
        const requestId = currentRequestId();
        return requestId === undefined ? {} : { requestId };
      },
      redact: {
        paths: [
          'token',
          '*.token',
          'headers.authorization',
          'headers["x-auth-token"]',
          'headers.cookie',
          '*.headers.authorization',
          '*.headers["x-auth-token"]',
          '*.headers.cookie',
          'encodedAuthorizationMessage',
          '*.encodedAuthorizationMessage',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/**
 * The logger for access lines: `component: http`, without the redaction pass. An access
 * record is built field by field from values that cannot hold a header, a token or a body
 * (see logRequest), and redaction's path scan costs ~11 µs a line, once per request.
 *
 *     logRequest(accessLogger(logger), scope, 'POST', '/graphql', 200)
 */
export function accessLogger(logger: Logger): Logger {
  return logger.child({ component: 'http' }, { redact: [] });
}
