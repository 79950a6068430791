import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { seedWorkspace, type SeededWorkspace } from '../../test/support/fixtures.js';
import { seedThread, sentHistory, waitingReceipts } from '../../test/support/carrier-history.js';
import { readingRows } from '../../test/support/rows-read.js';

/**
 * The lookups every submit response and every receipt batch makes, on a fresh store with
 * thousands of rows and no statistics yet (a new install, a new carrier, a table that grew
 * in minutes): they must read their few rows, not the carrier's whole history. Counted on
 * PostgreSQL, whose planner trusted "a few rows" and scanned; the answers are checked on both.
 */
describe.each(STORES)('carrier-id and waiting-receipt lookups on a fresh %s store', (kind) => {
  const MANY = 2000;
  /** Sent messages: big enough that reading all their ids is a plan PostgreSQL avoids when it can. */
  const HISTORY = 20_000;
  let t: TestContext;
  let seeded: SeededWorkspace;

  beforeEach(async () => {
    t = await createTestContext(kind);
    seeded = await seedWorkspace(t.ctx);
  });
  afterEach(async () => t?.cleanup());

  it('finds the messages a receipt batch names by reading their keys, not every id of the carrier', async () => {
    const messages = await sentHistory(t.ctx, seeded, await seedThread(t.ctx, seeded, '+12015557300'), HISTORY, 700_000);
    // A receipt batch's worth, spread over the carrier's history.
    const named = Array.from({ length: 30 }, (_, i) => i * Math.floor(HISTORY / 30));
    for (const table of ['carrier_message_keys', 'message_carrier_ids']) {
      const { result, rowsRead } = await readingRows(t, table, (repos) =>
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
    await waitingReceipts(t.ctx, seeded, MANY, 800_000, (i) => new Date(now - 1000 + (i % 1000)));
    const since = new Date(now - 60_000).toISOString();
    for (const table of ['delivery_receipts', 'delivery_receipt_keys']) {
      const { result, rowsRead } = await readingRows(t, table, (repos) => repos.receipts.unmatchedFor(seeded.carrierId, ['800017', '801999', '999999'], since));
      expect(result.map((receipt) => receipt.carrierMessageId).sort()).toEqual(['800017', '801999']);
      if (rowsRead !== null) expect(rowsRead, table).toBeLessThan(50);
    }
  });
});
