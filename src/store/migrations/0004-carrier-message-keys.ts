import type { Kysely } from 'kysely';
import { carrierMessageIdKeys } from '../../domain/carrier-message-id.js';

/**
 * Lookup keys for carrier message ids (see src/domain/carrier-message-id.ts), so a receipt
 * naming "2591" finds the message the SMSC called "0A1F". Keys are computed in TypeScript,
 * not SQL, so both dialects agree byte for byte.
 *
 * - carrier_message_keys: one row per key of each part id a carrier gave a message.
 *   Not unique on (carrier_id, key): a decimal-looking id has two readings, so one key can
 *   name two messages, and the repository ranks them.
 * - delivery_receipt_keys: the same for receipts still waiting for their message (the
 *   receipt overtook its submit response). Rows go when the receipt is matched, so the
 *   table stays as small as the backlog of waiting receipts.
 *
 * Existing ids and waiting receipts are backfilled, so messages sent before the upgrade
 * still meet their receipts.
 */
// A type alias (not an interface) so it meets withTables' index-signature constraint.
type BackfillTables = {
  message_carrier_ids: { carrier_id: string; carrier_message_id: string; message_id: string; part_index: number };
  carrier_message_keys: { carrier_id: string; key: string; message_id: string; part_index: number };
  delivery_receipts: { id: string; carrier_id: string; carrier_message_id: string; message_id: string | null };
  delivery_receipt_keys: { receipt_id: string; carrier_id: string; key: string };
};

const BATCH = 500;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('carrier_message_keys')
    .addColumn('carrier_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('part_index', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('carrier_message_keys_lookup_idx').on('carrier_message_keys').columns(['carrier_id', 'key']).execute();

  await db.schema
    .createTable('delivery_receipt_keys')
    .addColumn('receipt_id', 'text', (c) => c.notNull().references('delivery_receipts.id').onDelete('cascade'))
    .addColumn('carrier_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('delivery_receipt_keys_lookup_idx').on('delivery_receipt_keys').columns(['carrier_id', 'key']).execute();
  // markMatched deletes a receipt's keys by its id.
  await db.schema.createIndex('delivery_receipt_keys_receipt_idx').on('delivery_receipt_keys').column('receipt_id').execute();

  await backfill(db.withTables<BackfillTables>());
}

async function backfill(db: Kysely<BackfillTables>): Promise<void> {
  // Keyset pages over the primary key (carrier_id, carrier_message_id).
  let afterCarrier = '';
  let afterId = '';
  for (;;) {
    const rows = await db
      .selectFrom('message_carrier_ids')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('carrier_id', '>', afterCarrier),
          eb.and([eb('carrier_id', '=', afterCarrier), eb('carrier_message_id', '>', afterId)]),
        ]),
      )
      .orderBy('carrier_id')
      .orderBy('carrier_message_id')
      .limit(BATCH)
      .execute();
    const keys = rows.flatMap((row) =>
      carrierMessageIdKeys(row.carrier_message_id).map((key) => ({
        carrier_id: row.carrier_id,
        key,
        message_id: row.message_id,
        part_index: row.part_index,
      })),
    );
    if (keys.length > 0) await db.insertInto('carrier_message_keys').values(keys).execute();
    const last = rows.at(-1);
    if (!last || rows.length < BATCH) break;
    afterCarrier = last.carrier_id;
    afterId = last.carrier_message_id;
  }

  let afterReceipt = '';
  for (;;) {
    const rows = await db
      .selectFrom('delivery_receipts')
      .select(['id', 'carrier_id', 'carrier_message_id'])
      .where('message_id', 'is', null)
      .where('id', '>', afterReceipt)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    const keys = rows.flatMap((row) =>
      carrierMessageIdKeys(row.carrier_message_id).map((key) => ({ receipt_id: row.id, carrier_id: row.carrier_id, key })),
    );
    if (keys.length > 0) await db.insertInto('delivery_receipt_keys').values(keys).execute();
    const last = rows.at(-1);
    if (!last || rows.length < BATCH) break;
    afterReceipt = last.id;
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('delivery_receipt_keys').ifExists().execute();
  await db.schema.dropTable('carrier_message_keys').ifExists().execute();
}
