import { sql, type Kysely } from 'kysely';

/**
 * Parts of concatenated inbound texts, held until their set is complete or times out.
 * Written to disk as they arrive, so a restart between two parts loses nothing.
 *
 * A set's parts stay behind as "released" rows (released_at, released_as) for a while
 * after the message is built: a carrier that redelivers a part is then recognised rather
 * than starting a new set. Only open parts are unique per key and sequence, because a
 * reference number is reused by the sender's phone once it rolls over.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inbound_parts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('carrier_id', 'text', (c) => c.notNull())
    .addColumn('from_phone', 'text', (c) => c.notNull())
    .addColumn('to_phone', 'text', (c) => c.notNull())
    .addColumn('reference', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('carrier_message_id', 'text')
    // The carrier's time for this part; the built message is received when its last part was.
    .addColumn('received_at', 'text', (c) => c.notNull())
    // Parley's time for the set's first part, and the deadline that follows from it.
    .addColumn('first_received_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    // Copies of this part that arrived later with a different text (kept the first).
    .addColumn('conflicting_copies', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('released_at', 'text')
    .addColumn('released_as', 'text')
    .execute();

  // A duplicate part of an open set is a no-op, whatever the caller checked before.
  await db.schema
    .createIndex('inbound_parts_open_unique')
    .on('inbound_parts')
    .columns(['carrier_id', 'from_phone', 'to_phone', 'reference', 'total', 'sequence'])
    .unique()
    .where(sql.ref('released_at'), 'is', null)
    .execute();
  // Reads a set (open or released) by its key.
  await db.schema
    .createIndex('inbound_parts_key_idx')
    .on('inbound_parts')
    .columns(['carrier_id', 'from_phone', 'to_phone', 'reference', 'total', 'sequence'])
    .execute();
  // The sweeper: open sets past their deadline, released rows past their retention.
  await db.schema.createIndex('inbound_parts_expiry_idx').on('inbound_parts').columns(['released_at', 'expires_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('inbound_parts').ifExists().execute();
}
