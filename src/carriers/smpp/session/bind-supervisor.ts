/**
 * Keeps one SmppSession bound: reconnects after a loss with exponential backoff and full
 * jitter (so many binds dropped by one SMSC restart do not reconnect in lockstep), and after
 * an authentication failure only slowly, because wrong credentials do not fix themselves and
 * hammering an SMSC with bad binds gets accounts locked.
 */
import {
  type SmppRequestPdu,
  type SmppResponseMap,
  SmppSession,
  type SmppSessionHandlers,
  type SmppSessionOptions,
  type SmppSessionState,
  type SessionClock,
  type SessionTimers,
  nodeTimers,
} from './smpp-session.js';
import type { SmppSessionError } from './session-error.js';

export interface SmppBindSupervisorOptions {
  session: SmppSessionOptions;
  handlers?: SmppSessionHandlers;
  /** First reconnect delay ceiling. Default 1 000. */
  backoffInitialMs?: number;
  /** Largest reconnect delay. Default 60 000. */
  backoffMaxMs?: number;
  /** Smallest delay, so an unlucky jitter draw near 0 is still not a hot loop. Default 100. */
  backoffMinMs?: number;
  /** Delay after auth_failed. Default 5 minutes. */
  authRetryMs?: number;
  /** Bound this long before the backoff resets, so a flapping bind keeps backing off. Default 30 000. */
  stableAfterMs?: number;
  /** [0, 1) source for jitter; injectable for tests. */
  random?: () => number;
  clock?: SessionClock;
  timers?: SessionTimers;
}

export class SmppBindSupervisor {
  private readonly session: SmppSession;
  private readonly timers: SessionTimers;
  private readonly clock: SessionClock;
  private readonly random: () => number;
  private running = false;
  private attempt = 0;
  private boundAtMs: number | undefined;
  private retryTimer: unknown;
  private connectAttempts = 0;

  constructor(private readonly options: SmppBindSupervisorOptions) {
    this.timers = options.timers ?? options.session.timers ?? nodeTimers;
    this.clock = options.clock ?? options.session.clock ?? { now: () => new Date() };
    this.random = options.random ?? Math.random;
    const handlers = options.handlers ?? {};
    this.session = new SmppSession(options.session, {
      ...handlers,
      onStateChange: (state, error) => {
        handlers.onStateChange?.(state, error);
        this.onStateChange(state);
      },
    });
  }

  get status(): SmppSessionState {
    return this.session.state;
  }

  get lastError(): SmppSessionError | undefined {
    return this.session.lastError;
  }

  /** Bind attempts made so far (for visibility and tests). */
  get attempts(): number {
    return this.connectAttempts;
  }

  /** The supervised session, e.g. for pauseSubmits() or its outstanding count. */
  get current(): SmppSession {
    return this.session;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connectNow();
  }

  /** Stops reconnecting and closes the session gracefully. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.session.close();
  }

  /** Sends through the bind; rejects not_bound (certainly unsent) while it is reconnecting. */
  request<P extends SmppRequestPdu>(pdu: P, options: { onThrottled?: () => void } = {}): Promise<SmppResponseMap[P['command']]> {
    return this.session.request(pdu, options);
  }

  /** The delay before reconnect attempt `attempt` (0-based) after a connection loss. */
  backoffDelay(attempt: number): number {
    const initial = this.options.backoffInitialMs ?? 1000;
    const max = this.options.backoffMaxMs ?? 60_000;
    const min = this.options.backoffMinMs ?? 100;
    const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
    return Math.max(min, Math.floor(this.random() * ceiling));
  }

  private connectNow(): void {
    this.retryTimer = undefined;
    if (!this.running) return;
    this.connectAttempts += 1;
    // Failures arrive through onStateChange too, which schedules the retry.
    this.session.connect().catch(() => undefined);
  }

  private onStateChange(state: SmppSessionState): void {
    const now = this.clock.now().getTime();
    if (state === 'bound') {
      this.boundAtMs = now;
      return;
    }
    if (state !== 'down' && state !== 'auth_failed') return;
    if (!this.running) return;
    if (this.boundAtMs !== undefined && now - this.boundAtMs >= (this.options.stableAfterMs ?? 30_000)) this.attempt = 0;
    this.boundAtMs = undefined;
    const delay = state === 'auth_failed' ? (this.options.authRetryMs ?? 5 * 60_000) : this.backoffDelay(this.attempt++);
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.timers.setTimeout(() => this.connectNow(), delay);
  }
}
