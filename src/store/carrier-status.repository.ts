import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface ReportedCarrierStatus {
  carrierId: string;
  status: string;
  lastError: string | null;
}

/** What each process last reported about its carrier connections (migration 0009). */
export class CarrierStatusRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async report(processId: string, entries: ReportedCarrierStatus[], at: string): Promise<void> {
    if (entries.length === 0) return;
    await this.db
      .insertInto('carrier_status')
      .values(
        entries.map((entry) => ({
          carrier_id: entry.carrierId,
          process_id: processId,
          status: entry.status,
          last_error: entry.lastError,
          updated_at: at,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['carrier_id', 'process_id']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          last_error: eb.ref('excluded.last_error'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  /** Reports newer than `since`, by carrier. */
  async recent(carrierIds: string[], since: string): Promise<Map<string, ReportedCarrierStatus[]>> {
    const byCarrier = new Map<string, ReportedCarrierStatus[]>();
    if (carrierIds.length === 0) return byCarrier;
    const rows = await this.db
      .selectFrom('carrier_status')
      .selectAll()
      .where('carrier_id', 'in', carrierIds)
      .where('updated_at', '>', since)
      .execute();
    for (const row of rows) {
      const list = byCarrier.get(row.carrier_id) ?? [];
      list.push({ carrierId: row.carrier_id, status: row.status, lastError: row.last_error });
      byCarrier.set(row.carrier_id, list);
    }
    return byCarrier;
  }

  /** A process that stops cleanly withdraws its reports; a crashed one's go stale. */
  async forget(processId: string): Promise<void> {
    await this.db.deleteFrom('carrier_status').where('process_id', '=', processId).execute();
  }
}
