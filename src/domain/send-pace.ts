/**
 * Pacing of outbound sends: per-sender (and per-workspace) throughput limits counted in
 * segments per second, adaptive slow-down after carrier throttling, and the claim order that
 * puts verification codes and replies ahead of bulk without starving bulk. Pure: the store
 * keeps the state, the worker asks this module what to do with it.
 */

/** Shared limiter state of one sender or workspace, kept in the store across worker processes. */
export interface PaceState {
  /**
   * Theoretical arrival time (GCRA), epoch ms: the earliest moment the next segment may go.
   * Each send moves it forward by its cost, so the long-run rate can never exceed the limit.
   */
  nextAtMs: number;
  /** ≥ 1: intervals are stretched by this after the carrier throttled this sender. */
  slowdown: number;
}

export const FRESH_PACE: PaceState = { nextAtMs: 0, slowdown: 1 };

/**
 * Slots are spaced this much wider than 1/rate. Timers fire late, never early, and by
 * different amounts (measured here: ±25 ms between two workers on an idle 2-core machine):
 * without a margin two sends a whole interval apart can land less than one interval apart at
 * the carrier, and a window of exactly one second could hold one too many. 10% costs 10% of a
 * paced sender's peak rate and absorbs 100 ms of jitter per second of slots.
 */
export const PACE_GUARD = 1.1;

/** Largest slow-down after repeated throttling (16× slower than the configured rate). */
export const MAX_SLOWDOWN = 16;

export interface PaceLimit {
  state: PaceState;
  ratePerSecond: number;
}

export interface Reservation {
  /** When the send may go (epoch ms); never before `nowMs`. */
  slotMs: number;
  /** The limits' states after this send, in the order given. */
  next: PaceState[];
}

/**
 * Reserves one slot for a send costing `segments` under every limit given (the sender's, and
 * the workspace's when it has one): the slot is the first moment all of them allow, and each
 * moves forward by the send's cost at its own rate. Returns null when that slot is more than
 * `horizonMs` ahead: the message then stays queued rather than holding a lease while it waits.
 * Every reservation also eases a throttle slow-down a little (see `recover`).
 */
export function reserveSlot(limits: PaceLimit[], nowMs: number, segments: number, horizonMs: number): Reservation | null {
  const slotMs = Math.max(nowMs, ...limits.map((limit) => limit.state.nextAtMs));
  if (slotMs - nowMs > horizonMs) return null;
  const cost = Math.max(1, segments) * 1000 * PACE_GUARD;
  return {
    slotMs,
    next: limits.map(({ state, ratePerSecond }) => ({
      nextAtMs: slotMs + (cost * Math.max(1, state.slowdown)) / ratePerSecond,
      slowdown: recover(state).slowdown,
    })),
  };
}

/** The carrier said "too fast" for this sender: halve its pace (up to MAX_SLOWDOWN). */
export function slowDown(state: PaceState): PaceState {
  return { nextAtMs: state.nextAtMs, slowdown: Math.min(MAX_SLOWDOWN, Math.max(1, state.slowdown) * 2) };
}

/**
 * Each send reserved eases a slow-down by 5%: a sender throttled once (2×) is back at its full
 * rate after about 14 sends, and each new throttle doubles it again (AIMD-like).
 */
export function recover(state: PaceState): PaceState {
  if (state.slowdown <= 1) return state;
  const slowdown = state.slowdown * 0.95;
  return { nextAtMs: state.nextAtMs, slowdown: slowdown < 1.01 ? 1 : slowdown };
}

/** Segments per second a sender may use, by kind, when its number has no override. */
export const DEFAULT_SEGMENTS_PER_SECOND = { long_code: 1, toll_free: 3, short_code: 100 } as const;
export type SenderKind = keyof typeof DEFAULT_SEGMENTS_PER_SECOND;

export function senderRate(kind: string, override: number | null): number {
  if (override !== null && override > 0) return override;
  return DEFAULT_SEGMENTS_PER_SECOND[kind as SenderKind] ?? DEFAULT_SEGMENTS_PER_SECOND.long_code;
}

// ---------------------------------------------------------------------------------------------
// Priorities

/** Lower goes first. Verification codes and other one-off transactional texts lead. */
export const PRIORITY = { urgent: 0, conversational: 1, bulk: 5 } as const;

/**
 * How long a message of each priority waits before it counts as "due" in the claim order.
 * The queue is read in order of (due time + this head start): a reply created now goes ahead
 * of bulk created up to a minute ago, so replies never wait behind a campaign; and a bulk
 * message that has waited more than a minute goes ahead of new replies, so a steady stream
 * of replies that fills the sender's rate can slow bulk down but never starve it.
 */
const HEAD_START_MS: Record<number, number> = { [PRIORITY.urgent]: 0, [PRIORITY.conversational]: 2_000, [PRIORITY.bulk]: 60_000 };

/** The largest head start: a due message's claim order is at most this far past now. */
export const MAX_HEAD_START_MS = Math.max(...Object.values(HEAD_START_MS));

export function claimOrderOf(dueAt: string, priority: number): string {
  const offset = HEAD_START_MS[priority] ?? HEAD_START_MS[PRIORITY.bulk] ?? 60_000;
  return new Date(Date.parse(dueAt) + offset).toISOString();
}

export function priorityOf(input: { category: 'transactional' | 'conversational' | 'marketing'; bulk: boolean }): number {
  if (input.bulk || input.category === 'marketing') return PRIORITY.bulk;
  return input.category === 'transactional' ? PRIORITY.urgent : PRIORITY.conversational;
}
