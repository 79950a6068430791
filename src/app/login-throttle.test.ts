import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.js';

const MINUTE = 60_000;

describe('LoginThrottle', () => {
  it('refuses after 5 failures in 15 minutes, until the oldest of them leaves the window', () => {
    const throttle = new LoginThrottle();
    const key = LoginThrottle.keyOf(' Olivia@Acme.test ', '10.0.0.1');
    expect(key).toBe(LoginThrottle.keyOf('olivia@acme.test', '10.0.0.1'));
    for (let i = 0; i < 5; i++) {
      expect(throttle.retryAfterMs(key, i * MINUTE)).toBe(0);
      throttle.recordFailure(key, i * MINUTE);
    }
    expect(throttle.retryAfterMs(key, 5 * MINUTE)).toBe(10 * MINUTE);
    expect(throttle.retryAfterMs(key, 15 * MINUTE - 1)).toBe(1);
    // The first failure has left the window: one more try, then refused again.
    expect(throttle.retryAfterMs(key, 15 * MINUTE)).toBe(0);
    throttle.recordFailure(key, 15 * MINUTE);
    expect(throttle.retryAfterMs(key, 15 * MINUTE)).toBe(MINUTE);
  });

  it('counts each email and address apart, and forgets a pair on success', () => {
    const throttle = new LoginThrottle(2, 15 * MINUTE);
    const a = LoginThrottle.keyOf('a@x.test', '1.1.1.1');
    throttle.recordFailure(a, 0);
    throttle.recordFailure(a, 0);
    expect(throttle.retryAfterMs(a, 0)).toBeGreaterThan(0);
    expect(throttle.retryAfterMs(LoginThrottle.keyOf('a@x.test', '2.2.2.2'), 0)).toBe(0);
    expect(throttle.retryAfterMs(LoginThrottle.keyOf('b@x.test', '1.1.1.1'), 0)).toBe(0);
    throttle.reset(a);
    expect(throttle.retryAfterMs(a, 0)).toBe(0);
  });

  it('holds at most maxKeys pairs, dropping expired ones first, then the stalest', () => {
    const throttle = new LoginThrottle(1, 15 * MINUTE, 3);
    throttle.recordFailure('old', 0);
    throttle.recordFailure('k1', 20 * MINUTE);
    throttle.recordFailure('k2', 20 * MINUTE);
    throttle.recordFailure('k3', 20 * MINUTE);
    expect(throttle.retryAfterMs('k1', 20 * MINUTE)).toBeGreaterThan(0);
    throttle.recordFailure('k4', 21 * MINUTE);
    // Nothing expired any more: the least recently failed pair goes.
    expect(throttle.retryAfterMs('k1', 21 * MINUTE)).toBe(0);
    expect(throttle.retryAfterMs('k4', 21 * MINUTE)).toBeGreaterThan(0);
    expect(throttle.retryAfterMs('k3', 21 * MINUTE)).toBeGreaterThan(0);
  });
});
