import { describe, expect, it } from 'vitest';
import { type BreakerState, createCircuitBreaker } from '../src/upstream/circuit-breaker.js';
import { createClock } from './helpers.js';

function setup(failureThreshold = 3, cooldownMs = 1000) {
  const clock = createClock();
  const changes: [BreakerState, BreakerState][] = [];
  const breaker = createCircuitBreaker({
    failureThreshold,
    cooldownMs,
    now: clock.now,
    onStateChange: (state, previous) => changes.push([state, previous]),
  });
  /** Admits one call and records its end; returns whether it was admitted. */
  const call = (healthy: boolean): boolean => {
    const admission = breaker.admit();
    if (!admission.allowed) return false;
    breaker.record(admission, healthy);
    return true;
  };
  return { clock, changes, breaker, call };
}

describe('circuit breaker', () => {
  it('stays closed below the threshold, and a success resets the count', () => {
    const { breaker, call, changes } = setup(3);
    expect([call(false), call(false), call(true), call(false), call(false)]).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(breaker.state).toBe('closed');
    expect(breaker.failures).toBe(2);
    expect(changes).toEqual([]);
  });

  it('opens at the threshold and refuses calls for the cool-down, telling how long is left', () => {
    const { breaker, call, clock, changes } = setup(3, 1000);
    call(false);
    call(false);
    call(false);
    expect(breaker.state).toBe('open');
    expect(changes).toEqual([['open', 'closed']]);
    expect(breaker.admit()).toEqual({ allowed: false, state: 'open', retryInMs: 1000 });
    clock.advance(999);
    expect(breaker.admit()).toEqual({ allowed: false, state: 'open', retryInMs: 1 });
  });

  it('after the cool-down admits exactly one probe; other calls are refused meanwhile', () => {
    const { breaker, call, clock, changes } = setup(2, 1000);
    call(false);
    call(false);
    clock.advance(1000);
    const probe = breaker.admit();
    expect(probe).toEqual({ allowed: true, probe: true });
    expect(breaker.state).toBe('half_open');
    expect(breaker.admit()).toEqual({ allowed: false, state: 'half_open', retryInMs: 0 });
    expect(breaker.admit()).toEqual({ allowed: false, state: 'half_open', retryInMs: 0 });
    expect(changes).toEqual([
      ['open', 'closed'],
      ['half_open', 'open'],
    ]);
  });

  it('a healthy probe closes the circuit', () => {
    const { breaker, call, clock, changes } = setup(2, 1000);
    call(false);
    call(false);
    clock.advance(1000);
    expect(call(true)).toBe(true);
    expect(breaker.state).toBe('closed');
    expect(breaker.failures).toBe(0);
    expect(changes.map(([state]) => state)).toEqual(['open', 'half_open', 'closed']);
    // Closed again: it takes the full threshold to reopen.
    call(false);
    expect(breaker.state).toBe('closed');
  });

  it('a failed probe reopens the circuit for another full cool-down', () => {
    const { breaker, call, clock, changes } = setup(2, 1000);
    call(false);
    call(false);
    clock.advance(1500);
    expect(call(false)).toBe(true);
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toEqual({ allowed: false, state: 'open', retryInMs: 1000 });
    expect(changes.map(([state]) => state)).toEqual(['open', 'half_open', 'open']);
  });

  it('ignores late results of calls admitted before it opened', () => {
    const { breaker, call, clock } = setup(2, 1000);
    const early = breaker.admit();
    const late = breaker.admit();
    call(false);
    call(false);
    expect(breaker.state).toBe('open');
    if (!early.allowed || !late.allowed) throw new Error('expected admissions');
    breaker.record(early, true);
    expect(breaker.state).toBe('open');
    clock.advance(1000);
    expect(breaker.admit()).toEqual({ allowed: true, probe: true });
    breaker.record(late, true);
    expect(breaker.state).toBe('half_open');
  });

  it('with a threshold of 0 never opens', () => {
    const { breaker, call, changes } = setup(0);
    for (let i = 0; i < 20; i++) expect(call(false)).toBe(true);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([]);
  });
});
