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
import { createTestContext, type StoreKind } from '../test/support/test-context.js';
import { seedWorkspace } from '../test/support/fixtures.js';
import { seedThread, sentHistory, waitingReceipts } from '../test/support/carrier-history.js';
import { waitingSince } from '../src/app/record-receipt.js';

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
    // Receipts waiting for their message within the last few minutes (never matched), and
    // messages the carrier accepted, each with its carrier id.
    await waitingReceipts(t.ctx, seeded, history, 900_000_000, (i) => new Date(now - 120_000 + (i % 100_000)));
    await sentHistory(t.ctx, seeded, await seedThread(t.ctx, seeded, '+12015557400'), history, 500_000_000);

    const step = Math.floor(history / NAMED);
    const newIds = Array.from({ length: NAMED }, (_, i) => String(100_000 + i));
    const sentRefs = Array.from({ length: NAMED }, (_, i) => ({ carrierId: seeded.carrierId, carrierMessageId: String(500_000_000 + i * step) }));
    const since = waitingSince(t.ctx.clock);
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
