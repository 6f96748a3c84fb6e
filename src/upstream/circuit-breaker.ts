/** `closed`: calls flow; `open`: calls fail fast; `half_open`: one probe call decides. */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. 0 turns the breaker off. Default 5. */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one probe call is let through (ms). Default 30000. */
  readonly cooldownMs?: number;
  /** Clock (epoch ms). Default `Date.now`. */
  readonly now?: () => number;
  /** Called on every state change, after it happened. Must not throw. */
  readonly onStateChange?: (state: BreakerState, previous: BreakerState) => void;
}

/** The verdict on asking to make a call. */
export type Admission =
  | { readonly allowed: true; readonly probe: boolean }
  | { readonly allowed: false; readonly state: 'open' | 'half_open'; readonly retryInMs: number };

export interface CircuitBreaker {
  readonly state: BreakerState;
  /** Consecutive failures counted so far while closed. */
  readonly failures: number;
  /** Asks to make one call; report its end with {@link CircuitBreaker.record}. */
  admit(): Admission;
  /** Reports how an admitted call ended: `true` when the upstream was healthy. */
  record(admission: Admission & { allowed: true }, healthy: boolean): void;
}

/**
 * A circuit breaker as a pure state machine: no timers, no I/O, the clock injected.
 *
 * Closed, it counts consecutive failed calls; at `failureThreshold` it opens. Open, every
 * call is refused until `cooldownMs` has passed; then the next call is admitted as the one
 * probe (half-open) while every other call is still refused. The probe's success closes
 * the circuit, its failure opens it for another cool-down. Results of calls admitted
 * before the circuit opened are ignored once it is open or half-open: only the probe
 * decides.
 *
 *     const breaker = createCircuitBreaker({ failureThreshold: 5, cooldownMs: 30_000 });
 *     const admission = breaker.admit();
 *     if (admission.allowed) breaker.record(admission, await call().then(() => true, () => false));
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.failureThreshold ?? 5;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const now = options.now ?? Date.now;
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;

  function move(next: BreakerState): void {
    const previous = state;
    state = next;
    options.onStateChange?.(next, previous);
  }

  function open(): void {
    openedAt = now();
    failures = 0;
    move('open');
  }

  return {
    get state() {
      return state;
    },
    get failures() {
      return failures;
    },
    admit() {
      if (state === 'closed' || threshold === 0) return { allowed: true, probe: false };
      if (state === 'open') {
        const retryInMs = openedAt + cooldownMs - now();
        if (retryInMs > 0) return { allowed: false, state: 'open', retryInMs };
        move('half_open');
        return { allowed: true, probe: true };
      }
      return { allowed: false, state: 'half_open', retryInMs: 0 };
    },
    record(admission, healthy) {
      if (threshold === 0) return;
      if (state === 'half_open' && admission.probe) {
        if (healthy) move('closed');
        else open();
        return;
      }
      if (state !== 'closed' || admission.probe) return;
      if (healthy) {
        failures = 0;
        return;
      }
      failures++;
      if (failures >= threshold) open();
    },
  };
}
