import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { eventually, seedWorkspace, type SeededWorkspace } from '../../test/support/fixtures.js';
import { fakeNumber, installFakeCarriers, reload, send, type FakeCarrier } from '../../test/support/pipeline.js';
import type { AppContext } from '../context.js';
import { CarrierError } from '../carriers/carrier.js';
import { senderPaceKey } from '../store/send-pace.repository.js';
import { SendWorker } from './send-worker.js';

/**
 * Per-sender and per-workspace throughput limits on real stores and real time: what the
 * carrier sees (the fake carrier's submit times) must never exceed the limit in any one-second
 * window, also with two workers (two contexts with their own connections, as two processes)
 * sharing the sender. Only lower bounds on gaps are asserted: a slow machine cannot fail them.
 */

/** Most submits in any window of `windowMs` (a window [t, t + windowMs) starting at each submit). */
function mostInAnyWindow(times: number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && (sorted[j] ?? 0) - (sorted[i] ?? 0) < windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

/** The submit times as gaps in ms, for the failure message. */
function gaps(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  return `gaps between submits (ms): ${sorted.map((x, i) => x - (sorted[i - 1] ?? x)).join(', ')}`;
}

function timed(fake: FakeCarrier): number[] {
  const times: number[] = [];
  fake.behaviour = async (request) => {
    times.push(Date.now());
    return { carrierMessageIds: [`P-${request.messageId}`] };
  };
  return times;
}

describe.each(STORES)('send pacing on %s', (kind) => {
  let t: TestContext;
  let fakes: Map<string, FakeCarrier>;
  const workers: SendWorker[] = [];
  const twins: AppContext[] = [];
  let seq = 0;

  beforeAll(async () => {
    t = await createTestContext(kind, { pollIntervalMs: 20 });
    fakes = installFakeCarriers(t.ctx);
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
    for (const twin of twins.splice(0)) {
      await twin.carriers.stopAll();
      await twin.db.close();
    }
  });
  afterAll(async () => t.cleanup());

  async function seed(): Promise<SeededWorkspace> {
    seq += 1;
    return seedWorkspace(t.ctx, { name: `pace ${seq}`, phoneNumber: `+1201556${1000 + seq}` });
  }

  function startWorker(ctx: AppContext = t.ctx): SendWorker {
    const worker = new SendWorker(ctx);
    workers.push(worker);
    worker.start();
    return worker;
  }

  const recipient = (i: number) => `+1201557${String(1000 + i).padStart(4, '0')}`;

  it('sends a long code at its default 1 segment per second', async () => {
    const seeded = await seed();
    const { number, carrier } = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201556${2000 + seq}`, { kind: 'long_code' });
    const times = timed(carrier);
    for (let i = 0; i < 3; i++) await send(t.ctx, seeded.workspace, number.phoneNumber, { to: recipient(i) });
    startWorker();
    await eventually(async () => times.length === 3, 10_000);
    expect(mostInAnyWindow(times), gaps(times)).toBe(1);
    expect((times[2] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(2000);
  });

  it('counts segments: a 3-part text on a 2 segments/s sender holds the next one 1.5 s', async () => {
    const seeded = await seed();
    const { number, carrier } = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201556${2000 + seq}`, { mps: 2 });
    const times = timed(carrier);
    const long = 'x'.repeat(400); // 3 GSM-7 segments
    const first = await send(t.ctx, seeded.workspace, number.phoneNumber, { to: recipient(10), body: long });
    expect(first.segments).toBe(3);
    await send(t.ctx, seeded.workspace, number.phoneNumber, { to: recipient(11) });
    startWorker();
    await eventually(async () => times.length === 2, 10_000);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1500);
  });

  it('holds a 2 messages/s sender to 2 in every one-second window with two workers sharing it', async () => {
    const seeded = await seed();
    const { number, carrier } = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201556${2000 + seq}`, { mps: 2 });
    // A second "process": its own connections and carrier registry, same store.
    const twin = await t.twin();
    twins.push(twin);
    const twinFakes = installFakeCarriers(twin);
    const messages = [];
    for (let i = 0; i < 10; i++) messages.push(await send(t.ctx, seeded.workspace, number.phoneNumber, { to: recipient(20 + i) }));
    startWorker();
    startWorker(twin);
    const allTimes = () => [...carrier.submitTimes, ...(twinFakes.get(carrier.id)?.submitTimes ?? [])];
    await eventually(async () => allTimes().length === 10, 20_000);
    // Both workers sent some: the limit held across them, not because one did all the work.
    expect(carrier.submitTimes.length).toBeGreaterThan(0);
    expect(twinFakes.get(carrier.id)?.submitTimes.length ?? 0).toBeGreaterThan(0);
    expect(mostInAnyWindow(allTimes()), gaps(allTimes())).toBeLessThanOrEqual(2);
    // Responses are recorded just after the submits return.
    for (const m of messages) await eventually(async () => (await reload(t.ctx, m.id)).status === 'sent');
  });

  it('a send that stalled past its slot takes a new one instead of bunching up with the others', async () => {
    const seeded = await seed();
    const { number, carrier } = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201556${2000 + seq}`, { mps: 2 });
    const twin = await t.twin();
    twins.push(twin);
    const twinFakes = installFakeCarriers(twin);
    const allTimes = () => [...carrier.submitTimes, ...(twinFakes.get(carrier.id)?.submitTimes ?? [])];
    for (let i = 0; i < 6; i++) await send(t.ctx, seeded.workspace, number.phoneNumber, { to: recipient(40 + i) });
    startWorker();
    startWorker(twin);
    await eventually(async () => allTimes().length >= 1, 10_000);
    // The process freezes (a long GC, a busy machine) while the next slots come due: every
    // slot timer fires late, together. Sending them all then would break the limit.
    const frozenUntil = Date.now() + 800;
    while (Date.now() < frozenUntil) {
      // busy: nothing else runs
    }
    await eventually(async () => allTimes().length === 6, 20_000);
    expect(mostInAnyWindow(allTimes()), gaps(allTimes())).toBeLessThanOrEqual(2);
  });

  it('applies the workspace limit across all its senders', async () => {
    const seeded = await seed();
    await t.ctx.db.repos.workspaces.updateSettings(seeded.workspace.id, { maxSegmentsPerSecond: 2 });
    const a = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201556${3000 + seq}`, { mps: 1000 });
    const b = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201556${4000 + seq}`, { mps: 1000 });
    const times: number[] = [];
    for (const fake of [a.carrier, b.carrier]) {
      fake.behaviour = async (request) => {
        times.push(Date.now());
        return { carrierMessageIds: [`W-${request.messageId}`] };
      };
    }
    for (let i = 0; i < 3; i++) {
      await send(t.ctx, seeded.workspace, a.number.phoneNumber, { to: recipient(40 + i) });
      await send(t.ctx, seeded.workspace, b.number.phoneNumber, { to: recipient(50 + i) });
    }
    startWorker();
    await eventually(async () => times.length === 6, 10_000);
    expect(mostInAnyWindow(times), gaps(times)).toBeLessThanOrEqual(2);
  });

  it('does not let a slow sender hold up another sender queued behind it', async () => {
    const seeded = await seed();
    const slow = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201556${5000 + seq}`, { kind: 'long_code' });
    const fast = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201556${6000 + seq}`, { mps: 100 });
    const slowTimes = timed(slow.carrier);
    const fastTimes = timed(fast.carrier);
    for (let i = 0; i < 6; i++) await send(t.ctx, seeded.workspace, slow.number.phoneNumber, { to: recipient(60 + i) });
    await send(t.ctx, seeded.workspace, fast.number.phoneNumber, { to: recipient(70) });
    const started = Date.now();
    startWorker();
    await eventually(async () => fastTimes.length === 1, 10_000);
    // Long before the slow sender's backlog (6 s of it) is through.
    expect(slowTimes.length).toBeLessThan(6);
    expect((fastTimes[0] ?? 0) - started).toBeLessThan(3000);
  });

  it("does not let one workspace's capped backlog hold up another workspace", async () => {
    const capped = await seed();
    await t.ctx.db.repos.workspaces.updateSettings(capped.workspace.id, { maxSegmentsPerSecond: 1 });
    const a = await fakeNumber(t.ctx, fakes, capped.workspace, `+1201556${8000 + seq}`, { mps: 1000 });
    const other = await seed();
    const b = await fakeNumber(t.ctx, fakes, other.workspace, `+1201556${8500 + seq}`, { mps: 1000 });
    const aTimes = timed(a.carrier);
    const bTimes = timed(b.carrier);
    // More than one claim's worth (workerConcurrency 32) of the capped workspace's texts first.
    const backlog = [];
    for (let i = 0; i < 40; i++) backlog.push(await send(t.ctx, capped.workspace, a.number.phoneNumber, { to: recipient(100 + i) }));
    await send(t.ctx, other.workspace, b.number.phoneNumber, { to: recipient(200) });
    const started = Date.now();
    const worker = startWorker();
    await eventually(async () => bTimes.length === 1, 10_000);
    expect((bTimes[0] ?? 0) - started).toBeLessThan(3000);
    expect(aTimes.length).toBeLessThan(10);
    // Leave the shared store without a backlog for the tests after this one.
    await worker.stop();
    const at = new Date().toISOString();
    for (const m of backlog) await t.ctx.db.transaction((repos) => repos.messages.transition(m.id, 'canceled', at));
  });

  it('slows a sender the carrier throttled, and eases back with clean sends', async () => {
    const seeded = await seed();
    const { number, carrier } = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201556${7000 + seq}`, { mps: 50 });
    let calls = 0;
    carrier.behaviour = async (request) => {
      calls += 1;
      if (calls === 1) throw new CarrierError('throttled', 'too fast', true);
      // The adapter waited and resent once on the way (as SMPP does for ESME_RTHROTTLED).
      return calls === 2 ? { carrierMessageIds: [`T-${request.messageId}`], throttled: 1 } : { carrierMessageIds: [`T-${request.messageId}`] };
    };
    const pace = async () => (await t.ctx.db.transaction((repos) => repos.pace.lock([senderPaceKey(number.id)], new Date().toISOString()))).get(senderPaceKey(number.id));
    const first = await send(t.ctx, seeded.workspace, number.phoneNumber, { to: recipient(80) });
    const worker = new SendWorker(t.ctx);
    workers.push(worker);
    await worker.tick();
    await eventually(async () => (await reload(t.ctx, first.id)).status === 'queued');
    expect((await pace())?.slowdown).toBe(2);
    // The retry (after its backoff) is accepted after one throttle on the way: slowed again.
    await eventually(async () => {
      await worker.drain();
      return (await reload(t.ctx, first.id)).status === 'sent';
    }, 10_000);
    const slowed = (await pace())?.slowdown ?? 0;
    expect(slowed).toBeGreaterThan(2);
    for (let i = 0; i < 5; i++) await send(t.ctx, seeded.workspace, number.phoneNumber, { to: recipient(81 + i) });
    await worker.drain();
    expect((await pace())?.slowdown).toBeLessThan(slowed);
  });
});
