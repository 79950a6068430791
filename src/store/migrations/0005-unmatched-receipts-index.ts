import { sql, type Kysely } from 'kysely';

/**
 * Receipts that match no message are reported per carrier, newest first
 * (GET /v1/carriers/:id/unmatched-receipts, and the count on GET /v1/carriers/:id).
 * A partial index holds only the unmatched rows, so it stays as small as that backlog
 * however many matched receipts pile up; both SQLite and PostgreSQL support the
 * `where` clause, and both use the index for `carrier_id = ? and message_id is null
 * order by received_at desc`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('delivery_receipts_unmatched_idx')
    .on('delivery_receipts')
    .columns(['carrier_id', 'received_at'])
    .where(sql.ref('message_id'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('delivery_receipts_unmatched_idx').ifExists().execute();
}
