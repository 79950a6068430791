import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { seedWorkspace, type SeededWorkspace } from '../../test/support/fixtures.js';
import { rowsReadInTransaction } from '../../test/support/rows-read.js';
import type { Contact, Conversation } from '../domain/models.js';
import { openDatabase } from './database.js';
import { MessageRepository, type NewMessage } from './message.repository.js';
import { ReceiptRepository, type StoredReceipt } from './receipt.repository.js';

/**
 * The lookups every submit response and every receipt batch makes, on a fresh store with
 * thousands of rows and no statistics yet (a new install, a new carrier, a table that grew
 * in minutes): they must read their few rows, not the carrier's whole history. Counted on
 * PostgreSQL, whose planner trusted "a few rows" and scanned; the answers are checked on both.
 */
describe.each(STORES)('carrier-id and waiting-receipt lookups on a fresh %s store', (kind) => {
  const MANY = 2000;
  /** Sent messages: big enough that reading all their ids is a plan PostgreSQL avoids when it can. */
  const HISTORY = Number(process.env.H ?? 20_000);
  let t: TestContext;
  let seeded: SeededWorkspace;

  beforeEach(async () => {
    t = await createTestContext(kind);
    seeded = await seedWorkspace(t.ctx);
  });
  afterEach(async () => t?.cleanup());

  /** Runs `work` with repositories on a connection of its own, and counts what it read. */
  async function reading<T>(
    table: string,
    work: (repos: { messages: MessageRepository; receipts: ReceiptRepository }) => Promise<T>,
  ): Promise<{ result: T; rowsRead: number | null }> {
    const raw = openDatabase({ databaseUrl: t.ctx.config.databaseUrl, dataDir: t.ctx.config.dataDir });
    try {
      return await raw.db.transaction().execute(async (trx) => {
        const result = await work({
          messages: new MessageRepository(trx, raw.dialect, t.ctx.ids),
          receipts: new ReceiptRepository(trx, raw.dialect),
        });
        return { result, rowsRead: raw.dialect === 'postgres' ? await rowsReadInTransaction(trx, table) : null };
      });
    } finally {
      await raw.close();
    }
  }

  async function thread(): Promise<Conversation> {
    const at = new Date().toISOString();
    const contact: Contact = {
      id: t.ctx.ids.next(),
      workspaceId: seeded.workspace.id,
      phoneNumber: '+12015557300',
      name: null,
      attributes: {},
      optedOutAt: null,
      timeZone: null,
      consentReviewAt: null,
      createdAt: at,
      updatedAt: at,
    };
    const saved = await t.ctx.db.repos.contacts.findOrCreate(contact);
    return t.ctx.db.repos.conversations.findOrCreate({
      id: t.ctx.ids.next(),
      workspaceId: seeded.workspace.id,
      numberId: seeded.number.id,
      contactId: saved.id,
      lastMessageAt: null,
      lastMessagePreview: null,
      createdAt: at,
    });
  }

  function sending(conversation: Conversation, at: string): NewMessage {
    return {
      id: t.ctx.ids.next(),
      workspaceId: seeded.workspace.id,
      conversationId: conversation.id,
      numberId: seeded.number.id,
      contactId: conversation.contactId,
      direction: 'outbound',
      from: seeded.number.phoneNumber,
      to: '+12015557300',
      body: 'hello',
      category: 'transactional',
      status: 'sending',
      errorCode: null,
      errorMessage: null,
      encoding: 'GSM-7',
      segments: 1,
      carrierId: seeded.carrierId,
      carrierMessageIds: [],
      consentExempt: false,
      attempts: 1,
      sendAt: null,
      createdAt: at,
      updatedAt: at,
      scheduledAt: null,
      queuedAt: at,
      sendingAt: at,
      sentAt: null,
      deliveredAt: null,
      undeliveredAt: null,
      failedAt: null,
      canceledAt: null,
      receivedAt: null,
      priority: 5,
      nextAttemptAt: null,
    };
  }

  it('finds the messages a receipt batch names by reading their keys, not every id of the carrier', async () => {
    const conversation = await thread();
    const at = new Date().toISOString();
    const messages = Array.from({ length: HISTORY }, () => sending(conversation, at));
    for (let from = 0; from < HISTORY; from += 1000) {
      const chunk = messages.slice(from, from + 1000);
      await t.ctx.db.repos.messages.insertMany(chunk);
      await t.ctx.db.repos.messages.markSentMany(
        chunk.map((m, i) => ({ messageId: m.id, carrierId: seeded.carrierId, carrierMessageIds: [String(700_000 + from + i)] })),
        at,
      );
    }
    // A receipt batch's worth, spread over the carrier's history.
    const named = Array.from({ length: 30 }, (_, i) => i * Math.floor(HISTORY / 30));
    for (const table of ['carrier_message_keys', 'message_carrier_ids']) {
      const { result, rowsRead } = await reading(table, (repos) =>
        repos.messages.findByCarrierMessageIds(named.map((i) => ({ carrierId: seeded.carrierId, carrierMessageId: String(700_000 + i) }))),
      );
      expect(result.map((match) => match?.messageId)).toEqual(named.map((i) => messages[i]?.id));
      expect(result.map((match) => match?.carrierMessageIds)).toEqual(named.map((i) => [String(700_000 + i)]));
      // A few rows per id named (each id has a key or two), never the carrier's whole history.
      if (rowsRead !== null) expect(rowsRead, table).toBeLessThan(named.length * 4);
    }
  });

  it('finds the waiting receipts for new carrier ids by their keys, not by walking every waiting receipt', async () => {
    const now = Date.now();
    const waiting: StoredReceipt[] = Array.from({ length: MANY }, (_, i) => ({
      id: t.ctx.ids.next(),
      carrierId: seeded.carrierId,
      carrierMessageId: String(800_000 + i),
      messageId: null,
      status: 'delivered',
      errorCode: null,
      raw: null,
      applied: false,
      receivedAt: new Date(now - 1000 + (i % 1000)).toISOString(),
    }));
    await t.ctx.db.repos.receipts.insertMany(waiting);
    const since = new Date(now - 60_000).toISOString();
    for (const table of ['delivery_receipts', 'delivery_receipt_keys']) {
      const { result, rowsRead } = await reading(table, (repos) => repos.receipts.unmatchedFor(seeded.carrierId, ['800017', '801999', '999999'], since));
      expect(result.map((receipt) => receipt.carrierMessageId).sort()).toEqual(['800017', '801999']);
      if (rowsRead !== null) expect(rowsRead, table).toBeLessThan(50);
    }
  });
});
