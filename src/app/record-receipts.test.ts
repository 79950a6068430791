import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { eventually, seedWorkspace } from '../../test/support/fixtures.js';
import { fakeNumber, installFakeCarriers, reload, send, type FakeCarrier } from '../../test/support/pipeline.js';
import type { DeliveryReceipt } from '../carriers/carrier.js';
import type { Message, Workspace } from '../domain/models.js';
import { SendWorker } from '../workers/send-worker.js';
import { createCarrierSink } from './carrier-sink.js';
import { recordReceipt, recordReceipts, waitingSince } from './record-receipt.js';

/**
 * Receipts recorded together (the carrier sink's batches) must end exactly as the same
 * receipts recorded one by one: same message states, receipt rows, history and events.
 */
describe.each(STORES)('receipts recorded together on %s', (kind) => {
  let t: TestContext;
  let fakes: Map<string, FakeCarrier>;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestContext(kind);
    fakes = installFakeCarriers(t.ctx);
  });
  afterAll(async () => t?.cleanup());

  interface Scenario {
    workspace: Workspace;
    messages: Map<string, Message>;
    receipts: DeliveryReceipt[];
    carriers: [FakeCarrier, FakeCarrier];
    ghostIds: string[];
    /** message.updated events from the start: the setup's, then the receipts'. */
    events: { updates: Array<[string, string]>; off: () => void };
  }

  /**
   * Messages on two carriers in every shape a receipt meets, and the receipts for them in
   * arrival order. `tag` keeps the two runs' carrier ids apart.
   */
  async function scenario(tag: string, extra = 20): Promise<Scenario> {
    seq += 1;
    const seeded = await seedWorkspace(t.ctx, { name: `Batch ${seq}`, phoneNumber: `+1201555${7000 + seq}` });
    const events = collect(seeded.workspace.id);
    const one = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201555${7100 + seq}`);
    const two = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201555${7200 + seq}`);
    const worker = new SendWorker(t.ctx);
    const messages = new Map<string, Message>();
    let to = 0;
    const sent = async (role: string, via: typeof one, ids: string[], body?: string): Promise<void> => {
      via.carrier.behaviour = async () => ({ carrierMessageIds: ids });
      to += 1;
      const queued = await send(t.ctx, seeded.workspace, via.number.phoneNumber, {
        to: `+1201556${String(seq * 100 + to).padStart(4, '0')}`,
        ...(body ? { body } : {}),
      });
      await worker.drain();
      messages.set(role, await reload(t.ctx, queued.id));
    };
    const hex = (0xb00000n + BigInt(seq) * 0x10n).toString(16).toUpperCase();
    await sent('delivered', one, [`${tag}-SD`]);
    await sent('undelivered', one, [`${tag}-SU`]);
    await sent('undeliveredNoCode', one, [`${tag}-SG`]);
    await sent('otherBase', one, [hex]);
    await sent('multipart', one, [`${tag}-M1`, `${tag}-M2`, `${tag}-M3`], 'Part. '.repeat(60));
    await sent('multipartFailed', one, [`${tag}-N1`, `${tag}-N2`], 'Part. '.repeat(40));
    await sent('duplicate', one, [`${tag}-DUP`]);
    await sent('late', one, [`${tag}-LATE`]);
    await sent('otherCarrier', two, [`${tag}-X`]);
    for (let i = 0; i < extra; i++) await sent(`many${i}`, i % 2 === 0 ? one : two, [`${tag}-MANY-${i}`]);
    await worker.stop();

    const c1 = one.carrier;
    const c2 = two.carrier;
    const at = Date.parse('2030-01-01T00:00:00.000Z');
    const receipts: DeliveryReceipt[] = [];
    const add = (carrier: FakeCarrier, id: string, overrides: Partial<DeliveryReceipt> = {}): void => {
      receipts.push({
        carrierId: carrier.id,
        carrierMessageId: id,
        status: 'delivered',
        errorCode: null,
        raw: `stat:${overrides.status ?? 'delivered'}`,
        at: new Date(at + receipts.length),
        ...overrides,
      });
    };
    // Settled before the batch: the batch's receipt for it comes late.
    await recordReceipt(t.ctx, { carrierId: c1.id, carrierMessageId: `${tag}-LATE`, status: 'delivered', errorCode: null, raw: null, at: new Date(at - 1000) });
    add(c1, `${tag}-M3`);
    add(c1, `${tag}-SD`);
    add(c1, `${tag}-SU`, { status: 'undelivered', errorCode: 'unknown_subscriber' });
    add(c1, `${tag}-N1`);
    add(c1, `${tag}-SG`, { status: 'undelivered' });
    add(c1, BigInt(`0x${hex}`).toString(10));
    add(c1, `${tag}-M1`);
    add(c1, `${tag}-DUP`);
    add(c1, `${tag}-GHOST`, { status: 'undelivered', errorCode: 'expired' });
    add(c1, `${tag}-X`); // another carrier's id: matches nothing on this one
    add(c2, `${tag}-X`);
    add(c1, `${tag}-N2`, { status: 'undelivered', errorCode: 'absent_subscriber' });
    add(c1, `${tag}-DUP`, { status: 'undelivered', errorCode: 'expired' });
    add(c1, `${tag}-LATE`, { status: 'undelivered', errorCode: 'expired' });
    add(c1, `${tag}-M2`);
    for (let i = 0; i < extra; i++) add(i % 2 === 0 ? c1 : c2, `${tag}-MANY-${i}`, i % 3 === 0 ? { status: 'undelivered', errorCode: `err_${i}` } : {});
    return { workspace: seeded.workspace, messages, receipts, carriers: [c1, c2], ghostIds: [`${tag}-GHOST`, `${tag}-X`], events };
  }

  /** Everything a receipt can change, by role, without ids and times that differ per run. */
  async function outcome(s: Scenario): Promise<unknown> {
    const roles: Record<string, unknown> = {};
    for (const [role, message] of s.messages) {
      const now = await reload(t.ctx, message.id);
      roles[role] = {
        status: now.status,
        errorCode: now.errorCode,
        errorMessage: now.errorMessage,
        deliveredAt: now.deliveredAt !== null,
        undeliveredAt: now.undeliveredAt !== null,
        receipts: (await t.ctx.db.repos.receipts.forMessage(message.id)).map((r) => [r.status, r.errorCode, r.applied, r.raw]),
        events: (await t.ctx.db.repos.messages.eventsOf(message.id)).map((e) => [e.kind, e.status, e.applied, e.detail]),
      };
    }
    const [c1, c2] = s.carriers;
    const waiting = async (carrier: FakeCarrier): Promise<unknown> =>
      (await t.ctx.db.repos.receipts.unmatchedFor(carrier.id, s.ghostIds, waitingSince(t.ctx.clock))).map((r) => [r.carrierMessageId.replace(/^[AB]-/, ''), r.status, r.errorCode]);
    return { roles, waiting: [await waiting(c1), await waiting(c2)] };
  }

  /** Every message.updated event of the workspace, as (message id, status). */
  function collect(workspaceId: string): { updates: Array<[string, string]>; off: () => void } {
    const updates: Array<[string, string]> = [];
    const off = t.ctx.events.subscribe(workspaceId, (event) => {
      if (event.type === 'message.updated') updates.push([event.data.id, event.data.status]);
    });
    return { updates, off };
  }

  it('gives the states, receipt rows, history and events that recording one by one gives', async () => {
    const apart = await scenario('A');
    const together = await scenario('B');

    for (const receipt of apart.receipts) await recordReceipt(t.ctx, receipt);
    // All at once through the sink, as an SMPP bind delivers them.
    const sink = createCarrierSink(t.ctx);
    await Promise.all(together.receipts.map((receipt) => sink.receipt(receipt)));

    expect(await outcome(together)).toEqual(await outcome(apart));
    const byRole = (s: Scenario): Array<[string, string]> => {
      const roleOf = new Map([...s.messages].map(([role, m]) => [m.id, role]));
      return s.events.updates.map(([id, status]): [string, string] => [roleOf.get(id) ?? id, status]).sort();
    };
    // Same events, setup included (on PostgreSQL they come back over NOTIFY, in their own time).
    const receiptEvents = (s: Scenario): number => byRole(s).filter(([, status]) => status === 'delivered' || status === 'undelivered').length;
    await eventually(async () => receiptEvents(apart) >= 29 && receiptEvents(together) >= receiptEvents(apart));
    expect(byRole(together)).toEqual(byRole(apart));
    expect(byRole(together).filter(([role, status]) => role === 'late' && status !== 'sent')).toEqual([['late', 'delivered']]);
    apart.events.off();
    together.events.off();

    // The outcome is the intended one, not merely the same.
    const final = async (role: string): Promise<Message> => reload(t.ctx, together.messages.get(role)?.id ?? '');
    expect(await final('delivered')).toMatchObject({ status: 'delivered' });
    expect(await final('undelivered')).toMatchObject({ status: 'undelivered', errorCode: 'unknown_subscriber' });
    expect(await final('undeliveredNoCode')).toMatchObject({ status: 'undelivered', errorCode: 'carrier_undelivered' });
    expect(await final('otherBase')).toMatchObject({ status: 'delivered' });
    expect(await final('multipart')).toMatchObject({ status: 'delivered' });
    expect(await final('multipartFailed')).toMatchObject({ status: 'undelivered', errorCode: 'absent_subscriber' });
    expect(await final('duplicate')).toMatchObject({ status: 'delivered' });
    expect(await final('late')).toMatchObject({ status: 'delivered' });
    expect(await final('otherCarrier')).toMatchObject({ status: 'delivered' });
    expect(await final('many0')).toMatchObject({ status: 'undelivered', errorCode: 'err_0' });
    expect(await final('many1')).toMatchObject({ status: 'delivered' });
  });

  it('returns each receipt\'s outcome and records the others when one cannot be stored', async () => {
    const s = await scenario('A', 4);
    const bad: DeliveryReceipt = { ...(s.receipts[0] as DeliveryReceipt), carrierMessageId: 'BAD', at: new Date(Number.NaN) };
    const receipts = [...s.receipts.slice(0, 3), bad, ...s.receipts.slice(3)];
    const results = await recordReceipts(t.ctx, receipts);
    expect(results).toHaveLength(receipts.length);
    expect(results[3]).toMatchObject({ ok: false });
    expect(results.filter((r) => !r.ok)).toHaveLength(1);
    expect(results[1]).toMatchObject({ ok: true, message: { id: s.messages.get('delivered')?.id, status: 'delivered' } });
    expect(await reload(t.ctx, s.messages.get('multipart')?.id ?? '')).toMatchObject({ status: 'delivered' });
    expect(await reload(t.ctx, s.messages.get('many1')?.id ?? '')).toMatchObject({ status: 'delivered' });
    const stored = await t.ctx.db.repos.receipts.forMessage(s.messages.get('duplicate')?.id ?? '');
    expect(stored.map((r) => [r.status, r.applied])).toEqual([
      ['delivered', true],
      ['undelivered', false],
    ]);
  });

  it('rejects only the failing receipt\'s sink call, and resolves the others once committed', async () => {
    const s = await scenario('B', 6);
    const sink = createCarrierSink(t.ctx);
    const bad: DeliveryReceipt = { ...(s.receipts[0] as DeliveryReceipt), at: new Date(Number.NaN) };
    const calls = [...s.receipts, bad].map((receipt) => sink.receipt(receipt));
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(settled.at(-1)?.status).toBe('rejected');
    // Resolved means committed: visible from the pool, not just inside the batch.
    expect(await reload(t.ctx, s.messages.get('many5')?.id ?? '')).toMatchObject({ status: 'delivered' });
    expect(await t.ctx.db.repos.receipts.forMessage(s.messages.get('many5')?.id ?? '')).toHaveLength(1);
  });

  it('matches receipts in a batch by the same tie-breaks as one by one', async () => {
    seq += 1;
    const seeded = await seedWorkspace(t.ctx, { name: `Ties ${seq}`, phoneNumber: `+1201555${7000 + seq}` });
    const { number, carrier } = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201555${7100 + seq}`);
    const worker = new SendWorker(t.ctx);
    const answers = ['32', '20', 'ABC', '0abc'];
    carrier.behaviour = async (_request, attempt) => ({ carrierMessageIds: [answers[attempt - 1] ?? 'unexpected'] });
    const sentIds: string[] = [];
    for (let i = 0; i < answers.length; i++) {
      sentIds.push((await send(t.ctx, seeded.workspace, number.phoneNumber, { to: `+12015557${300 + i}` })).id);
      await worker.drain();
    }
    await worker.stop();
    const matches = await t.ctx.db.repos.messages.findByCarrierMessageIds(
      ['32', '20', '2748', 'abc', '', 'nothing'].map((id) => ({ carrierId: carrier.id, carrierMessageId: id })),
    );
    const single = await Promise.all(
      ['32', '20', '2748', 'abc', '', 'nothing'].map((id) => t.ctx.db.repos.messages.findIdByCarrierMessageId(carrier.id, id)),
    );
    expect(matches.map((m) => m?.messageId ?? null)).toEqual(single);
    expect(matches.slice(0, 3).map((m) => m?.messageId)).toEqual([sentIds[0], sentIds[1], sentIds[3]]);
    expect(matches[0]).toMatchObject({ status: 'sent', carrierMessageIds: ['32'] });
  });
});
