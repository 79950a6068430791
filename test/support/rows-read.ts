import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../../src/store/database.js';
import { MessageRepository } from '../../src/store/message.repository.js';
import { ReceiptRepository } from '../../src/store/receipt.repository.js';
import type { Database } from '../../src/store/schema.js';
import type { TestContext } from './test-context.js';

/**
 * PostgreSQL: rows of `table` the current transaction has read so far, by any kind of scan
 * (`pg_stat_xact_user_tables`). A count of work, not a timing: it tells a lookup that reads
 * its few rows from one that reads a whole table, however fast the machine is.
 */
export async function rowsReadInTransaction(trx: Kysely<Database>, table: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) as n
    from pg_stat_xact_user_tables where relname = ${table}`.execute(trx);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Runs `work` in one transaction on a connection of its own, with repositories bound to it,
 * and counts the rows of `table` it read (PostgreSQL; null on SQLite, which keeps no count).
 */
export async function readingRows<T>(
  t: TestContext,
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
