import { describe, expect, it } from 'vitest';
import {
  FRESH_PACE,
  MAX_SLOWDOWN,
  PACE_GUARD,
  PRIORITY,
  claimOrderOf,
  priorityOf,
  recover,
  reserveSlot,
  senderRate,
  slowDown,
} from './send-pace.js';

describe('reserveSlot', () => {
  it('spaces sends by their segments at the rate, with the guard', () => {
    const first = reserveSlot([{ state: FRESH_PACE, ratePerSecond: 2 }], 10_000, 1, 1000);
    expect(first?.slotMs).toBe(10_000);
    expect(first?.next[0]?.nextAtMs).toBe(10_000 + 500 * PACE_GUARD);
    const second = reserveSlot([{ state: first?.next[0] ?? FRESH_PACE, ratePerSecond: 2 }], 10_000, 3, 1000);
    expect(second?.slotMs).toBe(10_000 + 500 * PACE_GUARD);
    // Three segments cost three intervals.
    expect(second?.next[0]?.nextAtMs).toBeCloseTo(10_000 + 4 * 500 * PACE_GUARD);
  });

  it('refuses a slot beyond the horizon, so the message stays queued', () => {
    const busy = { nextAtMs: 12_001, slowdown: 1 };
    expect(reserveSlot([{ state: busy, ratePerSecond: 1 }], 10_000, 1, 2000)).toBeNull();
    expect(reserveSlot([{ state: busy, ratePerSecond: 1 }], 10_001, 1, 2000)?.slotMs).toBe(12_001);
  });

  it('takes the latest of several limits and advances each at its own rate', () => {
    const sender = { nextAtMs: 10_200, slowdown: 1 };
    const workspace = { nextAtMs: 10_500, slowdown: 1 };
    const reserved = reserveSlot(
      [
        { state: sender, ratePerSecond: 10 },
        { state: workspace, ratePerSecond: 1 },
      ],
      10_000,
      1,
      1000,
    );
    expect(reserved?.slotMs).toBe(10_500);
    expect(reserved?.next.map((s) => s.nextAtMs)).toEqual([10_500 + 100 * PACE_GUARD, 10_500 + 1000 * PACE_GUARD]);
  });

  it('never lets more than `rate` sends into any one-second window, whatever the cost mix', () => {
    for (const rate of [1, 2, 3, 7, 100]) {
      let state = FRESH_PACE;
      const slots: number[] = [];
      let now = 0;
      while (slots.length < 200) {
        const reserved = reserveSlot([{ state, ratePerSecond: rate }], now, 1, 1000);
        if (!reserved) {
          now += 13;
          continue;
        }
        slots.push(reserved.slotMs);
        state = reserved.next[0] ?? state;
      }
      for (let i = rate; i < slots.length; i++) expect((slots[i] ?? 0) - (slots[i - rate] ?? 0)).toBeGreaterThanOrEqual(1000);
    }
  });

  it('no limit at all means now', () => {
    expect(reserveSlot([], 5000, 4, 0)?.slotMs).toBe(5000);
  });
});

describe('adaptive slow-down', () => {
  it('doubles on throttling up to the cap and eases back to full speed with clean sends', () => {
    let state = FRESH_PACE;
    for (let i = 0; i < 10; i++) state = slowDown(state);
    expect(state.slowdown).toBe(MAX_SLOWDOWN);
    let sends = 0;
    while (state.slowdown > 1) {
      state = recover(state);
      sends += 1;
    }
    expect(sends).toBeGreaterThan(20);
    expect(sends).toBeLessThan(100);
    expect(recover(FRESH_PACE)).toBe(FRESH_PACE);
  });

  it('stretches the interval while slowed', () => {
    const slowed = slowDown(FRESH_PACE);
    const reserved = reserveSlot([{ state: slowed, ratePerSecond: 1 }], 0, 1, 1000);
    expect(reserved?.next[0]?.nextAtMs).toBe(2 * 1000 * PACE_GUARD);
    expect(reserved?.next[0]?.slowdown).toBeLessThan(2);
  });
});

describe('sender rates and priorities', () => {
  it('uses the number override, else the default for its kind', () => {
    expect(senderRate('long_code', null)).toBe(1);
    expect(senderRate('toll_free', null)).toBe(3);
    expect(senderRate('short_code', null)).toBe(100);
    expect(senderRate('short_code', 30)).toBe(30);
    expect(senderRate('mystery', null)).toBe(1);
  });

  it('puts codes, then replies, then bulk; a batch is bulk whatever its category', () => {
    expect(priorityOf({ category: 'transactional', bulk: false })).toBe(PRIORITY.urgent);
    expect(priorityOf({ category: 'conversational', bulk: false })).toBe(PRIORITY.conversational);
    expect(priorityOf({ category: 'marketing', bulk: false })).toBe(PRIORITY.bulk);
    expect(priorityOf({ category: 'transactional', bulk: true })).toBe(PRIORITY.bulk);
  });

  it('orders by due time plus head start: new replies pass young bulk, old bulk passes new replies', () => {
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
    const bulkNow = claimOrderOf(t(0), PRIORITY.bulk);
    expect(claimOrderOf(t(30), PRIORITY.conversational) < bulkNow).toBe(true);
    expect(claimOrderOf(t(59), PRIORITY.urgent) < bulkNow).toBe(true);
    expect(claimOrderOf(t(0) , PRIORITY.urgent) < claimOrderOf(t(0), PRIORITY.conversational)).toBe(true);
    // Bulk queued more than a minute before a reply goes first: bulk is slowed, never starved.
    expect(bulkNow < claimOrderOf(t(61), PRIORITY.conversational)).toBe(true);
  });
});
