import type { Kysely } from 'kysely';

/**
 * The carrier-id lookup indexes lead with the key instead of the carrier (migration 0004
 * made them (carrier_id, key)). A receipt names one key; with the carrier first, PostgreSQL
 * without fresh statistics for a carrier (a new carrier, a table that grew fast) read every
 * key of that carrier and filtered — every message that carrier ever sent, for every receipt
 * batch. With the key first there is no such scan to pick: a lookup reads the rows of its keys.
 */
const LOOKUPS = [
  { index: 'carrier_message_keys_lookup_idx', table: 'carrier_message_keys' },
  { index: 'delivery_receipt_keys_lookup_idx', table: 'delivery_receipt_keys' },
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const { index, table } of LOOKUPS) {
    await db.schema.dropIndex(index).execute();
    await db.schema.createIndex(index).on(table).columns(['key', 'carrier_id']).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const { index, table } of LOOKUPS) {
    await db.schema.dropIndex(index).execute();
    await db.schema.createIndex(index).on(table).columns(['carrier_id', 'key']).execute();
  }
}
