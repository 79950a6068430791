import { createCarrierSink } from './carrier-sink.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { seedWorkspace, type SeededWorkspace } from '../../test/support/fixtures.js';
import { fakeNumber, installFakeCarriers, reload, send, type FakeCarrier } from '../../test/support/pipeline.js';
import type { DeliveryReceipt, UnparseableReceipt } from '../carriers/carrier.js';
import { AppError } from '../domain/errors.js';
import { ManualClock } from '../runtime/clock-and-ids.js';
import { SendWorker } from '../workers/send-worker.js';
import { getCarrier, listCarriers } from './carrier.service.js';
import { recordReceipt } from './record-receipt.js';
import { listUnmatchedReceipts, UNMATCHED_RECEIPT_GRACE_MS } from './unmatched-receipts.js';

describe.each(STORES)('unmatched receipts report on %s', (kind) => {
  let t: TestContext;
  let clock: ManualClock;
  let fakes: Map<string, FakeCarrier>;
  let worker: SendWorker | undefined;
  let seq = 0;

  beforeAll(async () => {
    clock = new ManualClock();
    t = await createTestContext(kind, {}, { clock });
    fakes = installFakeCarriers(t.ctx);
  });
  afterEach(async () => worker?.stop());
  afterAll(async () => t?.cleanup());

  async function seed(): Promise<{ seeded: SeededWorkspace; fake: FakeCarrier; phone: string }> {
    seq += 1;
    const seeded = await seedWorkspace(t.ctx, { name: `Receipts ${seq}`, phoneNumber: `+1201555${6000 + seq}` });
    const { number, carrier } = await fakeNumber(t.ctx, fakes, seeded.workspace, `+1201555${7000 + seq}`);
    return { seeded, fake: carrier, phone: number.phoneNumber };
  }

  function receipt(fake: FakeCarrier, carrierMessageId: string, overrides: Partial<DeliveryReceipt> = {}): DeliveryReceipt {
    return {
      carrierId: fake.id,
      carrierMessageId,
      status: 'undelivered',
      errorCode: 'unknown_subscriber',
      raw: `id:${carrierMessageId} stat:UNDELIV err:001`,
      at: clock.now(),
      ...overrides,
    };
  }

  it('reports a receipt for an unknown id once the grace period has passed, and counts it', async () => {
    const { seeded, fake } = await seed();
    await recordReceipt(t.ctx, receipt(fake, 'GHOST-1'));
    const receivedAt = clock.now().toISOString();

    // Still within the grace period: probably waiting for its submit response.
    clock.advance(UNMATCHED_RECEIPT_GRACE_MS - 1000);
    expect((await listUnmatchedReceipts(t.ctx, seeded.workspace, fake.id, { limit: 50 })).data).toEqual([]);
    expect((await getCarrier(t.ctx, seeded.workspace, fake.id)).unmatchedReceipts).toBe(0);

    clock.advance(2000);
    const report = await listUnmatchedReceipts(t.ctx, seeded.workspace, fake.id, { limit: 50 });
    expect(report).toEqual({
      data: [
        expect.objectContaining({
          carrierId: fake.id,
          carrierMessageId: 'GHOST-1',
          messageId: null,
          status: 'undelivered',
          errorCode: 'unknown_subscriber',
          raw: 'id:GHOST-1 stat:UNDELIV err:001',
          receivedAt,
        }),
      ],
      nextCursor: null,
      unparseable: [],
    });
    expect((await getCarrier(t.ctx, seeded.workspace, fake.id)).unmatchedReceipts).toBe(1);
    const listed = await listCarriers(t.ctx, seeded.workspace);
    expect(listed.find((c) => c.id === fake.id)?.unmatchedReceipts).toBe(1);
    expect(listed.find((c) => c.id === seeded.carrierId)?.unmatchedReceipts).toBe(0);
  });

  it('does not report a receipt that overtook its submit response once it has matched', async () => {
    const { seeded, fake, phone } = await seed();
    await recordReceipt(t.ctx, receipt(fake, 'EARLY-1', { status: 'delivered', errorCode: null }));
    fake.behaviour = async () => ({ carrierMessageIds: ['EARLY-1'] });
    const queued = await send(t.ctx, seeded.workspace, phone);
    worker = new SendWorker(t.ctx);
    await worker.drain();
    expect(await reload(t.ctx, queued.id)).toMatchObject({ status: 'delivered' });

    clock.advance(UNMATCHED_RECEIPT_GRACE_MS * 10);
    expect((await listUnmatchedReceipts(t.ctx, seeded.workspace, fake.id, { limit: 50 })).data).toEqual([]);
    expect((await getCarrier(t.ctx, seeded.workspace, fake.id)).unmatchedReceipts).toBe(0);
  });

  it('pages newest first and honours `before`', async () => {
    const { seeded, fake } = await seed();
    const times: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      times.push(clock.now().toISOString());
      await recordReceipt(t.ctx, receipt(fake, `PAGE-${i}`));
      clock.advance(1000);
    }
    clock.advance(UNMATCHED_RECEIPT_GRACE_MS);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listUnmatchedReceipts(t.ctx, seeded.workspace, fake.id, {
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((r) => r.carrierMessageId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['PAGE-4', 'PAGE-3', 'PAGE-2', 'PAGE-1', 'PAGE-0']);

    const before = await listUnmatchedReceipts(t.ctx, seeded.workspace, fake.id, { limit: 50, before: times[2] });
    expect(before.data.map((r) => r.carrierMessageId)).toEqual(['PAGE-1', 'PAGE-0']);
    await expect(
      listUnmatchedReceipts(t.ctx, seeded.workspace, fake.id, { limit: 50, before: 'yesterday' }),
    ).rejects.toMatchObject({ code: 'validation_error', field: 'before' });
  });

  it('adds the receipts the adapter could not parse, stored through the sink, newest first', async () => {
    const { seeded, fake } = await seed();
    const garbled: UnparseableReceipt[] = [
      { reason: 'no message id in the TLVs or the text', raw: 'stat:DELIVRD', at: new Date('2026-01-01T11:00:00.000Z') },
      { reason: 'parser error: bad date', raw: 'id: sub:001 done date:99', at: new Date('2026-01-01T11:05:00.000Z') },
    ];
    const sink = createCarrierSink(t.ctx);
    for (const receipt of garbled) await sink.unparseableReceipt?.({ ...receipt, carrierId: fake.id });
    const report = await listUnmatchedReceipts(t.ctx, seeded.workspace, fake.id, { limit: 50 });
    expect(report.unparseable).toEqual([garbled[1], garbled[0]]);
    // Stored, so any process reports them, and after a restart.
    const restarted = await t.twin();
    try {
      expect((await listUnmatchedReceipts(restarted, seeded.workspace, fake.id, { limit: 50 })).unparseable).toHaveLength(2);
    } finally {
      await restarted.db.close();
    }
  });

  it('is not_found for a carrier of another workspace, or none at all', async () => {
    const mine = await seed();
    const theirs = await seed();
    await recordReceipt(t.ctx, receipt(theirs.fake, 'THEIRS-1'));
    clock.advance(UNMATCHED_RECEIPT_GRACE_MS * 2);
    for (const id of [theirs.fake.id, 'no-such-carrier']) {
      const attempt = listUnmatchedReceipts(t.ctx, mine.seeded.workspace, id, { limit: 50 });
      await expect(attempt).rejects.toBeInstanceOf(AppError);
      await expect(attempt).rejects.toMatchObject({ code: 'not_found' });
    }
  });
});
