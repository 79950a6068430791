import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { eventually, seedWorkspace, type SeededWorkspace } from '../../test/support/fixtures.js';
import { fakeNumber, installFakeCarriers, reload, send, type FakeCarrier } from '../../test/support/pipeline.js';
import type { DeliveryReceipt } from '../carriers/carrier.js';
import type { Message } from '../domain/models.js';
import { SendWorker } from '../workers/send-worker.js';
import { RECEIPT_WAIT_MS, recordReceipt, waitingSince } from './record-receipt.js';

describe.each(STORES)('recordReceipt on %s', (kind) => {
  let t: TestContext;
  let fakes: Map<string, FakeCarrier>;
  let worker: SendWorker;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestContext(kind);
    fakes = installFakeCarriers(t.ctx);
  });
  afterEach(async () => worker?.stop());
  afterAll(async () => t?.cleanup());

  /** A workspace whose number is on a fake carrier: receipts come only from the test. */
  async function seed(): Promise<{ seeded: SeededWorkspace; fake: FakeCarrier; phone: string }> {
    seq += 1;
    worker = new SendWorker(t.ctx);
    const seeded = await seedWorkspace(t.ctx, { name: `Shop ${seq}`, phoneNumber: `+1201555${4000 + seq}` });
    const { number, carrier } = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201555${5000 + seq}`);
    return { seeded, fake: carrier, phone: number.phoneNumber };
  }

  function receipt(fake: FakeCarrier, carrierMessageId: string, overrides: Partial<DeliveryReceipt> = {}): DeliveryReceipt {
    return { carrierId: fake.id, carrierMessageId, status: 'delivered', errorCode: null, raw: null, at: new Date(), ...overrides };
  }

  /** Queues a message and lets the worker submit it; the fake carrier answers with `ids`. */
  async function sent(ids: string[], body?: string): Promise<{ message: Message; fake: FakeCarrier }> {
    const { seeded, fake, phone } = await seed();
    fake.behaviour = async () => ({ carrierMessageIds: ids });
    const queued = await send(t.ctx, seeded.workspace, phone, body === undefined ? {} : { body });
    await worker.drain();
    const message = await reload(t.ctx, queued.id);
    expect(message).toMatchObject({ status: 'sent', carrierMessageIds: ids });
    return { message, fake };
  }

  it('applies a delivered receipt to a sent message', async () => {
    const { message, fake } = await sent([`A-${kind}`]);
    const updated = await recordReceipt(t.ctx, receipt(fake, `A-${kind}`, { raw: 'id:A stat:DELIVRD' }));
    expect(updated).toMatchObject({ id: message.id, status: 'delivered' });
    expect(await t.ctx.db.repos.receipts.forMessage(message.id)).toMatchObject([
      { carrierMessageId: `A-${kind}`, status: 'delivered', applied: true, raw: 'id:A stat:DELIVRD' },
    ]);
  });

  it('never applies a receipt that waited longer than RECEIPT_WAIT_MS to a new message: carriers recycle ids', async () => {
    const { seeded, fake, phone } = await seed();
    const recycled = `RECYCLED-${kind}`;
    // A receipt for this id from long ago, whose message Parley never had the id of (another
    // system on the same account, or a submit whose response was lost).
    const old = new Date(Date.now() - RECEIPT_WAIT_MS - 60_000);
    expect(await recordReceipt(t.ctx, receipt(fake, recycled, { status: 'undelivered', at: old }))).toBeNull();
    // Today's message gets the same id back from the carrier.
    fake.behaviour = async () => ({ carrierMessageIds: [recycled] });
    const queued = await send(t.ctx, seeded.workspace, phone);
    await worker.drain();
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'sent', carrierMessageIds: [recycled] });
    // The old receipt stays in the unmatched report; the message's own receipt settles it.
    expect((await t.ctx.db.repos.receipts.listUnmatched(1000)).map((r) => r.carrierMessageId)).toContain(recycled);
    expect(await recordReceipt(t.ctx, receipt(fake, recycled))).toMatchObject({ id: queued.id, status: 'delivered' });
  });

  it('applies an undelivered receipt with its error code, or a generic one', async () => {
    const first = await sent([`U1-${kind}`]);
    await recordReceipt(t.ctx, receipt(first.fake, `U1-${kind}`, { status: 'undelivered', errorCode: 'unknown_subscriber' }));
    expect(await reload(t.ctx, first.message.id)).toMatchObject({ status: 'undelivered', errorCode: 'unknown_subscriber' });
    const second = await sent([`U2-${kind}`]);
    await recordReceipt(t.ctx, receipt(second.fake, `U2-${kind}`, { status: 'undelivered' }));
    expect(await reload(t.ctx, second.message.id)).toMatchObject({ status: 'undelivered', errorCode: 'carrier_undelivered' });
  });

  it('keeps a receipt that arrives before the carrier ids were stored, and applies it once they are', async () => {
    const { seeded, fake, phone } = await seed();
    const early = `EARLY-${kind}`;
    fake.behaviour = async () => ({ carrierMessageIds: [early] });
    const queued = await send(t.ctx, seeded.workspace, phone);
    // The carrier's receipt overtakes its own submit response.
    expect(await recordReceipt(t.ctx, receipt(fake, early))).toBeNull();
    expect((await t.ctx.db.repos.receipts.listUnmatched(1000)).map((r) => r.carrierMessageId)).toContain(early);
    await worker.drain();
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'delivered', carrierMessageIds: [early] });
    expect((await t.ctx.db.repos.receipts.listUnmatched(1000)).map((r) => r.carrierMessageId)).not.toContain(early);
    expect(await t.ctx.db.repos.receipts.forMessage(queued.id)).toMatchObject([{ applied: true }]);
    const applied = (await t.ctx.db.repos.messages.eventsOf(queued.id)).filter((e) => e.applied).map((e) => e.status);
    expect(applied).toEqual(['sending', 'sent', 'delivered']);
  });

  it('matches a receipt whose id differs in hex / decimal / case / leading zeros', async () => {
    // Unique per store and test run, so ids from other tests cannot collide with these.
    const base = 0xa1f0000n + BigInt(kind === 'sqlite' ? 1 : 2) * 0x100n;
    const forms: Array<[string, (n: bigint) => string]> = [
      ['decimal receipt for a hex id', (n) => n.toString(10)],
      ['lower case', (n) => n.toString(16)],
      ['leading zeros', (n) => `0000${n.toString(16).toUpperCase()}`],
      ['0x prefix', (n) => `0x${n.toString(16)}`],
    ];
    for (const [index, [label, receiptForm]] of forms.entries()) {
      const n = base + BigInt(index);
      const { message, fake } = await sent([n.toString(16).toUpperCase()]);
      const updated = await recordReceipt(t.ctx, receipt(fake, receiptForm(n)));
      expect(updated, label).toMatchObject({ id: message.id, status: 'delivered' });
    }
    // And the other way round: a decimal submit id, a hex receipt.
    const { message, fake } = await sent([`00${(base + 99n).toString(10)}`]);
    expect(await recordReceipt(t.ctx, receipt(fake, (base + 99n).toString(16)))).toMatchObject({ id: message.id, status: 'delivered' });
  });

  it('prefers the message whose id has the receipt\'s exact text when a key names two', async () => {
    const { seeded, fake, phone } = await seed();
    // "20" read as hex is 32: both messages carry the key 32.
    const ids = ['32', '20'];
    fake.behaviour = async (_request, attempt) => ({ carrierMessageIds: [ids[attempt - 1] ?? 'unexpected'] });
    const first = await send(t.ctx, seeded.workspace, phone, { to: '+12015556201' });
    await worker.drain();
    const second = await send(t.ctx, seeded.workspace, phone, { to: '+12015556202' });
    await worker.drain();
    // The exact text wins over the more recent message...
    expect(await recordReceipt(t.ctx, receipt(fake, '32'))).toMatchObject({ id: first.id, status: 'delivered' });
    expect(await reload(t.ctx, second.id)).toMatchObject({ status: 'sent' });
    expect(await recordReceipt(t.ctx, receipt(fake, '20'))).toMatchObject({ id: second.id, status: 'delivered' });
  });

  it('prefers the most recent message when no candidate has the exact text', async () => {
    const { seeded, fake, phone } = await seed();
    // A carrier that reuses an id: the later message is the one the receipt is about.
    fake.behaviour = async (_request, attempt) => ({ carrierMessageIds: [attempt === 1 ? 'ABC' : '0abc'] });
    await send(t.ctx, seeded.workspace, phone, { to: '+12015556211' });
    await worker.drain();
    const later = await send(t.ctx, seeded.workspace, phone, { to: '+12015556212' });
    await worker.drain();
    expect(await recordReceipt(t.ctx, receipt(fake, '2748'))).toMatchObject({ id: later.id, status: 'delivered' });
  });

  it('matches a receipt that arrives before its submit response, in another representation', async () => {
    const { seeded, fake, phone } = await seed();
    const n = 0x7fe0000n + BigInt(kind === 'sqlite' ? 1 : 2);
    fake.behaviour = async () => ({ carrierMessageIds: [n.toString(16)] });
    const queued = await send(t.ctx, seeded.workspace, phone);
    expect(await recordReceipt(t.ctx, receipt(fake, `000${n.toString(10)}`))).toBeNull();
    await worker.drain();
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'delivered', carrierMessageIds: [n.toString(16)] });
    expect(await t.ctx.db.repos.receipts.forMessage(queued.id)).toMatchObject([{ applied: true }]);
    expect(await t.ctx.db.repos.receipts.unmatchedFor(fake.id, [n.toString(16)], waitingSince(t.ctx.clock))).toEqual([]);
  });

  it('delivers a multipart message when its parts\' receipts name them in another base', async () => {
    const parts = ['1F00A', '1F00B', '1F00C'].map((p) => `${p}${kind === 'sqlite' ? 1 : 2}`);
    const { message, fake } = await sent(parts, 'Part. '.repeat(60));
    const decimal = parts.map((p) => BigInt(`0x${p}`).toString(10));
    await recordReceipt(t.ctx, receipt(fake, decimal[0] ?? ''));
    await recordReceipt(t.ctx, receipt(fake, (parts[2] ?? '').toLowerCase()));
    expect(await reload(t.ctx, message.id)).toMatchObject({ status: 'sent' });
    await recordReceipt(t.ctx, receipt(fake, decimal[1] ?? ''));
    expect(await reload(t.ctx, message.id)).toMatchObject({ status: 'delivered' });
  });

  it('keeps a receipt whose id matches no representation unmatched', async () => {
    const { message, fake } = await sent([`CAFE0${kind === 'sqlite' ? 1 : 2}`]);
    expect(await recordReceipt(t.ctx, receipt(fake, 'cafe03'))).toBeNull();
    expect(await reload(t.ctx, message.id)).toMatchObject({ status: 'sent' });
  });

  it('records a late or duplicate receipt after delivered without moving the message', async () => {
    const id = `DUP-${kind}`;
    const { message, fake } = await sent([id]);
    await recordReceipt(t.ctx, receipt(fake, id));
    const deliveredAt = (await reload(t.ctx, message.id)).deliveredAt;
    expect(await recordReceipt(t.ctx, receipt(fake, id))).toBeNull();
    expect(await recordReceipt(t.ctx, receipt(fake, id, { status: 'undelivered', errorCode: 'expired' }))).toBeNull();
    expect(await reload(t.ctx, message.id)).toMatchObject({ status: 'delivered', errorCode: null, deliveredAt, undeliveredAt: null });
    const stored = await t.ctx.db.repos.receipts.forMessage(message.id);
    expect(stored.map((r) => [r.status, r.applied])).toEqual([
      ['delivered', true],
      ['delivered', false],
      ['undelivered', false],
    ]);
    const events = (await t.ctx.db.repos.messages.eventsOf(message.id)).filter((e) => e.kind === 'receipt');
    expect(events.map((e) => [e.status, e.applied])).toEqual([
      ['delivered', true],
      ['delivered', false],
      ['undelivered', false],
    ]);
  });

  it('never drops a receipt that matches no message', async () => {
    const { fake } = await seed();
    const orphan = `ORPHAN-${kind}`;
    expect(await recordReceipt(t.ctx, receipt(fake, orphan, { status: 'undelivered', raw: 'raw pdu' }))).toBeNull();
    expect(await t.ctx.db.repos.receipts.listUnmatched(1000)).toContainEqual(
      expect.objectContaining({ carrierId: fake.id, carrierMessageId: orphan, status: 'undelivered', raw: 'raw pdu', messageId: null }),
    );
  });

  it('matches receipts by carrier as well as id', async () => {
    const { message, fake } = await sent([`SHARED-${kind}`]);
    const other = await seed();
    await recordReceipt(t.ctx, receipt(other.fake, `SHARED-${kind}`));
    expect(await reload(t.ctx, message.id)).toMatchObject({ status: 'sent' });
    await recordReceipt(t.ctx, receipt(fake, `SHARED-${kind}`));
    expect(await reload(t.ctx, message.id)).toMatchObject({ status: 'delivered' });
  });

  it('delivers a multipart message when its last part is delivered, in any order', async () => {
    const parts = [`P1-${kind}`, `P2-${kind}`, `P3-${kind}`];
    const { message, fake } = await sent(parts, 'Part. '.repeat(60));
    await recordReceipt(t.ctx, receipt(fake, parts[2] ?? ''));
    await recordReceipt(t.ctx, receipt(fake, parts[0] ?? ''));
    expect(await reload(t.ctx, message.id)).toMatchObject({ status: 'sent' });
    await recordReceipt(t.ctx, receipt(fake, parts[1] ?? ''));
    expect(await reload(t.ctx, message.id)).toMatchObject({ status: 'delivered' });
  });

  it('makes a multipart message undelivered when any part is', async () => {
    const parts = [`Q1-${kind}`, `Q2-${kind}`];
    const { message, fake } = await sent(parts, 'Part. '.repeat(40));
    await recordReceipt(t.ctx, receipt(fake, parts[0] ?? ''));
    await recordReceipt(t.ctx, receipt(fake, parts[1] ?? '', { status: 'undelivered', errorCode: 'absent_subscriber' }));
    expect(await reload(t.ctx, message.id)).toMatchObject({ status: 'undelivered', errorCode: 'absent_subscriber' });
  });

  it('delivers a multipart message when the receipts of its parts arrive at once', async () => {
    const { seeded, fake, phone } = await seed();
    const pending: Array<Promise<unknown>> = [];
    // All parts' receipts race each other and the worker's write of the ids.
    fake.behaviour = async (request) => {
      const ids = [1, 2, 3].map((part) => `MP-${request.messageId}-${part}`);
      pending.push(
        new Promise((resolve) => setImmediate(resolve)).then(() =>
          Promise.all(ids.map((id) => recordReceipt(t.ctx, receipt(fake, id)))),
        ),
      );
      return { carrierMessageIds: ids };
    };
    const queued: Message[] = [];
    for (let i = 0; i < 10; i++) {
      queued.push(await send(t.ctx, seeded.workspace, phone, { to: `+1201555${6100 + i}`, body: 'Part. '.repeat(60) }));
    }
    await worker.drain();
    await Promise.all(pending);
    for (const m of queued) {
      expect((await reload(t.ctx, m.id)).status).toBe('delivered');
      expect(await t.ctx.db.repos.receipts.forMessage(m.id)).toHaveLength(3);
    }
  });

  it('applies every receipt exactly once when receipts race the submit responses', async () => {
    const { seeded, fake, phone } = await seed();
    const pending: Array<Promise<unknown>> = [];
    // Each receipt is sent the moment the carrier answers, racing the worker's write of the ids.
    fake.behaviour = async (request) => {
      const id = `RACE-${request.messageId}`;
      pending.push(
        new Promise((resolve) => setImmediate(resolve)).then(() => recordReceipt(t.ctx, receipt(fake, id))),
      );
      return { carrierMessageIds: [id] };
    };
    const queued: Message[] = [];
    for (let i = 0; i < 20; i++) {
      queued.push(await send(t.ctx, seeded.workspace, phone, { to: `+1201555${6000 + i}` }));
    }
    await worker.drain();
    await Promise.all(pending);
    for (const m of queued) {
      const final = await eventually(async () => {
        const current = await reload(t.ctx, m.id);
        return current.status === 'delivered' && current;
      }, 3000);
      expect(final.status).toBe('delivered');
      expect((await t.ctx.db.repos.receipts.forMessage(m.id)).map((r) => r.applied)).toEqual([true]);
      const delivered = (await t.ctx.db.repos.messages.eventsOf(m.id)).filter((e) => e.status === 'delivered');
      expect(delivered.map((e) => e.applied)).toEqual([true]);
    }
  });
});
