import { AppError } from '../domain/errors.js';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { CUSTOMER, eventually, OTHER_CUSTOMER, seedWorkspace, type SeededWorkspace } from '../../test/support/fixtures.js';
import {
  fakeNumber,
  gate,
  installFakeCarriers,
  reload,
  send,
  simulatorOf,
  type FakeCarrier,
} from '../../test/support/pipeline.js';
import type { Config } from '../config.js';
import { CarrierError } from '../carriers/carrier.js';
import { handleInbound } from '../app/handle-inbound.js';
import { sendMessage } from '../app/send-message.js';
import { ManualClock } from '../runtime/clock-and-ids.js';
import { SendWorker } from './send-worker.js';
import { MessageRepository } from '../store/message.repository.js';

interface SharedStore {
  t: TestContext;
  fakes: Map<string, FakeCarrier>;
  clock: ManualClock | null;
}

/** Settings of the store whose tests move time by hand. */
const TIMED_CONFIG: Partial<Config> = { validitySeconds: 60, maxAttempts: 3, leaseSeconds: 60, workerConcurrency: 1 };

describe.each(STORES)('send worker on %s', (kind) => {
  // Two stores per dialect (one on the real clock, one on a ManualClock), shared by the
  // tests: each test seeds its own workspace, numbers and worker. A store per test would
  // spend most of the suite creating PostgreSQL databases.
  const stores: { plain?: SharedStore; timed?: SharedStore } = {};
  let worker: SendWorker | null = null;
  let seq = 0;

  afterEach(async () => {
    await worker?.stop();
    worker = null;
  });
  afterAll(async () => {
    for (const store of [stores.plain, stores.timed]) await store?.t.cleanup();
  });

  async function open(timed: boolean): Promise<SharedStore> {
    const clock = timed ? new ManualClock() : null;
    const t = await createTestContext(kind, timed ? TIMED_CONFIG : {}, clock ? { clock } : {});
    return { t, fakes: installFakeCarriers(t.ctx), clock };
  }

  /**
   * A workspace with a simulator number and a fake-carrier number, and a fresh worker.
   * `timed` tests run on a ManualClock with TIMED_CONFIG.
   */
  async function setup(options: { timed?: boolean; simulator?: { failureRate?: number } } = {}): Promise<{
    t: TestContext;
    seeded: SeededWorkspace;
    fake: FakeCarrier;
    fakePhone: string;
    worker: SendWorker;
    clock: ManualClock;
  }> {
    const store = options.timed ? (stores.timed ??= await open(true)) : (stores.plain ??= await open(false));
    seq += 1;
    const seeded = await seedWorkspace(store.t.ctx, {
      name: `ws ${seq}`,
      phoneNumber: `+1201555${1000 + seq}`,
      ...options.simulator,
    });
    const fake = await fakeNumber(store.t.ctx, store.fakes, seeded.workspace, `+1201555${2000 + seq}`);
    worker = new SendWorker(store.t.ctx);
    return {
      t: store.t,
      seeded,
      fake: fake.carrier,
      fakePhone: fake.number.phoneNumber,
      worker,
      clock: store.clock ?? new ManualClock(),
    };
  }

  it('sends through the simulator: queued → sent with carrier ids → delivered', async () => {
    const { t, seeded, worker } = await setup();
    const queued = await send(t.ctx, seeded.workspace, seeded.number.phoneNumber);
    expect(queued.status).toBe('queued');
    await worker.drain();
    const sent = await reload(t.ctx, queued.id);
    expect(sent.status === 'sent' || sent.status === 'delivered').toBe(true);
    expect(sent.carrierMessageIds).toHaveLength(1);
    expect(sent.attempts).toBe(1);
    const delivered = await eventually(async () => {
      const m = await reload(t.ctx, queued.id);
      return m.status === 'delivered' && m;
    });
    expect(delivered).toMatchObject({ errorCode: null, carrierMessageIds: sent.carrierMessageIds });
    expect(delivered.sentAt).not.toBeNull();
    expect(delivered.deliveredAt).not.toBeNull();
    const handset = simulatorOf(t.ctx, seeded).handsetMessages(CUSTOMER);
    expect(handset).toMatchObject([{ direction: 'to_handset', peer: seeded.number.phoneNumber, body: queued.body }]);
    const events = await t.ctx.db.repos.messages.eventsOf(queued.id);
    expect(events.filter((e) => e.applied).map((e) => e.status)).toEqual(['sending', 'sent', 'delivered']);
  });

  it('delivers a multipart message only when every part is delivered', async () => {
    const { t, seeded, worker } = await setup();
    const body = 'Long text. '.repeat(40);
    const queued = await send(t.ctx, seeded.workspace, seeded.number.phoneNumber, { body });
    expect(queued.segments).toBe(3);
    await worker.drain();
    const delivered = await eventually(async () => {
      const m = await reload(t.ctx, queued.id);
      return m.status === 'delivered' && m;
    });
    expect(delivered.carrierMessageIds).toHaveLength(3);
    const receipts = await t.ctx.db.repos.receipts.forMessage(queued.id);
    expect(receipts.map((r) => r.carrierMessageId).sort()).toEqual([...delivered.carrierMessageIds].sort());
  });

  it('marks a message the handset never got undelivered, with the error code', async () => {
    const { t, seeded, worker } = await setup({ simulator: { failureRate: 1 } });
    const queued = await send(t.ctx, seeded.workspace, seeded.number.phoneNumber);
    await worker.drain();
    const undelivered = await eventually(async () => {
      const m = await reload(t.ctx, queued.id);
      return m.status === 'undelivered' && m;
    });
    expect(undelivered.errorCode).toBe('handset_unreachable');
    expect(undelivered.undeliveredAt).not.toBeNull();
  });

  it('cancels a queued message when the contact opts out before the worker runs', async () => {
    const { t, seeded, worker } = await setup();
    const queued = await send(t.ctx, seeded.workspace, seeded.number.phoneNumber);
    const contact = await t.ctx.db.repos.contacts.findByPhone(seeded.workspace.id, CUSTOMER);
    await t.ctx.db.repos.contacts.writeConsentCopy(contact?.id ?? '', { optedOutAt: new Date().toISOString() }, new Date().toISOString());
    await worker.drain();
    const canceled = await reload(t.ctx, queued.id);
    expect(canceled).toMatchObject({ status: 'canceled', errorCode: 'recipient_opted_out', attempts: 0 });
    expect(simulatorOf(t.ctx, seeded).handsetMessages(CUSTOMER)).toEqual([]);
  });

  it('cancels a queued message after a STOP reply, yet sends the STOP confirmation', async () => {
    const { t, seeded, worker } = await setup();
    const queued = await send(t.ctx, seeded.workspace, seeded.number.phoneNumber, { body: 'Big sale today!' });
    const inbound = await handleInbound(t.ctx, {
      carrierId: seeded.carrierId,
      from: CUSTOMER,
      to: seeded.number.phoneNumber,
      body: 'STOP',
      carrierMessageId: 'in-stop-1',
      at: new Date(),
    });
    expect(inbound.kind).toBe('routed');
    await worker.drain();
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'canceled', errorCode: 'recipient_opted_out' });
    const handset = simulatorOf(t.ctx, seeded).handsetMessages(CUSTOMER);
    expect(handset.map((m) => m.body)).toEqual([expect.stringContaining('unsubscribed')]);
  });

  it('does not claim a scheduled message before its time, and sends it after', async () => {
    const { t, seeded, worker, clock } = await setup({ timed: true });
    const sendAt = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const scheduled = await send(t.ctx, seeded.workspace, seeded.number.phoneNumber, { sendAt });
    expect(scheduled).toMatchObject({ status: 'scheduled', sendAt });
    await worker.drain();
    clock.advance(3_599_000);
    await worker.drain();
    expect(await reload(t.ctx, scheduled.id)).toMatchObject({ status: 'scheduled', attempts: 0 });
    expect(simulatorOf(t.ctx, seeded).handsetMessages(CUSTOMER)).toEqual([]);
    clock.advance(1000);
    await worker.drain();
    const sent = await reload(t.ctx, scheduled.id);
    expect(sent.status === 'sent' || sent.status === 'delivered').toBe(true);
    expect(sent.sendingAt).toBe(sendAt);
    expect(simulatorOf(t.ctx, seeded).handsetMessages(CUSTOMER)).toHaveLength(1);
  });

  it('fails a message not sent within its validity period with validity_expired', async () => {
    const { t, seeded, worker, clock } = await setup({ timed: true });
    const stale = await send(t.ctx, seeded.workspace, seeded.number.phoneNumber);
    const sendAt = new Date(clock.now().getTime() + 600_000).toISOString();
    const scheduled = await send(t.ctx, seeded.workspace, seeded.number.phoneNumber, { to: OTHER_CUSTOMER, sendAt });
    clock.advance(61_000);
    await worker.drain();
    expect(await reload(t.ctx, stale.id)).toMatchObject({ status: 'failed', errorCode: 'validity_expired' });
    // A scheduled message's validity runs from its sendAt, not from when it was created.
    clock.set(new Date(Date.parse(sendAt) + 30_000));
    await worker.drain();
    const sent = await reload(t.ctx, scheduled.id);
    expect(sent.status === 'sent' || sent.status === 'delivered').toBe(true);
    expect(simulatorOf(t.ctx, seeded).handsetMessages(CUSTOMER)).toEqual([]);
  });

  it('goes on to the messages behind ones it settles without sending (expired at the head of the queue)', async () => {
    const { t, seeded, fake, fakePhone, worker, clock } = await setup({ timed: true });
    // workerConcurrency is 1 here: each claim reads one message.
    const stale = await send(t.ctx, seeded.workspace, fakePhone, { to: '+12015557801' });
    clock.advance(61_000);
    const fresh = await send(t.ctx, seeded.workspace, fakePhone, { to: '+12015557802' });
    await worker.drain();
    expect(await reload(t.ctx, stale.id)).toMatchObject({ status: 'failed', errorCode: 'validity_expired' });
    expect(fake.submits.map((s) => s.messageId)).toEqual([fresh.id]);
  });

  it('retries a retryable carrier error later, then fails after maxAttempts', async () => {
    const { t, seeded, fake, fakePhone, worker, clock } = await setup({ timed: true });
    fake.behaviour = async () => {
      throw new CarrierError('throttled', 'the carrier is throttling this sender', true);
    };
    const queued = await send(t.ctx, seeded.workspace, fakePhone);

    for (let attempt = 1; attempt <= 2; attempt++) {
      const before = clock.now();
      await worker.drain();
      const requeued = await reload(t.ctx, queued.id);
      expect(requeued).toMatchObject({ status: 'queued', attempts: attempt, errorCode: 'throttled' });
      expect(fake.submits).toHaveLength(attempt);
      const retry = (await t.ctx.db.repos.messages.eventsOf(queued.id)).at(-1);
      expect(retry).toMatchObject({ status: 'queued', applied: true });
      const retryAt = Date.parse(retry?.detail?.replace('retry at ', '') ?? '');
      expect(retryAt).toBeGreaterThan(before.getTime());
      // Not before its time …
      await worker.drain();
      expect(fake.submits).toHaveLength(attempt);
      // … but once it is due.
      clock.set(new Date(retryAt));
    }
    await worker.drain();
    expect(fake.submits).toHaveLength(3);
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'failed', errorCode: 'throttled', attempts: 3 });
    clock.advance(3_600_000);
    await worker.drain();
    expect(fake.submits).toHaveLength(3);
  });

  it('fails at once on a permanent carrier error, with its code', async () => {
    const { t, seeded, fake, fakePhone, worker } = await setup();
    fake.behaviour = async () => {
      throw new CarrierError('carrier_rejected', 'destination barred', false);
    };
    const queued = await send(t.ctx, seeded.workspace, fakePhone);
    await worker.drain();
    expect(fake.submits).toHaveLength(1);
    expect(await reload(t.ctx, queued.id)).toMatchObject({
      status: 'failed',
      errorCode: 'carrier_rejected',
      errorMessage: 'destination barred',
      attempts: 1,
    });
  });

  it('treats an unexpected adapter exception as a retryable carrier_error', async () => {
    const { t, seeded, fake, fakePhone, worker } = await setup();
    fake.behaviour = async () => {
      throw new Error('socket hang up');
    };
    const queued = await send(t.ctx, seeded.workspace, fakePhone);
    await worker.drain();
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'queued', errorCode: 'carrier_error', attempts: 1 });
  });

  it('fails at once when Parley itself refuses the carrier (an AppError is not transient)', async () => {
    const { t, seeded, fake, fakePhone, worker } = await setup();
    fake.behaviour = async () => {
      throw new AppError('carrier_type_unsupported', 'carrier type "gone" is not supported');
    };
    const queued = await send(t.ctx, seeded.workspace, fakePhone);
    await worker.drain();
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'failed', errorCode: 'carrier_type_unsupported', attempts: 1 });
  });

  /** Another worker claimed `id` (and, if `started`, began the carrier call) and then died. */
  async function abandonedByDeadWorker(t: TestContext, clock: ManualClock, id: string, started: boolean): Promise<void> {
    const now = clock.now().toISOString();
    await t.ctx.db.transaction((repos) => repos.messages.markClaimed([id], now, new Date(clock.now().getTime() + 10_000).toISOString()));
    if (started) expect(await t.ctx.db.repos.messages.markSubmitStarted([{ id, attempts: 1 }], now)).toEqual(new Set([id]));
  }

  it('fails a message whose lease expired mid-submit with submit_outcome_unknown, without resubmitting', async () => {
    const { t, seeded, fake, fakePhone, worker, clock } = await setup({ timed: true });
    const queued = await send(t.ctx, seeded.workspace, fakePhone);
    await abandonedByDeadWorker(t, clock, queued.id, true);
    await worker.drain();
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'sending' });
    clock.advance(10_001);
    await worker.drain();
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'failed', errorCode: 'submit_outcome_unknown' });
    expect(fake.submits).toEqual([]);
  });

  it('sends again a message whose lease expired before its submit began: it cannot be a duplicate', async () => {
    const { t, seeded, fake, fakePhone, worker, clock } = await setup({ timed: true });
    const queued = await send(t.ctx, seeded.workspace, fakePhone);
    await abandonedByDeadWorker(t, clock, queued.id, false);
    clock.advance(10_001);
    await worker.drain();
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'sent' });
    expect(fake.submits.map((s) => s.messageId)).toEqual([queued.id]);
    const events = await t.ctx.db.repos.messages.eventsOf(queued.id);
    expect(events.some((e) => e.status === 'queued' && e.applied)).toBe(true);
  });

  it("resubmits an unknown outcome when the workspace's rule is retry (at least once)", async () => {
    const { t, seeded, fake, fakePhone, worker, clock } = await setup({ timed: true });
    await t.ctx.db.repos.workspaces.updateSettings(seeded.workspace.id, { unknownOutcome: 'retry' });
    const queued = await send(t.ctx, seeded.workspace, fakePhone);
    await abandonedByDeadWorker(t, clock, queued.id, true);
    clock.advance(10_001);
    await worker.drain();
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'sent' });
    expect(fake.submits.map((s) => s.messageId)).toEqual([queued.id]);
  });

  it('never resubmits a message the carrier accepted when recording the answer fails; it keeps trying to record it', async () => {
    const { t, seeded, fake, fakePhone, worker } = await setup({ timed: true });
    const queued = await send(t.ctx, seeded.workspace, fakePhone);
    // The store refuses the first two attempts to record the answer, then recovers.
    const failing = vi
      .spyOn(MessageRepository.prototype, 'markSentMany')
      .mockRejectedValueOnce(new Error('disk full'))
      .mockRejectedValueOnce(new Error('disk full'));
    try {
      await worker.drain();
      expect(failing).toHaveBeenCalledTimes(3);
    } finally {
      failing.mockRestore();
    }
    expect(fake.submits.map((s) => s.messageId)).toEqual([queued.id]);
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'sent', carrierMessageIds: [`FAKE-${queued.id}`] });
  });

  it('never calls the carrier for a claim that lost its lease to another worker', async () => {
    const { t, seeded, fake, fakePhone, worker, clock } = await setup({ timed: true });
    const queued = await send(t.ctx, seeded.workspace, fakePhone);
    // A dead worker's claim (attempt 1) whose lease ran out; the message is recovered and
    // claimed again (attempt 2) by someone else before the first claim's marker is written.
    await abandonedByDeadWorker(t, clock, queued.id, false);
    clock.advance(10_001);
    const at = clock.now().toISOString();
    expect(await t.ctx.db.repos.messages.requeueForRetry(queued.id, at, at, 'worker_lost', { attempts: 1, leaseExpiredBy: at })).toBe(true);
    await t.ctx.db.transaction((repos) => repos.messages.markClaimed([queued.id], at, new Date(clock.now().getTime() + 60_000).toISOString()));
    // The stale first claim may not mark, requeue or fail the live second one.
    expect(await t.ctx.db.repos.messages.markSubmitStarted([{ id: queued.id, attempts: 1 }], at)).toEqual(new Set());
    expect(await t.ctx.db.repos.messages.requeueForRetry(queued.id, at, at, 'worker_lost', { attempts: 1, leaseExpiredBy: at })).toBe(false);
    expect(await t.ctx.db.repos.messages.failExpiredLease(queued.id, 1, at, 'submit_outcome_unknown', 'stale')).toBeNull();
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'sending', attempts: 2 });
    await worker.drain();
    expect(fake.submits).toEqual([]);
    // Settle the second claim, so this shared store has nothing in flight for later tests.
    const end = new Date(clock.now().getTime() + 60_001).toISOString();
    expect(await t.ctx.db.repos.messages.failExpiredLease(queued.id, 2, end, 'submit_outcome_unknown', 'test over')).not.toBeNull();
  });

  it('lets at most the carrier window of submits be in progress at once', async () => {
    const { t, seeded, fake, fakePhone, worker } = await setup();
    const held = gate();
    let inProgress = 0;
    let most = 0;
    fake.capacity = 2;
    fake.behaviour = async (request) => {
      inProgress += 1;
      most = Math.max(most, inProgress);
      await held.promise;
      inProgress -= 1;
      return { carrierMessageIds: [`W-${request.messageId}`] };
    };
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await send(t.ctx, seeded.workspace, fakePhone, { to: `+1201555${7100 + i}` }));
    worker.start();
    await eventually(async () => fake.submits.length === 2);
    // The rest are leased but wait before their carrier call: no submit_started_at yet.
    const started = await Promise.all(sent.map(async (m) => (await t.ctx.db.repos.messages.findExpiredLeases('9999', 100)).find((l) => l.id === m.id)));
    expect(started.filter((lease) => lease?.submitStarted).length).toBe(2);
    held.open();
    await eventually(async () => fake.submits.length === 5);
    expect(most).toBe(2);
  });

  it('keeps the lease of its own slow submit alive, and records the outcome', async () => {
    const { t, seeded, fake, fakePhone, worker, clock } = await setup({ timed: true });
    const held = gate();
    fake.behaviour = async (request) => {
      await held.promise;
      return { carrierMessageIds: [`SLOW-${request.messageId}`] };
    };
    const queued = await send(t.ctx, seeded.workspace, fakePhone);
    try {
      expect(await worker.tick()).toBe(1);
      await eventually(async () => fake.submits.length === 1);
      // The carrier is slow, but this worker is alive and still waiting for the answer.
      for (let i = 0; i < 4; i++) {
        clock.advance(40_000);
        await worker.tick();
      }
      expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'sending' });
    } finally {
      held.open();
    }
    const sent = await eventually(async () => {
      const m = await reload(t.ctx, queued.id);
      return m.status === 'sent' && m;
    });
    expect(sent.carrierMessageIds).toEqual([`SLOW-${queued.id}`]);
  });

  it('stop() waits for in-flight submits and records their outcomes', async () => {
    const { t, seeded, fake, fakePhone, worker } = await setup();
    const held = gate();
    fake.behaviour = async (request) => {
      await held.promise;
      return { carrierMessageIds: [`HELD-${request.messageId}`] };
    };
    worker.start();
    const first = await send(t.ctx, seeded.workspace, fakePhone);
    const second = await send(t.ctx, seeded.workspace, fakePhone, { to: OTHER_CUSTOMER });
    let stopped = false;
    try {
      await eventually(async () => fake.submits.length === 2);
      const stopping = worker.stop().then(() => {
        stopped = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(stopped).toBe(false);
      held.open();
      await stopping;
    } finally {
      held.open();
    }
    for (const id of [first.id, second.id]) {
      expect(await reload(t.ctx, id)).toMatchObject({ status: 'sent', carrierMessageIds: [`HELD-${id}`] });
    }
    // Once stopped it claims nothing more.
    const later = await send(t.ctx, seeded.workspace, fakePhone);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await reload(t.ctx, later.id)).toMatchObject({ status: 'queued' });
  });

  it('once started, sends what is queued without drain()', async () => {
    const { t, seeded, worker } = await setup();
    worker.start();
    const queued = await send(t.ctx, seeded.workspace, seeded.number.phoneNumber);
    await eventually(async () => (await reload(t.ctx, queued.id)).status === 'delivered');
  });

  it('drain() alone does not leave a polling loop behind', async () => {
    const { t, seeded, worker } = await setup();
    await send(t.ctx, seeded.workspace, seeded.number.phoneNumber);
    await worker.drain();
    const later = await send(t.ctx, seeded.workspace, seeded.number.phoneNumber, { to: OTHER_CUSTOMER });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await reload(t.ctx, later.id)).toMatchObject({ status: 'queued' });
  });

  it('sends transactional messages ahead of marketing on the same sender', async () => {
    const { t, seeded, fake, fakePhone, worker } = await setup({ timed: true });
    const bulk = await sendMessage(t.ctx, seeded.workspace, { from: fakePhone, to: CUSTOMER, body: 'Sale', category: 'marketing' });
    const code = await sendMessage(t.ctx, seeded.workspace, {
      from: fakePhone,
      to: OTHER_CUSTOMER,
      body: 'Your code is 123456',
      category: 'transactional',
    });
    await worker.drain();
    expect(fake.submits.map((s) => s.messageId)).toEqual([code.message.id, bulk.message.id]);
  });

  it('sends one message per thread at a time, in the order they were written', async () => {
    const { t, seeded, fake, fakePhone, worker } = await setup();
    const held = gate();
    const inFlight = new Set<string>();
    let overlapped = false;
    fake.behaviour = async (request) => {
      if (inFlight.has(request.to)) overlapped = true;
      inFlight.add(request.to);
      await held.promise;
      inFlight.delete(request.to);
      return { carrierMessageIds: [`ORD-${request.messageId}`] };
    };
    const first = await send(t.ctx, seeded.workspace, fakePhone, { body: 'first' });
    const second = await send(t.ctx, seeded.workspace, fakePhone, { body: 'second' });
    const third = await send(t.ctx, seeded.workspace, fakePhone, { body: 'third' });
    const elsewhere = await send(t.ctx, seeded.workspace, fakePhone, { to: OTHER_CUSTOMER, body: 'other thread' });
    worker.start();
    try {
      // The other thread is not held up by this one.
      await eventually(async () => fake.submits.length === 2);
      expect(fake.submits.map((s) => s.messageId).sort()).toEqual([first.id, elsewhere.id].sort());
      held.open();
      await eventually(async () => (await reload(t.ctx, third.id)).status === 'sent');
    } finally {
      held.open();
    }
    expect(overlapped).toBe(false);
    const threadOrder = fake.submits.filter((s) => s.to === CUSTOMER).map((s) => s.messageId);
    expect(threadOrder).toEqual([first.id, second.id, third.id]);
  });
});
