import type { Kysely } from 'kysely';

/**
 * Receipts a carrier sent that could not be read at all (no message id, garbled text). They
 * were kept in the adapter's memory: per process, lost on restart, and invisible to an API
 * process without its own connection. Stored, they are reported like unmatched receipts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('unparseable_receipts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('carrier_id', 'text', (c) => c.notNull().references('carriers.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('unparseable_receipts_carrier_idx')
    .on('unparseable_receipts')
    .columns(['carrier_id', 'received_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('unparseable_receipts').ifExists().execute();
}
