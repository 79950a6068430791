import { afterEach, describe, expect, it } from 'vitest';
import { sendBatch } from '../app/send-batch.js';
import { handleInbound } from '../app/handle-inbound.js';
import { seedWorkspace } from '../../test/support/fixtures.js';
import { fakeNumber, installFakeCarriers } from '../../test/support/pipeline.js';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { SendWorker } from './send-worker.js';

const CAMPAIGN_NUMBER = '+12015550170';
const recipient = (i: number): string => `+1201555${String(3000 + i).padStart(4, '0')}`;

/**
 * STOP arrives while a campaign message to that customer is queued: it must not be sent.
 * The claim reads consent with the contact share-locked (PostgreSQL), and the last step
 * before the carrier call checks it again, so once a STOP is recorded no carrier call for
 * that customer starts. A message already handed to the carrier before the STOP was
 * recorded is the only one that may go.
 */
describe.each(STORES)('a STOP racing a queued campaign on %s', (kind) => {
  let t: TestContext | null = null;
  afterEach(async () => {
    await t?.cleanup();
    t = null;
  });

  it('a STOP recorded before the claim cancels the queued message; the carrier never sees it', async () => {
    t = await createTestContext(kind);
    const fakes = installFakeCarriers(t.ctx);
    const seeded = await seedWorkspace(t.ctx);
    const { number, carrier } = await fakeNumber(t.ctx, fakes, seeded.workspace, CAMPAIGN_NUMBER);
    const [result] = await sendBatch(t.ctx, seeded.workspace, { from: number.phoneNumber, body: 'Sale!', category: 'marketing', recipients: [{ to: recipient(0) }] });
    await handleInbound(t.ctx, { carrierId: carrier.id, from: recipient(0), to: CAMPAIGN_NUMBER, body: 'Stop', carrierMessageId: null, at: new Date() });
    await new SendWorker(t.ctx).drain();
    expect(await t.ctx.db.repos.messages.findById(result?.id ?? '')).toMatchObject({ status: 'canceled', errorCode: 'recipient_opted_out' });
    // Only the opt-out confirmation went out, to the customer who asked.
    expect(carrier.submits.map((s) => s.body)).toEqual([expect.stringMatching(/unsubscribed/)]);
  });

  it('a STOP recorded after the claim but before the carrier call still stops it', async () => {
    t = await createTestContext(kind);
    const fakes = installFakeCarriers(t.ctx);
    const seeded = await seedWorkspace(t.ctx);
    const { number, carrier } = await fakeNumber(t.ctx, fakes, seeded.workspace, CAMPAIGN_NUMBER);
    // One submit at a time, and the first one hangs until released: the second message is
    // claimed and waits at the carrier's window.
    carrier.capacity = 1;
    let release: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => {
      release = resolve;
    });
    carrier.behaviour = async (request, attempt) => {
      if (attempt === 1) await hanging;
      return { carrierMessageIds: [`FAKE-${request.messageId}`] };
    };
    const [first, second] = await sendBatch(t.ctx, seeded.workspace, {
      from: number.phoneNumber,
      body: 'Sale!',
      category: 'marketing',
      recipients: [{ to: recipient(1) }, { to: recipient(2) }],
    });
    const worker = new SendWorker(t.ctx);
    worker.start();
    try {
      const claimed = async () =>
        carrier.submits.length === 1 && (await t?.ctx.db.repos.messages.findById(second?.id ?? ''))?.status === 'sending';
      for (let i = 0; i < 1500 && !(await claimed()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await claimed()).toBe(true);
      expect(carrier.submits).toHaveLength(1);
      await handleInbound(t.ctx, { carrierId: carrier.id, from: recipient(2), to: CAMPAIGN_NUMBER, body: 'STOP', carrierMessageId: null, at: new Date() });
      release();
      // The running worker settles both (drain() beside a running loop could race its claims).
      const settled = async () => {
        const [a, b] = await Promise.all([first, second].map((r) => t?.ctx.db.repos.messages.findById(r?.id ?? '')));
        return a?.status === 'sent' && b?.status === 'canceled';
      };
      for (let i = 0; i < 1500 && !(await settled()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      release();
      await worker.stop();
    }
    expect(await t.ctx.db.repos.messages.findById(first?.id ?? '')).toMatchObject({ status: 'sent' });
    const stopped = await t.ctx.db.repos.messages.findById(second?.id ?? '');
    expect(stopped, JSON.stringify(await t.ctx.db.repos.messages.eventsOf(second?.id ?? ''))).toMatchObject({ status: 'canceled', errorCode: 'recipient_opted_out' });
    expect(carrier.submits.filter((s) => s.body === 'Sale!').map((s) => s.to)).toEqual([recipient(1)]);
  });

  it('while the worker sends a campaign, no carrier call for a customer starts after their STOP was recorded', async () => {
    t = await createTestContext(kind, { workerConcurrency: 8 });
    const ctx = t.ctx;
    const fakes = installFakeCarriers(ctx);
    const seeded = await seedWorkspace(ctx);
    // ~150 messages/s, so the campaign takes over a second and the STOPs land throughout.
    const { number, carrier } = await fakeNumber(ctx, fakes, seeded.workspace, CAMPAIGN_NUMBER, { mps: 150 });
    const customers = Array.from({ length: 240 }, (_, i) => recipient(i));
    const results = await sendBatch(ctx, seeded.workspace, {
      from: number.phoneNumber,
      body: 'Spring sale: 20% off',
      category: 'marketing',
      recipients: customers.map((to) => ({ to })),
    });
    expect(results.every((r) => r.id)).toBe(true);

    const worker = new SendWorker(ctx);
    worker.start();
    // Every second customer texts STOP while the campaign is going out, one after another,
    // from the back of the queue: the first STOPs come before their message is claimed, the
    // last ones race the claims or come after the message went.
    const stopRecordedAt = new Map<string, number>();
    try {
      for (let i = customers.length - 2; i >= 0; i -= 2) {
        const from = customers[i] ?? '';
        await handleInbound(ctx, { carrierId: carrier.id, from, to: CAMPAIGN_NUMBER, body: 'STOP', carrierMessageId: null, at: new Date() });
        stopRecordedAt.set(from, Date.now());
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      // The running worker finishes the campaign (drain() beside a running loop could race its claims).
      const ids = results.map((r) => r.id ?? '');
      const finished = async () =>
        (await Promise.all(ids.map((id) => ctx.db.repos.messages.findById(id)))).every((m) => m && ['sent', 'delivered', 'canceled'].includes(m.status));
      for (let i = 0; i < 3000 && !(await finished()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await worker.stop();
    }

    const campaignSubmits = carrier.submits.filter((submit) => submit.body === 'Spring sale: 20% off');
    const messages = await Promise.all(results.map((r) => ctx.db.repos.messages.findById(r.id ?? '')));
    // A message claimed after its customer's STOP was recorded never reaches the carrier.
    const submittedIds = new Set(campaignSubmits.map((s) => s.messageId));
    const late = messages.filter((message) => {
      const stoppedAt = message ? stopRecordedAt.get(message.to) : undefined;
      return message && stoppedAt !== undefined && submittedIds.has(message.id) && Date.parse(message.sendingAt ?? '') > stoppedAt;
    });
    expect(late).toEqual([]);
    // Each campaign message reached a final word: sent to those who did not stop, canceled
    // (never submitted) for the others unless it had already gone.
    const submittedTo = new Set(campaignSubmits.map((s) => s.to));
    for (const message of messages) {
      expect(message).not.toBeNull();
      if (!message) continue;
      if (submittedTo.has(message.to)) expect(['sent', 'delivered']).toContain(message.status);
      else expect(message).toMatchObject({ status: 'canceled', errorCode: 'recipient_opted_out' });
    }
    // The race happened: some stopped customers were reached before their STOP, some not.
    const stopped = [...stopRecordedAt.keys()];
    expect(stopped.some((to) => !submittedTo.has(to))).toBe(true);
    expect(customers.filter((to) => !stopRecordedAt.has(to)).every((to) => submittedTo.has(to))).toBe(true);
  });
});
