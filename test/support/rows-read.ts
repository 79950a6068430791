import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';

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
