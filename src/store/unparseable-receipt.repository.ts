import type { Kysely } from 'kysely';
import type { UnparseableReceipt } from '../carriers/carrier.js';
import type { Database } from './schema.js';

export interface StoredUnparseableReceipt extends UnparseableReceipt {
  id: string;
  carrierId: string;
}

/** Receipts a carrier sent that could not be read (migration 0010): kept and reported. */
export class UnparseableReceiptRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(receipt: StoredUnparseableReceipt): Promise<void> {
    await this.db
      .insertInto('unparseable_receipts')
      .values({
        id: receipt.id,
        carrier_id: receipt.carrierId,
        reason: receipt.reason,
        raw: receipt.raw,
        received_at: receipt.at.toISOString(),
      })
      .execute();
  }

  /** Newest first. */
  async recentForCarrier(carrierId: string, limit: number): Promise<UnparseableReceipt[]> {
    const rows = await this.db
      .selectFrom('unparseable_receipts')
      .select(['reason', 'raw', 'received_at'])
      .where('carrier_id', '=', carrierId)
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ reason: row.reason, raw: row.raw, at: new Date(row.received_at) }));
  }
}
