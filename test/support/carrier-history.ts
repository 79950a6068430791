import type { AppContext } from '../../src/context.js';
import type { Conversation } from '../../src/domain/models.js';
import type { NewMessage } from '../../src/store/message.repository.js';
import type { StoredReceipt } from '../../src/store/receipt.repository.js';
import type { SeededWorkspace } from './fixtures.js';

/**
 * A carrier's history written straight through the repositories, fast enough for tens of
 * thousands of rows: messages it accepted (with their carrier ids and lookup keys) and
 * receipts still waiting for a message. Used by the lookup tests and the lookups bench.
 */

/** A thread of the seeded number and its customer's phone number. */
export type Thread = Conversation & { phoneNumber: string };

/** One thread of the seeded number with `phoneNumber`, created if new. */
export async function seedThread(ctx: AppContext, seeded: SeededWorkspace, phoneNumber: string): Promise<Thread> {
  const at = new Date().toISOString();
  const contact = await ctx.db.repos.contacts.findOrCreate({
    id: ctx.ids.next(),
    workspaceId: seeded.workspace.id,
    phoneNumber,
    name: null,
    attributes: {},
    optedOutAt: null,
    timeZone: null,
    consentReviewAt: null,
    createdAt: at,
    updatedAt: at,
  });
  const conversation = await ctx.db.repos.conversations.findOrCreate({
    id: ctx.ids.next(),
    workspaceId: seeded.workspace.id,
    numberId: seeded.number.id,
    contactId: contact.id,
    lastMessageAt: null,
    lastMessagePreview: null,
    createdAt: at,
  });
  return { ...conversation, phoneNumber };
}

/**
 * `count` messages in the thread, accepted by the seeded carrier with the decimal ids
 * `firstCarrierId`, `firstCarrierId + 1`, …: stored `sending`, then recorded `sent` in
 * chunks, as the worker records submit responses. Returns them in carrier-id order.
 */
export async function sentHistory(
  ctx: AppContext,
  seeded: SeededWorkspace,
  thread: Thread,
  count: number,
  firstCarrierId: number,
): Promise<NewMessage[]> {
  const at = new Date().toISOString();
  const messages: NewMessage[] = Array.from({ length: count }, () => ({
    id: ctx.ids.next(),
    workspaceId: seeded.workspace.id,
    conversationId: thread.id,
    numberId: seeded.number.id,
    contactId: thread.contactId,
    direction: 'outbound',
    from: seeded.number.phoneNumber,
    to: thread.phoneNumber,
    body: 'Your order has shipped.',
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
  }));
  for (let from = 0; from < count; from += 1000) {
    const chunk = messages.slice(from, from + 1000);
    await ctx.db.repos.messages.insertMany(chunk);
    await ctx.db.repos.messages.markSentMany(
      chunk.map((m, i) => ({ messageId: m.id, carrierId: seeded.carrierId, carrierMessageIds: [String(firstCarrierId + from + i)] })),
      at,
    );
  }
  return messages;
}

/**
 * `count` delivered receipts from the seeded carrier that match no message, for the decimal
 * ids `firstCarrierId`, …, received at `receivedAt(i)`.
 */
export async function waitingReceipts(
  ctx: AppContext,
  seeded: SeededWorkspace,
  count: number,
  firstCarrierId: number,
  receivedAt: (i: number) => Date,
): Promise<void> {
  for (let from = 0; from < count; from += 2000) {
    const receipts: StoredReceipt[] = [];
    for (let i = from; i < Math.min(count, from + 2000); i++) {
      receipts.push({
        id: ctx.ids.next(),
        carrierId: seeded.carrierId,
        carrierMessageId: String(firstCarrierId + i),
        messageId: null,
        status: 'delivered',
        errorCode: null,
        raw: null,
        applied: false,
        receivedAt: receivedAt(i).toISOString(),
      });
    }
    await ctx.db.repos.receipts.insertMany(receipts);
  }
}
