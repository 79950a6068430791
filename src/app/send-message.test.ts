import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { CUSTOMER, OTHER_CUSTOMER, seedWorkspace, type SeededWorkspace } from '../../test/support/fixtures.js';
import { reload } from '../../test/support/pipeline.js';
import { SendWorker } from '../workers/send-worker.js';
import { cancelMessage } from './cancel-message.js';
import { sendBatch } from './send-batch.js';
import { sendMessage } from './send-message.js';

async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe.each(STORES)('sending use-cases on %s', (kind) => {
  let t: TestContext;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => t?.cleanup());

  async function seed(): Promise<SeededWorkspace> {
    seq += 1;
    return seedWorkspace(t.ctx, { name: `Store ${seq}`, phoneNumber: `+1201555${7000 + seq}` });
  }

  async function outboundCount(seeded: SeededWorkspace): Promise<number> {
    const counts = await t.ctx.db.repos.messages.countByStatus(seeded.workspace.id);
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  it('queues a message in the thread of (number, contact), reading national forms', async () => {
    const seeded = await seed();
    const { message, replayed } = await sendMessage(t.ctx, seeded.workspace, {
      from: seeded.number.phoneNumber.slice(2),
      to: '(201) 555-0123',
      body: 'Hi 😀',
    });
    expect(replayed).toBe(false);
    expect(message).toMatchObject({
      status: 'queued',
      direction: 'outbound',
      from: seeded.number.phoneNumber,
      to: CUSTOMER,
      encoding: 'UCS-2',
      segments: 1,
      category: 'conversational',
    });
    const again = await sendMessage(t.ctx, seeded.workspace, { from: seeded.number.phoneNumber, to: CUSTOMER, body: 'Again' });
    expect(again.message.conversationId).toBe(message.conversationId);
  });

  it('refuses a recipient who opted out, queuing nothing', async () => {
    const seeded = await seed();
    const { message } = await sendMessage(t.ctx, seeded.workspace, { from: seeded.number.phoneNumber, to: CUSTOMER, body: 'One' });
    await t.ctx.db.repos.contacts.writeConsentCopy(message.contactId, { optedOutAt: new Date().toISOString() }, new Date().toISOString());
    const before = await outboundCount(seeded);
    const error = await caught(() =>
      sendMessage(t.ctx, seeded.workspace, { from: seeded.number.phoneNumber, to: CUSTOMER, body: 'Two' }),
    );
    expect(error).toMatchObject({ code: 'recipient_opted_out', field: 'to', httpStatus: 422 });
    expect(await outboundCount(seeded)).toBe(before);
  });

  it('names the field of a bad request', async () => {
    const seeded = await seed();
    const from = seeded.number.phoneNumber;
    expect(await caught(() => sendMessage(t.ctx, seeded.workspace, { from, to: '+1 555 555 0100', body: 'x' }))).toMatchObject({
      code: 'invalid_number',
      field: 'to',
    });
    expect(await caught(() => sendMessage(t.ctx, seeded.workspace, { from, to: CUSTOMER, body: '  ' }))).toMatchObject({
      code: 'validation_error',
      field: 'body',
    });
    expect(await caught(() => sendMessage(t.ctx, seeded.workspace, { from: '+12015559999', to: CUSTOMER, body: 'x' }))).toMatchObject({
      code: 'sender_not_found',
      field: 'from',
    });
    expect(
      await caught(() => sendMessage(t.ctx, seeded.workspace, { from, to: CUSTOMER, body: 'x', sendAt: 'tomorrow' })),
    ).toMatchObject({ code: 'validation_error', field: 'sendAt' });
    const other = await seed();
    expect(
      await caught(() => sendMessage(t.ctx, other.workspace, { from: seeded.number.phoneNumber, to: CUSTOMER, body: 'x' })),
    ).toMatchObject({ code: 'sender_not_found' });
  });

  it('answers a repeated Idempotency-Key with the first message, and refuses it for another body', async () => {
    const seeded = await seed();
    const input = { from: seeded.number.phoneNumber, to: CUSTOMER, body: 'Your code is 4242', idempotencyKey: 'key-1' };
    const first = await sendMessage(t.ctx, seeded.workspace, input);
    const second = await sendMessage(t.ctx, seeded.workspace, input);
    expect(second).toMatchObject({ replayed: true, message: { id: first.message.id } });
    expect(await caught(() => sendMessage(t.ctx, seeded.workspace, { ...input, body: 'Your code is 9999' }))).toMatchObject({
      code: 'idempotency_key_reused',
    });
    // Keys belong to a workspace.
    const other = await seed();
    const elsewhere = await sendMessage(t.ctx, other.workspace, { ...input, from: other.number.phoneNumber });
    expect(elsewhere.replayed).toBe(false);
  });

  it('creates one message when requests with one Idempotency-Key race', async () => {
    const seeded = await seed();
    const input = { from: seeded.number.phoneNumber, to: OTHER_CUSTOMER, body: 'Once only', idempotencyKey: `race-${kind}` };
    const results = await Promise.all(Array.from({ length: 4 }, () => sendMessage(t.ctx, seeded.workspace, input)));
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await outboundCount(seeded)).toBe(1);
  });

  it('sends a batch with a result per recipient; a bad row never sinks the others', async () => {
    const seeded = await seed();
    const optedOut = await sendMessage(t.ctx, seeded.workspace, { from: seeded.number.phoneNumber, to: OTHER_CUSTOMER, body: 'x' });
    await t.ctx.db.repos.contacts.writeConsentCopy(optedOut.message.contactId, { optedOutAt: new Date().toISOString() }, new Date().toISOString());
    const results = await sendBatch(t.ctx, seeded.workspace, {
      from: seeded.number.phoneNumber,
      body: 'Hi {{name}}, your order {{order}} shipped',
      recipients: [
        { to: '201-555-0123', name: 'Ana', order: 'A1' },
        { to: 'abc', name: 'Bo', order: 'B2' },
        { to: '+12015550125', name: 'Cy' },
        { to: OTHER_CUSTOMER, name: 'Di', order: 'D4' },
        { to: '+12015550126', name: 'Ed', order: 'E5' },
      ],
    });
    expect(results.map((r) => [r.to, r.error?.code ?? r.status])).toEqual([
      [CUSTOMER, 'queued'],
      ['abc', 'invalid_number'],
      ['+12015550125', 'validation_error'],
      [OTHER_CUSTOMER, 'recipient_opted_out'],
      ['+12015550126', 'queued'],
    ]);
    expect(results[1]?.error?.field).toBe('recipients.1.to');
    expect(results[2]?.error?.field).toBe('recipients.2.body');
    const first = await reload(t.ctx, results[0]?.id ?? '');
    expect(first).toMatchObject({ body: 'Hi Ana, your order A1 shipped', category: 'marketing' });
  });

  it('cancels a queued or scheduled message, but not one the carrier may have', async () => {
    const seeded = await seed();
    const from = seeded.number.phoneNumber;
    const queued = await sendMessage(t.ctx, seeded.workspace, { from, to: CUSTOMER, body: 'Cancel me' });
    const canceled = await cancelMessage(t.ctx, seeded.workspace, queued.message.id);
    expect(canceled).toMatchObject({ status: 'canceled', errorCode: 'canceled_by_user' });
    expect(canceled.canceledAt).not.toBeNull();

    const later = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await sendMessage(t.ctx, seeded.workspace, { from, to: CUSTOMER, body: 'Later', sendAt: later });
    expect(scheduled.message.status).toBe('scheduled');
    expect((await cancelMessage(t.ctx, seeded.workspace, scheduled.message.id)).status).toBe('canceled');

    const gone = await sendMessage(t.ctx, seeded.workspace, { from, to: CUSTOMER, body: 'Too late' });
    await new SendWorker(t.ctx).drain();
    expect(await caught(() => cancelMessage(t.ctx, seeded.workspace, gone.message.id))).toMatchObject({
      code: 'not_cancelable',
    });
    expect(await caught(() => cancelMessage(t.ctx, seeded.workspace, canceled.id))).toMatchObject({ code: 'not_cancelable' });
    const other = await seed();
    expect(await caught(() => cancelMessage(t.ctx, other.workspace, queued.message.id))).toMatchObject({ code: 'not_found' });
    // Canceled messages are never handed to the carrier.
    expect((await reload(t.ctx, queued.message.id)).status).toBe('canceled');
    expect((await reload(t.ctx, scheduled.message.id)).status).toBe('canceled');
  });
});
