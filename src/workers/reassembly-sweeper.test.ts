import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, seedWorkspace, CUSTOMER } from '../../test/support/fixtures.js';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { handleInbound } from '../app/handle-inbound.js';
import { GAP_MARKER, INCOMPLETE_MESSAGE_CODE } from '../domain/reassembly.js';
import { ManualClock } from '../runtime/clock-and-ids.js';
import { ReassemblySweeper, sweepIntervalMs } from './reassembly-sweeper.js';

describe('sweepIntervalMs', () => {
  it('looks ten times per timeout, between once a second and every 30 seconds', () => {
    expect(sweepIntervalMs(300)).toBe(30_000);
    expect(sweepIntervalMs(60)).toBe(6000);
    expect(sweepIntervalMs(5)).toBe(1000);
    expect(sweepIntervalMs(3600)).toBe(30_000);
  });
});

describe.each(STORES)('ReassemblySweeper on %s', (kind) => {
  let t: TestContext;
  const clock = new ManualClock();

  beforeAll(async () => {
    t = await createTestContext(kind, {}, { clock });
  });
  afterAll(async () => t?.cleanup());

  it('releases an expired set on its own, and stops cleanly', async () => {
    const seeded = await seedWorkspace(t.ctx, { name: 'Sweep Dental' });
    await handleInbound(t.ctx, {
      carrierId: seeded.carrierId,
      from: CUSTOMER,
      to: seeded.number.phoneNumber,
      body: 'Only the first half',
      carrierMessageId: null,
      at: clock.now(),
      concat: { reference: 3, total: 2, sequence: 1 },
    });
    const sweeper = new ReassemblySweeper(t.ctx, { intervalMs: 10 });
    sweeper.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await t.ctx.db.repos.inboundParts.listOpen(10)).toHaveLength(1);
      clock.advance(t.ctx.config.reassemblyTimeoutSeconds * 1000);
      const contact = await eventually(() => t.ctx.db.repos.contacts.findByPhone(seeded.workspace.id, CUSTOMER));
      const page = await t.ctx.db.repos.conversations.list(seeded.workspace.id, 10);
      const conversation = page.data.find((c) => c.contactId === contact.id);
      const messages = await t.ctx.db.repos.messages.listForConversation(conversation?.id ?? '', 10);
      expect(messages.data).toEqual([
        expect.objectContaining({ body: `Only the first half ${GAP_MARKER}`, errorCode: INCOMPLETE_MESSAGE_CODE }),
      ]);
    } finally {
      await sweeper.stop();
    }
    // Nothing runs after stop: a new expired set stays put.
    await handleInbound(t.ctx, {
      carrierId: seeded.carrierId,
      from: CUSTOMER,
      to: seeded.number.phoneNumber,
      body: 'After stop',
      carrierMessageId: null,
      at: clock.now(),
      concat: { reference: 4, total: 2, sequence: 1 },
    });
    clock.advance(t.ctx.config.reassemblyTimeoutSeconds * 1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await t.ctx.db.repos.inboundParts.listOpen(10)).toHaveLength(1);
    expect(await sweeper.tick()).toBe(1);
  });
});
