import type { AppContext } from '../context.js';
import { CarrierError, type SubmitResult } from '../carriers/carrier.js';
import { isAppError } from '../domain/errors.js';
import type { BusinessNumber, CarrierRecord, Message, Workspace } from '../domain/models.js';
import type { Repositories } from '../store/store.js';
import { retryDelayMs } from '../domain/send-rules.js';
import { sendVerdict, type SendVerdict } from '../domain/send-verdict.js';
import { DEFAULT_COMPLIANCE } from '../domain/compliance-settings.js';
import { marketingSentTimes } from '../app/marketing-history.js';
import { reserveSlot, senderRate, slowDown, type PaceLimit } from '../domain/send-pace.js';
import { senderPaceKey, workspacePaceKey } from '../store/send-pace.repository.js';
import { TurnBatcher } from './turn-batcher.js';
import { SentRecorder } from './sent-recorder.js';
import { TtlCache } from './ttl-cache.js';
import { CarrierGate } from './carrier-gate.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids' | 'events' | 'queue' | 'log' | 'carriers' | 'config'>;

/** How far ahead a claim may reserve a sender's slot; later slots stay queued, unleased. */
const PACE_HORIZON_MS = 1000;

/**
 * A paced send this late for its slot takes a new one (see waitForSlot): the limiter's guard
 * (PACE_GUARD) absorbs about 100 ms of timer jitter per second of slots, not more.
 */
const LATE_SLOT_MS = 100;
const MAX_RESLOTS = 3;

/** When a claimed message may go, and how far its sender's next send must stay behind it. */
interface Slot {
  atMs: number;
  spacingMs: number;
}

/** Codes adapters use for "too fast": the sender is slowed down, and the message retried. */
const THROTTLE_CODES = new Set(['throttled', 'smpp_esme_rthrottled', 'smpp_esme_rmsgqful']);

/**
 * Drains the send queue: claims due messages with a lease, checks consent and validity at
 * claim time, paces each sender, submits to the carrier and records the outcome. A message
 * row is the job, so a crash loses nothing: an expired lease is recovered by any worker.
 *
 * Pacing: a claim reserves each message a slot under its sender's limit (segments per
 * second: the number's `mps`, else the default for its kind) and its workspace's, in shared
 * state (`send_pace`, locked in the claim transaction), so the limits hold across any number
 * of worker processes. Only slots within PACE_HORIZON_MS are taken; the worker waits for the
 * slot, then calls the carrier.
 *
 * Unknown-outcome rule: `submit_started_at` is written just before the carrier call. A lease
 * that expires without it was never submitted: the message is simply queued again. With it,
 * the carrier may or may not have the message, and the workspace's `unknownOutcome` decides:
 * `fail` (default) fails it with `submit_outcome_unknown` — at most once, because a duplicate
 * text annoys a customer more than a visible failure a person can resend — or `retry` sends it
 * again (at least once). Carrier calls in progress are capped by the carrier's window
 * (CarrierGate), so at most that many messages per carrier and worker can be in that state.
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
  /**
   * `submit_started_at` must be written before each carrier call (it is what makes a lost
   * lease's outcome "unknown" rather than "never sent"); one UPDATE per turn, not per message.
   */
  private readonly submitStarts: TurnBatcher<{ id: string; attempts: number }, boolean>;
  private readonly sent: SentRecorder;
  /** Numbers and carrier records by id, briefly: read for every message otherwise. */
  private readonly numbers = new TtlCache<BusinessNumber | null>(5000);
  private readonly carrierRecords = new TtlCache<CarrierRecord | null>(5000);
  private readonly gates = new Map<string, CarrierGate>();
  /** Claims put back to the queue as due now (not submitted after all): drain() claims them again. */
  private requeuedForNow = 0;
  /** Messages the last claim settled without sending (expired, opted out): progress too. */
  private settledLastPass = 0;
  /** Per sender number: when this worker may next send (see waitForSlot). */
  private readonly lastSendEnds = new Map<string, number>();

  constructor(private readonly deps: Deps) {
    this.submitStarts = new TurnBatcher(async (claims) => {
      const at = deps.clock.now().toISOString();
      const marked = await deps.db.repos.messages.markSubmitStarted(claims, at);
      // Not marked: the lease is gone, or the recipient opted out since the claim. Back to the
      // queue, fenced to this claim (a no-op if another worker holds it now): the next claim
      // cancels it if consent is the reason, exactly as for a message still queued.
      for (const claim of claims) {
        if (marked.has(claim.id)) continue;
        if (await deps.db.repos.messages.requeueForRetry(claim.id, at, at, 'not_submitted', { attempts: claim.attempts })) {
          this.requeuedForNow += 1;
        }
      }
      if (marked.size < claims.length) deps.queue.notify();
      return claims.map((claim) => marked.has(claim.id));
    });
    this.sent = new SentRecorder(deps);
  }

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
    // A claim costs a transaction of about ten statements however many it takes. Claiming
    // for every finished send (one at a time) made claims most of a busy worker's work; wait
    // until a quarter of the slots are free, unless the worker is idle.
    if (this.inFlight.size > 0 && capacity < Math.ceil(this.deps.config.workerConcurrency / 4)) return 0;
    const claimed = await this.claim(capacity);
    for (const { message, slot } of claimed) {
      const job = this.process(message, slot).catch((error: unknown) => {
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
    let quietPasses = 0;
    for (;;) {
      this.requeuedForNow = 0;
      const claimed = await this.tick();
      // A pass that only settled messages (expired, opted out) made progress: more may be due.
      const quiet = claimed === 0 && this.settledLastPass === 0 && this.inFlight.size === 0 && this.requeuedForNow === 0;
      // Twice in a row: a send that finished during the first quiet pass may have put its
      // message back as due (not submitted after all), after that pass's claim had looked.
      quietPasses = quiet ? quietPasses + 1 : 0;
      if (quietPasses >= 2) return;
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
    const progressed = claimed > 0 || this.settledLastPass > 0;
    const again = this.rerun || (progressed && this.inFlight.size < this.deps.config.workerConcurrency);
    this.schedule(again ? 0 : this.deps.config.pollIntervalMs);
  }

  /**
   * Locks due messages, settles those that may not be sent (opted out since queued, or past
   * their validity), reserves pacing slots and leases the rest, in one transaction.
   */
  private async claim(limit: number): Promise<{ message: Message; slot: Slot }[]> {
    const now = this.deps.clock.now();
    const nowMs = now.getTime();
    const at = now.toISOString();
    const leaseUntil = new Date(nowMs + this.deps.config.leaseSeconds * 1000).toISOString();
    const busy = await this.deps.db.repos.pace.busy(nowMs + PACE_HORIZON_MS);
    const { claimed, settled, held } = await this.deps.db.transaction(async (repos) => {
      const due = await repos.messages.lockDue(at, limit, { pausedSenders: busy.numbers, pausedWorkspaces: busy.workspaces });
      const workspaces = new Map(
        (await repos.workspaces.findByIds([...new Set(due.map((m) => m.workspaceId))])).map((w) => [w.id, w]),
      );
      const consent = await this.consentAtClaim(repos, due, workspaces, now);
      const settled: Message[] = [];
      const candidates: Message[] = [];
      let held = 0;
      for (const message of due) {
        const verdict = consent(message);
        if (verdict.kind === 'send') {
          candidates.push(message);
        } else if (verdict.kind === 'defer') {
          if (await repos.messages.defer(message, verdict.until.toISOString(), at, verdict.reason, { reschedule: verdict.reschedule })) held += 1;
        } else {
          const outcome = await repos.messages.transition(message.id, verdict.refusal.status, at, {
            errorCode: verdict.refusal.errorCode,
            errorMessage: verdict.refusal.message,
          });
          if (outcome.applied) settled.push(outcome.message);
        }
      }
      const slots = await this.reserveSlots(repos, candidates, workspaces, nowMs, at);
      const leased = await repos.messages.markClaimed([...slots.keys()], at, leaseUntil);
      return {
        claimed: leased.map((message) => ({ message, slot: slots.get(message.id) ?? { atMs: nowMs, spacingMs: 0 } })),
        settled,
        held,
      };
    });
    this.settledLastPass = settled.length + held;
    for (const message of settled) this.publish(message);
    return claimed;
  }

  /**
   * The compliance rules for the claimed messages, read with the contacts share-locked
   * (PostgreSQL), so a STOP being written and this claim cannot miss each other: consent
   * (workspace-wide or for the sender's number), validity, and for marketing the consent
   * review hold, quiet hours and the frequency cap.
   */
  private async consentAtClaim(
    repos: Repositories,
    due: Message[],
    workspaces: Map<string, Workspace>,
    now: Date,
  ): Promise<(message: Message) => SendVerdict> {
    const contactIds = [...new Set(due.map((m) => m.contactId))];
    const contacts = new Map((await repos.contacts.findByIds(contactIds, { forShare: true })).map((c) => [c.id, c]));
    const numberOptOuts = await repos.contacts.numberOptOuts(contactIds);
    const sentAt = await marketingSentTimes(
      repos,
      due
        .filter((m) => m.category === 'marketing' && !m.consentExempt)
        .map((m) => ({ contactId: m.contactId, settings: workspaces.get(m.workspaceId)?.compliance ?? DEFAULT_COMPLIANCE })),
      now,
    );
    return (message) => {
      const contact = contacts.get(message.contactId);
      const workspace = workspaces.get(message.workspaceId);
      const settings = workspace?.compliance ?? DEFAULT_COMPLIANCE;
      const verdict = sendVerdict({
        message,
        optedOut: (contact?.optedOutAt ?? null) !== null || (numberOptOuts.get(message.contactId)?.has(message.numberId) ?? false),
        reviewPending: (contact?.consentReviewAt ?? null) !== null,
        recipient: { phoneNumber: message.to, timeZone: contact?.timeZone ?? null },
        marketingSentAt: sentAt.get(message.contactId) ?? [],
        settings,
        now,
        validitySeconds: this.deps.config.validitySeconds,
      });
      // Counted at once: the next marketing message to this contact in the same claim must see it.
      if (verdict.kind === 'send' && message.category === 'marketing' && !message.consentExempt) {
        sentAt.set(message.contactId, [...(sentAt.get(message.contactId) ?? []), now.toISOString()]);
      }
      return verdict;
    };
  }

  /** Slots for the messages whose sender and workspace allow one soon, in queue order. */
  private async reserveSlots(
    repos: Repositories,
    messages: Message[],
    workspaces: Map<string, Workspace>,
    nowMs: number,
    at: string,
    horizonMs = PACE_HORIZON_MS,
  ): Promise<Map<string, Slot>> {
    const slots = new Map<string, Slot>();
    if (messages.length === 0) return slots;
    const numbers = new Map((await repos.numbers.findByIds([...new Set(messages.map((m) => m.numberId))])).map((n) => [n.id, n]));
    const rateOf = new Map<string, number>();
    for (const message of messages) {
      const number = numbers.get(message.numberId);
      if (number) rateOf.set(senderPaceKey(number.id), senderRate(number.kind, number.mps));
      const workspaceRate = workspaces.get(message.workspaceId)?.maxSegmentsPerSecond ?? null;
      if (workspaceRate !== null) rateOf.set(workspacePaceKey(message.workspaceId), workspaceRate);
    }
    const states = await repos.pace.lock([...rateOf.keys()], at);
    const changed = new Set<string>();
    for (const message of messages) {
      const keys = [senderPaceKey(message.numberId), workspacePaceKey(message.workspaceId)].filter((key) => rateOf.has(key));
      const limits: PaceLimit[] = [];
      for (const key of keys) {
        const state = states.get(key);
        const ratePerSecond = rateOf.get(key);
        if (state && ratePerSecond) limits.push({ state, ratePerSecond });
      }
      // No number (deleted since): no limit applies; process() fails it as not configured.
      const reservation = reserveSlot(limits, nowMs, message.segments, horizonMs);
      if (!reservation) continue;
      const senderRateNow = rateOf.get(senderPaceKey(message.numberId));
      slots.set(message.id, {
        atMs: reservation.slotMs,
        spacingMs: senderRateNow ? (Math.max(1, message.segments) * 1000) / senderRateNow : 0,
      });
      keys.forEach((key, index) => {
        const next = reservation.next[index];
        if (next) states.set(key, next);
        changed.add(key);
      });
    }
    await repos.pace.save(new Map([...changed].map((key) => [key, states.get(key) ?? { nextAtMs: nowMs, slowdown: 1 }])), at);
    return slots;
  }

  private async process(claimed: Message, slot: Slot): Promise<void> {
    const { db } = this.deps;
    const number = await this.numbers.get(claimed.numberId, async () => (await db.repos.numbers.findByIds([claimed.numberId]))[0] ?? null);
    const record = number ? await this.carrierRecords.get(number.carrierId, () => db.repos.carriers.findById(number.carrierId)) : null;
    if (!number || !record) {
      await this.finish(claimed.id, 'failed', 'carrier_not_configured', 'the sender number has no carrier');
      return;
    }
    let gate: CarrierGate | undefined;
    let result: SubmitResult;
    try {
      const carrier = await this.deps.carriers.ensure(record);
      // Everything of variable length happens before the wait, so sends leave as close to
      // their slots as timers allow and the spacing the limiter planned survives.
      await this.waitForSlot(claimed, slot);
      gate = this.gateFor(record.id, carrier.submitCapacity?.());
      await gate.acquire();
      if (!(await this.submitStarts.add({ id: claimed.id, attempts: claimed.attempts }))) {
        // Our lease ran out and the row is no longer this claim's (another worker or the
        // recovery owns it now: calling the carrier could send it twice), or the recipient
        // opted out since the claim. Either way it is not ours to send.
        gate.release();
        this.deps.log.info({ messageId: claimed.id }, 'not sending: the lease was lost or the recipient opted out since the claim');
        return;
      }
      result = await carrier.submit({
        messageId: claimed.id,
        from: claimed.from,
        to: claimed.to,
        body: claimed.body,
        encoding: claimed.encoding,
        segments: claimed.segments,
      });
    } catch (error) {
      gate?.release();
      await this.recordSubmitError(claimed, error);
      return;
    }
    gate.release();
    // The carrier has the message from here on: a failure to record that must never requeue
    // it (that would send it twice). Try again; if the store stays away, the lease runs out
    // and the unknown-outcome rule decides, as after a crash.
    await this.recordAccepted(claimed, record.id, result);
  }

  private async recordAccepted(claimed: Message, carrierId: string, result: SubmitResult): Promise<void> {
    // Keep trying for half the lease: the job stays in flight meanwhile, so the lease keeps
    // being renewed and a short store outage does not turn a known outcome into an unknown one.
    const giveUpAtMs = Date.now() + (this.deps.config.leaseSeconds * 1000) / 2;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sent.record(claimed, carrierId, result.carrierMessageIds);
        break;
      } catch (error) {
        if (Date.now() >= giveUpAtMs) {
          this.deps.log.error(
            { err: error, messageId: claimed.id, carrierMessageIds: result.carrierMessageIds },
            'carrier accepted the message but recording it failed; its lease will expire and the unknown-outcome rule applies',
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
    if (result.throttled) {
      await this.slowSender(claimed).catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not record a throttle slow-down'));
    }
  }

  /**
   * Waits for the reserved slot, and also keeps this worker's own sends of one sender at least
   * a plain interval apart: a send that left late (a cold carrier, a busy event loop) must not
   * let the next one, on time, follow it too closely. Other workers' jitter is what the
   * limiter's guard absorbs; a send later than that (the process stalled past its slot) takes
   * a new slot instead of going at once, because the other workers' slots were reserved
   * assuming this one left on time, and going now could put it right next to one of theirs.
   */
  private async waitForSlot(message: Message, reserved: Slot): Promise<void> {
    let slot = reserved;
    for (let reslots = 0; ; reslots++) {
      const dueMs = Math.max(slot.atMs, this.lastSendEnds.get(message.numberId) ?? 0);
      const wait = dueMs - this.deps.clock.now().getTime();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const lateMs = this.deps.clock.now().getTime() - dueMs;
      // Slow senders only (slots ≥ LATE_SLOT_MS apart: up to 10 per second — long codes, toll
      // free), where one late send breaks a window and carriers throttle hardest. For faster
      // senders a new slot per late send cost a transaction each whenever the machine was busy
      // (two PostgreSQL workers fell from ~600 to ~140 msg/s); a stall can bunch their sends,
      // and the carrier's throttle answer (slowSender) is what reins that in.
      if (slot.spacingMs < LATE_SLOT_MS || lateMs <= LATE_SLOT_MS || reslots >= MAX_RESLOTS) break;
      const again = await this.reserveLateSlot(message);
      if (!again) break;
      this.deps.log.info({ messageId: message.id, lateMs }, 'send stalled past its pacing slot; took a new one');
      slot = again;
    }
    if (slot.spacingMs > 0) this.lastSendEnds.set(message.numberId, this.deps.clock.now().getTime() + slot.spacingMs);
    if (this.lastSendEnds.size > 10_000) this.lastSendEnds.clear();
  }

  /** A fresh slot for a send that missed its own, behind everything reserved since. */
  private async reserveLateSlot(message: Message): Promise<Slot | null> {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (repos) => {
      const workspaces = new Map((await repos.workspaces.findByIds([message.workspaceId])).map((w) => [w.id, w]));
      // Up to half a lease ahead: the lease is renewed while the send waits.
      const horizonMs = (this.deps.config.leaseSeconds * 1000) / 2;
      const slots = await this.reserveSlots(repos, [message], workspaces, now.getTime(), now.toISOString(), horizonMs);
      return slots.get(message.id) ?? null;
    });
  }

  private gateFor(carrierId: string, capacity: number | undefined): CarrierGate {
    let gate = this.gates.get(carrierId);
    if (!gate) {
      gate = new CarrierGate(capacity ?? Number.POSITIVE_INFINITY);
      this.gates.set(carrierId, gate);
    } else if (capacity !== undefined) {
      gate.resize(capacity);
    }
    return gate;
  }

  /** The carrier said "too fast" for this sender: halve its pace in the shared state. */
  private async slowSender(message: Message): Promise<void> {
    const at = this.deps.clock.now().toISOString();
    await this.deps.db.transaction((repos) => repos.pace.update(senderPaceKey(message.numberId), at, slowDown));
    this.deps.log.warn({ numberId: message.numberId }, 'carrier throttled this sender; slowing it down');
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
    if (THROTTLE_CODES.has(carrierError.code)) await this.slowSender(claimed);
    // A submit that went out but whose answer never came (e.g. an SMPP response timeout) is
    // the same unknown outcome as a lost lease: the workspace's rule decides, not the adapter.
    const retryUnknown =
      carrierError.code === 'submit_outcome_unknown' &&
      (await this.deps.db.repos.workspaces.findById(claimed.workspaceId))?.unknownOutcome === 'retry';
    if ((carrierError.retryable || retryUnknown) && claimed.attempts < this.deps.config.maxAttempts) {
      const delay = retryDelayMs(claimed.attempts, Math.random());
      const at = this.deps.clock.now();
      const requeued = await this.deps.db.repos.messages.requeueForRetry(
        claimed.id,
        new Date(at.getTime() + delay).toISOString(),
        at.toISOString(),
        carrierError.code,
        { attempts: claimed.attempts },
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
    const now = this.deps.clock.now();
    const at = now.toISOString();
    for (const lease of await this.deps.db.repos.messages.findExpiredLeases(at, 100)) {
      // Our own submit in progress whose renewal fell behind: ours to finish, not to recover.
      if (this.inFlight.has(lease.id)) continue;
      // Every write below is fenced to that claim and to its lease still being expired: the
      // list may be stale by the time we act (another worker may have recovered and claimed
      // the message again meanwhile), and a stale write must change nothing.
      const fence = { attempts: lease.attempts, leaseExpiredBy: at };
      if (!lease.submitStarted) {
        // Its worker died before calling the carrier: sending it now cannot duplicate it.
        if (await this.deps.db.repos.messages.requeueForRetry(lease.id, at, at, 'worker_lost', fence)) {
          this.deps.log.warn({ messageId: lease.id }, 'lease expired before the submit began; queued again');
        }
        continue;
      }
      if (lease.unknownOutcome === 'retry' && lease.attempts < this.deps.config.maxAttempts) {
        if (await this.deps.db.repos.messages.requeueForRetry(lease.id, at, at, 'submit_outcome_unknown', fence)) {
          this.deps.log.warn({ messageId: lease.id }, 'lease expired mid-submit; sending again (workspace rule: retry)');
        }
        continue;
      }
      const failed = await this.deps.db.repos.messages.failExpiredLease(
        lease.id,
        lease.attempts,
        at,
        'submit_outcome_unknown',
        'the worker stopped mid-submit; the carrier may or may not have the message',
      );
      if (failed) {
        this.deps.log.warn({ messageId: lease.id }, 'lease expired mid-submit; failed with submit_outcome_unknown');
        this.publish(failed);
      }
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
