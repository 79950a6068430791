import type { Kysely } from 'kysely';

/**
 * A multipart message is delivered when every part's receipt is in, so applying a receipt
 * reads the message's earlier receipts (`ReceiptRepository.forMessage`). Without an index that
 * read scanned every receipt ever stored: it grew with the table and, in the end-to-end
 * benchmark, was the largest single cost of applying a receipt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('delivery_receipts_message_idx').on('delivery_receipts').columns(['message_id', 'received_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('delivery_receipts_message_idx').ifExists().execute();
}
