/**
 * The lookups every submit response and every receipt batch makes, against a carrier with a
 * long history: the waiting-receipt lookup (`ReceiptRepository.unmatchedFor`) with many
 * receipts waiting or never matched, and the carrier-id lookup (`findByCarrierMessageIds`)
 * with many messages sent. Each is timed at a small history (the baseline) and a large one,
 * on a fresh store (no statistics yet, as after a new install or for a new carrier): the
 * ratio should stay near 1, not grow with the history.
 *
 *   BENCH_LOOKUP_HISTORY=50000   rows of history in the large case (the small one is 1,000)
 */
import { performance } from 'node:perf_hooks';
import type { NewMessage } from '../src/store/message.repository.js';
import type { StoredReceipt } from '../src/store/receipt.repository.js';
import { createTestContext, type StoreKind } from '../test/support/test-context.js';
import { seedWorkspace } from '../test/support/fixtures.js';

const SMALL = 1000;
/** Ids per lookup: a receipt batch's worth. */
const NAMED = 30;
const REPEATS = 20;

async function timeLookups(kind: StoreKind, history: number): Promise<{ waitingMs: number; carrierIdsMs: number }> {
  const t = await createTestContext(kind);
  try {
    const seeded = await seedWorkspace(t.ctx);
    const repos = t.ctx.db.repos;
    const now = Date.now();
    const at = new Date(now).toISOString();

    // Receipts waiting for their message within the last few minutes (never matched).
    for (let from = 0; from < history; from += 2000) {
      const receipts: StoredReceipt[] = [];
      for (let i = from; i < Math.min(history, from + 2000); i++) {
        receipts.push({
          id: t.ctx.ids.next(),
          carrierId: seeded.carrierId,
          carrierMessageId: String(900_000_000 + i),
          messageId: null,
          status: 'delivered',
          errorCode: null,
          raw: null,
          applied: false,
          receivedAt: new Date(now - 120_000 + (i % 100_000)).toISOString(),
        });
      }
      await repos.receipts.insertMany(receipts);
    }

    // Messages the carrier accepted, each with its carrier id.
    const contact = await repos.contacts.findOrCreate({
      id: t.ctx.ids.next(),
      workspaceId: seeded.workspace.id,
      phoneNumber: '+12015557400',
      name: null,
      attributes: {},
      optedOutAt: null,
      timeZone: null,
      consentReviewAt: null,
      createdAt: at,
      updatedAt: at,
    });
    const conversation = await repos.conversations.findOrCreate({
      id: t.ctx.ids.next(),
      workspaceId: seeded.workspace.id,
      numberId: seeded.number.id,
      contactId: contact.id,
      lastMessageAt: null,
      lastMessagePreview: null,
      createdAt: at,
    });
    for (let from = 0; from < history; from += 1000) {
      const messages: NewMessage[] = [];
      for (let i = from; i < Math.min(history, from + 1000); i++) {
        messages.push({
          id: t.ctx.ids.next(),
          workspaceId: seeded.workspace.id,
          conversationId: conversation.id,
          numberId: seeded.number.id,
          contactId: contact.id,
          direction: 'outbound',
          from: seeded.number.phoneNumber,
          to: contact.phoneNumber,
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
        });
      }
      await repos.messages.insertMany(messages);
      await repos.messages.markSentMany(
        messages.map((m, j) => ({ messageId: m.id, carrierId: seeded.carrierId, carrierMessageIds: [String(500_000_000 + from + j)] })),
        at,
      );
    }

    const step = Math.floor(history / NAMED);
    const newIds = Array.from({ length: NAMED }, (_, i) => String(100_000 + i));
    const sentRefs = Array.from({ length: NAMED }, (_, i) => ({ carrierId: seeded.carrierId, carrierMessageId: String(500_000_000 + i * step) }));
    const since = new Date(now - 600_000).toISOString();
    const timed = async (work: () => Promise<unknown>): Promise<number> => {
      await work(); // warm: prepared statements, caches
      const start = performance.now();
      for (let i = 0; i < REPEATS; i++) await work();
      return (performance.now() - start) / REPEATS;
    };
    return {
      waitingMs: await timed(() => t.ctx.db.transaction((trx) => trx.receipts.unmatchedFor(seeded.carrierId, newIds, since))),
      carrierIdsMs: await timed(() => repos.messages.findByCarrierMessageIds(sentRefs)),
    };
  } finally {
    await t.cleanup();
  }
}

export async function benchLookups(kind: StoreKind, history = Number(process.env.BENCH_LOOKUP_HISTORY ?? 50_000)): Promise<void> {
  const small = await timeLookups(kind, SMALL);
  const large = await timeLookups(kind, history);
  const line = (name: string, base: number, big: number): string =>
    `lookups ${kind.padEnd(8)} ${name.padEnd(34)} ${big.toFixed(2).padStart(7)} ms at ${history.toLocaleString('en-US')}  ` +
    `baseline ${base.toFixed(2)} ms at ${SMALL.toLocaleString('en-US')}  ratio ${(big / base).toFixed(1)}x`;
  console.log(line(`waiting receipts for ${NAMED} new ids`, small.waitingMs, large.waitingMs));
  console.log(line(`messages for ${NAMED} carrier ids`, small.carrierIdsMs, large.carrierIdsMs));
}
