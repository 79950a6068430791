import type { AppContext } from '../context.js';
import { CarrierError } from '../carriers/carrier.js';
import { isAppError } from '../domain/errors.js';
import type { Message } from '../domain/models.js';
import { applyWaitingReceipts } from '../app/record-receipt.js';
import { retryDelayMs, unsendableReason } from '../domain/send-rules.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids' | 'events' | 'queue' | 'log' | 'carriers' | 'config'>;

/**
 * Drains the send queue: claims due messages with a lease, checks consent and validity at
 * claim time, submits to the carrier and records the outcome. A message row is the job, so
 * a crash loses nothing: an expired lease is recovered by any worker.
 *
 * Unknown-outcome rule: a message still `sending` when its lease expires may or may not
 * have reached the carrier. Parley fails it with `submit_outcome_unknown` rather than
 * retry, because a duplicate text annoys a customer more than a visible failure a person
 * can resend. (The send-pipeline issue makes this configurable per workspace.)
 */
export class SendWorker {
  private timer: NodeJS.Timeout | null = null;
  /** Only a started worker polls; one used through drain() or tick() must leave no timer behind. */
  private started = false;
  private running = false;
  private stopping = false;
  private rerun = false;
  /** Submits in progress, by message id, with when their lease ends: renewed while they run. */
  private readonly inFlight = new Map<string, { job: Promise<void>; leaseUntilMs: number }>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: Deps) {}

  start(): void {
    this.started = true;
    this.stopping = false;
    this.unsubscribe = this.deps.queue.onNotify(() => this.wake());
    this.schedule(0);
  }

  /** Stops claiming, waits for in-flight submits and records their outcomes. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.started = false;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running || this.inFlight.size > 0) {
      await this.settleInFlight();
      if (this.running) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  wake(): void {
    if (!this.started || this.stopping) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.schedule(0);
  }

  /** One pass: keep own leases alive, recover expired ones, claim what is due, start submitting it. Returns claims. */
  async tick(): Promise<number> {
    await this.renewOwnLeases();
    await this.recoverExpiredLeases();
    const capacity = this.deps.config.workerConcurrency - this.inFlight.size;
    if (capacity <= 0 || this.stopping) return 0;
    const claimed = await this.claim(capacity);
    for (const message of claimed) {
      const job = this.process(message).catch((error: unknown) => {
        this.deps.log.error({ err: error, messageId: message.id }, 'send job crashed; its lease will expire');
      });
      this.inFlight.set(message.id, { job, leaseUntilMs: this.leaseEndOf(message) });
      void job.finally(() => {
        this.inFlight.delete(message.id);
        if (!this.stopping) this.wake();
      });
    }
    return claimed.length;
  }

  /** Waits until nothing is due or in flight (tests and the CLI use it). */
  async drain(): Promise<void> {
    for (;;) {
      const claimed = await this.tick();
      if (claimed === 0 && this.inFlight.size === 0) return;
      await this.settleInFlight();
    }
  }

  private async settleInFlight(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()].map((entry) => entry.job));
  }

  private leaseEndOf(message: Message): number {
    const start = Date.parse(message.sendingAt ?? '');
    const from = Number.isNaN(start) ? this.deps.clock.now().getTime() : start;
    return from + this.deps.config.leaseSeconds * 1000;
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loop(), delayMs);
  }

  private async loop(): Promise<void> {
    this.timer = null;
    if (this.running || this.stopping) return;
    this.running = true;
    let claimed = 0;
    try {
      this.rerun = false;
      claimed = await this.tick();
    } catch (error) {
      this.deps.log.error({ err: error }, 'send worker pass failed; retrying after the poll interval');
    } finally {
      this.running = false;
    }
    const again = this.rerun || (claimed > 0 && this.inFlight.size < this.deps.config.workerConcurrency);
    this.schedule(again ? 0 : this.deps.config.pollIntervalMs);
  }

  /**
   * Locks due messages, settles those that may not be sent (opted out since queued, or past
   * their validity) and leases the rest, in one transaction.
   */
  private async claim(limit: number): Promise<Message[]> {
    const now = this.deps.clock.now();
    const at = now.toISOString();
    const leaseUntil = new Date(now.getTime() + this.deps.config.leaseSeconds * 1000).toISOString();
    const { claimed, settled } = await this.deps.db.transaction(async (repos) => {
      const due = await repos.messages.lockDue(at, limit);
      const contacts = await repos.contacts.findByIds([...new Set(due.map((m) => m.contactId))]);
      const optedOut = new Set(contacts.filter((c) => c.optedOutAt !== null).map((c) => c.id));
      const settled: Message[] = [];
      const sendable: string[] = [];
      for (const message of due) {
        const refusal = unsendableReason({
          message,
          contactOptedOut: optedOut.has(message.contactId),
          now,
          validitySeconds: this.deps.config.validitySeconds,
        });
        if (!refusal) {
          sendable.push(message.id);
          continue;
        }
        const outcome = await repos.messages.transition(message.id, refusal.status, at, {
          errorCode: refusal.errorCode,
          errorMessage: refusal.message,
        });
        if (outcome.applied) settled.push(outcome.message);
      }
      return { claimed: await repos.messages.markClaimed(sendable, at, leaseUntil), settled };
    });
    for (const message of settled) this.publish(message);
    return claimed;
  }

  private async process(claimed: Message): Promise<void> {
    const { db } = this.deps;
    const number = (await db.repos.numbers.findByIds([claimed.numberId]))[0];
    const record = number ? await db.repos.carriers.findById(number.carrierId) : null;
    if (!number || !record) {
      await this.finish(claimed.id, 'failed', 'carrier_not_configured', 'the sender number has no carrier');
      return;
    }
    try {
      const carrier = await this.deps.carriers.ensure(record);
      const result = await carrier.submit({
        messageId: claimed.id,
        from: claimed.from,
        to: claimed.to,
        body: claimed.body,
        encoding: claimed.encoding,
        segments: claimed.segments,
      });
      await this.recordSent(claimed, record.id, result.carrierMessageIds);
    } catch (error) {
      await this.recordSubmitError(claimed, error);
    }
  }

  private async recordSent(claimed: Message, carrierId: string, carrierMessageIds: string[]): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    const updates = await this.deps.db.transaction(async (repos) => {
      await repos.messages.recordCarrierIds(claimed.id, carrierId, carrierMessageIds);
      const sent = await repos.messages.transition(claimed.id, 'sent', now, { leaseUntil: null, errorCode: null });
      const receipted = await applyWaitingReceipts(this.deps, repos, claimed.id, carrierId, carrierMessageIds);
      return [sent.applied ? sent.message : null, receipted].filter((m): m is Message => m !== null);
    });
    for (const message of updates) this.publish(message);
    // A receipt committed while that transaction ran was invisible to it, and the receipt's
    // own second look may have come before our carrier ids were committed (see recordReceipt).
    if ((await this.deps.db.repos.receipts.unmatchedFor(carrierId, carrierMessageIds)).length > 0) {
      const late = await this.deps.db.transaction((repos) =>
        applyWaitingReceipts(this.deps, repos, claimed.id, carrierId, carrierMessageIds),
      );
      if (late) this.publish(late);
    }
  }

  private async recordSubmitError(claimed: Message, error: unknown): Promise<void> {
    // Our own refusals (e.g. a carrier type this build does not have) will not heal by
    // retrying; an adapter's unexpected exception might, so it counts as transient.
    const carrierError =
      error instanceof CarrierError
        ? error
        : isAppError(error)
          ? new CarrierError(error.code, error.message, error.retryable)
          : new CarrierError('carrier_error', error instanceof Error ? error.message : String(error), true);
    if (carrierError.retryable && claimed.attempts < this.deps.config.maxAttempts) {
      const delay = retryDelayMs(claimed.attempts, Math.random());
      const at = this.deps.clock.now();
      const requeued = await this.deps.db.repos.messages.requeueForRetry(
        claimed.id,
        new Date(at.getTime() + delay).toISOString(),
        at.toISOString(),
        carrierError.code,
      );
      if (requeued) {
        this.deps.log.warn({ messageId: claimed.id, code: carrierError.code, delay }, 'submit failed; will retry');
      }
      return;
    }
    await this.finish(claimed.id, 'failed', carrierError.code, carrierError.message);
  }

  /**
   * A lease says "a live worker is submitting this". A slow carrier (a full SMPP window, a
   * throttled sender) must not let it lapse while this worker still waits for the answer,
   * or the message would be failed as `submit_outcome_unknown` although its outcome is
   * about to be known. Leases are extended once less than half of their time is left.
   */
  private async renewOwnLeases(): Promise<void> {
    if (this.inFlight.size === 0) return;
    const now = this.deps.clock.now().getTime();
    const leaseMs = this.deps.config.leaseSeconds * 1000;
    // Tracked here, so the common case (every submit answered well within its lease) costs no query.
    const due = [...this.inFlight].filter(([, entry]) => entry.leaseUntilMs - now < leaseMs / 2);
    if (due.length === 0) return;
    const leaseUntilMs = now + leaseMs;
    await this.deps.db.repos.messages.renewLeases(
      due.map(([id]) => id),
      new Date(leaseUntilMs).toISOString(),
    );
    for (const [, entry] of due) entry.leaseUntilMs = leaseUntilMs;
  }

  private async recoverExpiredLeases(): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    for (const id of await this.deps.db.repos.messages.findExpiredLeases(now, 100)) {
      this.deps.log.warn({ messageId: id }, 'lease expired mid-submit; failing with submit_outcome_unknown');
      await this.finish(
        id,
        'failed',
        'submit_outcome_unknown',
        'the worker stopped mid-submit; the carrier may or may not have the message',
      );
    }
  }

  private async finish(
    id: string,
    status: 'failed',
    errorCode: string,
    errorMessage: string,
  ): Promise<void> {
    const outcome = await this.deps.db.transaction((repos) =>
      repos.messages.transition(id, status, this.deps.clock.now().toISOString(), {
        errorCode,
        errorMessage,
        leaseUntil: null,
      }),
    );
    if (outcome.applied) this.publish(outcome.message);
  }

  private publish(message: Message): void {
    this.deps.events.publish({ type: 'message.updated', workspaceId: message.workspaceId, data: message });
  }
}
