import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { openDatabase } from './database.js';
import type { StoredReceipt } from './receipt.repository.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

describe.each(STORES)('unmatched receipts in the store on %s', (kind) => {
  let t: TestContext;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => t?.cleanup());

  /** Ids are chosen so that the id order disagrees with the time order (paging must use both). */
  async function receipt(carrierId: string, receivedAt: string, overrides: Partial<StoredReceipt> = {}): Promise<string> {
    seq += 1;
    const id = `r-${kind}-${String(1000 - seq).padStart(4, '0')}`;
    await t.ctx.db.repos.receipts.insert({
      id,
      carrierId,
      carrierMessageId: `CMID-${seq}`,
      messageId: null,
      status: 'delivered',
      errorCode: null,
      raw: `id:CMID-${seq} stat:DELIVRD`,
      applied: false,
      receivedAt,
      ...overrides,
    });
    return id;
  }

  it('has a partial index on (carrier_id, received_at) for the unmatched rows (migration 0005)', async () => {
    const raw = openDatabase({ databaseUrl: t.ctx.config.databaseUrl, dataDir: t.ctx.config.dataDir });
    const db = raw.db;
    const definition =
      kind === 'sqlite'
        ? (await sql<{ sql: string }>`select sql from sqlite_master where type = 'index' and name = 'delivery_receipts_unmatched_idx'`.execute(db)).rows[0]?.sql
        : (await sql<{ indexdef: string }>`select indexdef from pg_indexes where indexname = 'delivery_receipts_unmatched_idx'`.execute(db)).rows[0]?.indexdef;
    await raw.close();
    expect(definition).toBeDefined();
    expect(definition?.replace(/"/g, '').toLowerCase()).toMatch(/\(carrier_id, received_at\).*where.*message_id is null/);
  });

  it('lists one carrier’s unmatched receipts older than the cut-off, newest first, in stable pages', async () => {
    const carrier = `car-list-${kind}`;
    const oldest = await receipt(carrier, at(0));
    const tieA = await receipt(carrier, at(10));
    const tieB = await receipt(carrier, at(10));
    const newer = await receipt(carrier, at(20));
    const matched = await receipt(carrier, at(25));
    await t.ctx.db.repos.receipts.markMatched(matched, 'some-message', true, true);
    const tooYoung = await receipt(carrier, at(100));
    await receipt(`car-other-${kind}`, at(5));

    const repos = t.ctx.db.repos.receipts;
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await repos.listUnmatchedForCarrier(carrier, {
        receivedBefore: at(100),
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      pages += 1;
      seen.push(...page.data.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const [first, second] = [tieA, tieB].sort().reverse();
    expect(seen).toEqual([newer, first, second, oldest]);
    expect(pages).toBe(2);
    expect(seen).not.toContain(matched);
    expect(seen).not.toContain(tooYoung);

    const one = await repos.listUnmatchedForCarrier(carrier, { receivedBefore: at(100), limit: 1 });
    expect(one.data).toEqual([
      expect.objectContaining({ id: newer, carrierId: carrier, messageId: null, status: 'delivered', receivedAt: at(20) }),
    ]);
    expect(one.nextCursor).not.toBeNull();

    expect(await repos.countUnmatched([carrier, `car-other-${kind}`, `car-none-${kind}`], at(100))).toEqual(
      new Map([
        [carrier, 4],
        [`car-other-${kind}`, 1],
        [`car-none-${kind}`, 0],
      ]),
    );
    expect((await repos.countUnmatched([carrier], at(101))).get(carrier)).toBe(5);
    expect(await repos.countUnmatched([], at(100))).toEqual(new Map());
  });
});
