import { sql, type Kysely, type Selectable } from 'kysely';
import { carrierMessageIdKeys } from '../domain/carrier-message-id.js';
import { decodeCursor, encodeCursor, type Page } from './cursor.js';
import type { Database, DeliveryReceiptTable } from './schema.js';
import type { DialectName } from './database.js';

export interface StoredReceipt {
  id: string;
  carrierId: string;
  carrierMessageId: string;
  messageId: string | null;
  status: 'delivered' | 'undelivered';
  errorCode: string | null;
  raw: string | null;
  applied: boolean;
  receivedAt: string;
}

/**
 * Every delivery receipt is kept, matched or not. A receipt that arrives before its
 * submit response was stored waits here (message_id null) and is applied when the
 * carrier ids are recorded.
 */
export class ReceiptRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  /**
   * A receipt that overtook its submit response (no message yet) waits; its keys let the
   * message find it when the ids are stored, even written in another base or case.
   */
  async insert(receipt: StoredReceipt): Promise<void> {
    await this.insertMany([receipt]);
  }

  /**
   * `insert` for many receipts at once (the carrier sink records the receipts that arrive
   * together in one transaction): one statement for the receipts, one for the waiting ones'
   * lookup keys.
   */
  async insertMany(receipts: readonly StoredReceipt[]): Promise<void> {
    if (receipts.length === 0) return;
    await this.db
      .insertInto('delivery_receipts')
      .values(
        receipts.map((receipt) => ({
          id: receipt.id,
          carrier_id: receipt.carrierId,
          carrier_message_id: receipt.carrierMessageId,
          message_id: receipt.messageId,
          status: receipt.status,
          error_code: receipt.errorCode,
          raw: receipt.raw,
          applied: receipt.applied ? 1 : 0,
          received_at: receipt.receivedAt,
        })),
      )
      .execute();
    const keys = receipts
      .filter((receipt) => receipt.messageId === null)
      .flatMap((receipt) =>
        carrierMessageIdKeys(receipt.carrierMessageId).map((key) => ({
          receipt_id: receipt.id,
          carrier_id: receipt.carrierId,
          key,
        })),
      );
    if (keys.length > 0) await this.db.insertInto('delivery_receipt_keys').values(keys).execute();
  }

  /**
   * Waiting receipts for these carrier ids, received at `receivedSince` or later (see
   * RECEIPT_WAIT_MS: older ones are reported as unmatched, never applied). On PostgreSQL the
   * rows are locked: the worker and the receipt's own second look may both try to apply one
   * receipt, and the lock makes the later one wait, re-check `message_id is null` and skip
   * it, so a receipt is applied (and its `applied` flag written) exactly once. SQLite runs
   * one writer at a time.
   */
  async unmatchedFor(carrierId: string, carrierMessageIds: string[], receivedSince: string): Promise<StoredReceipt[]> {
    if (carrierMessageIds.length === 0) return [];
    const keys = [...new Set(carrierMessageIds.flatMap((id) => carrierMessageIdKeys(id)))];
    // Two steps, each with one sensible plan whatever the statistics say: the receipts these
    // keys name (the key-first lookup index), then those rows by primary key. As one query,
    // PostgreSQL without fresh statistics walked every waiting receipt of the carrier and
    // probed the keys for each: 2 s per call with 50,000 waiting.
    const named =
      keys.length > 0
        ? (
            await this.db
              .selectFrom('delivery_receipt_keys')
              .select('receipt_id')
              .where('key', 'in', keys)
              .where('carrier_id', '=', carrierId)
              .execute()
          ).map((row) => row.receipt_id)
        : // Only blank ids have no keys; they match by text.
          (
            await this.db
              .selectFrom('delivery_receipts')
              .select('id')
              .where('carrier_id', '=', carrierId)
              .where('carrier_message_id', 'in', carrierMessageIds)
              .execute()
          ).map((row) => row.id);
    if (named.length === 0) return [];
    const rows = await this.db
      .selectFrom('delivery_receipts')
      .selectAll()
      // No `message_id is null` here: it would steer PostgreSQL to the waiting-receipts index
      // and its whole range. Checked below instead, on the locked (latest) row versions.
      .where('id', 'in', [...new Set(named)])
      .where('received_at', '>=', receivedSince)
      .orderBy('received_at')
      .$if(this.dialect === 'postgres', (qb) => qb.forUpdate())
      .execute();
    return rows.filter((row) => row.message_id === null).map((row) => this.toReceipt(row));
  }

  /** `waited`: the receipt was stored unmatched, so it has lookup keys to remove. */
  /** `markMatched(…, applied = true, waited = true)` for many waiting receipts at once. */
  async markWaitingAppliedMany(matches: { id: string; messageId: string }[]): Promise<void> {
    if (matches.length === 0) return;
    await this.db
      .updateTable('delivery_receipts')
      .set({
        message_id: sql<string>`case id ${sql.join(
          matches.map((m) => sql`when ${m.id} then ${m.messageId}`),
          sql` `,
        )} end`,
        applied: 1,
      })
      .where('id', 'in', matches.map((m) => m.id))
      .execute();
    await this.db.deleteFrom('delivery_receipt_keys').where('receipt_id', 'in', matches.map((m) => m.id)).execute();
  }

  async markMatched(id: string, messageId: string, applied: boolean, waited = false): Promise<void> {
    await this.db
      .updateTable('delivery_receipts')
      .set({ message_id: messageId, applied: applied ? 1 : 0 })
      .where('id', '=', id)
      .execute();
    if (waited) await this.db.deleteFrom('delivery_receipt_keys').where('receipt_id', '=', id).execute();
  }

  async listUnmatched(limit: number): Promise<StoredReceipt[]> {
    const rows = await this.db
      .selectFrom('delivery_receipts')
      .selectAll()
      .where('message_id', 'is', null)
      .orderBy('received_at')
      .limit(limit)
      .execute();
    return rows.map((row) => this.toReceipt(row));
  }

  /**
   * One carrier's unmatched receipts received before `receivedBefore` (exclusive), newest
   * first, in keyset pages over (received_at, id). Served by the partial index
   * delivery_receipts_unmatched_idx (migration 0005).
   */
  async listUnmatchedForCarrier(
    carrierId: string,
    options: { receivedBefore: string; limit: number; cursor?: string },
  ): Promise<Page<StoredReceipt>> {
    const after = decodeCursor(options.cursor);
    let query = this.db
      .selectFrom('delivery_receipts')
      .selectAll()
      .where('carrier_id', '=', carrierId)
      .where('message_id', 'is', null)
      .where('received_at', '<', options.receivedBefore);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('received_at', '<', after.sort),
          eb.and([eb('received_at', '=', after.sort), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit + 1)
      .execute();
    const page = rows.slice(0, options.limit).map((row) => this.toReceipt(row));
    const last = page.at(-1);
    return {
      data: page,
      nextCursor: rows.length > options.limit && last ? encodeCursor({ sort: last.receivedAt, id: last.id }) : null,
    };
  }

  /** Unmatched receipts received before `receivedBefore`, per carrier; carriers with none are 0. */
  async countUnmatched(carrierIds: string[], receivedBefore: string): Promise<Map<string, number>> {
    const counts = new Map(carrierIds.map((id) => [id, 0]));
    if (carrierIds.length === 0) return counts;
    const rows = await this.db
      .selectFrom('delivery_receipts')
      .select(['carrier_id', (eb) => eb.fn.countAll().as('count')])
      .where('carrier_id', 'in', carrierIds)
      .where('message_id', 'is', null)
      .where('received_at', '<', receivedBefore)
      .groupBy('carrier_id')
      .execute();
    // PostgreSQL returns count(*) as a bigint string, SQLite as a number.
    for (const row of rows) counts.set(row.carrier_id, Number(row.count));
    return counts;
  }

  async forMessage(messageId: string): Promise<StoredReceipt[]> {
    const rows = await this.db
      .selectFrom('delivery_receipts')
      .selectAll()
      .where('message_id', '=', messageId)
      .orderBy('received_at')
      .execute();
    return rows.map((row) => this.toReceipt(row));
  }

  private toReceipt(row: Selectable<DeliveryReceiptTable>): StoredReceipt {
    return {
      id: row.id,
      carrierId: row.carrier_id,
      carrierMessageId: row.carrier_message_id,
      messageId: row.message_id,
      status: row.status as StoredReceipt['status'],
      errorCode: row.error_code,
      raw: row.raw,
      applied: Number(row.applied) === 1,
      receivedAt: row.received_at,
    };
  }
}

export interface UnroutedInbound {
  id: string;
  carrierId: string | null;
  from: string;
  to: string;
  body: string;
  carrierMessageId: string | null;
  receivedAt: string;
}

/** Inbound texts for numbers Parley does not know: kept and reported, never dropped. */
export class UnroutedRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(item: UnroutedInbound): Promise<void> {
    await this.db
      .insertInto('unrouted_inbound')
      .values({
        id: item.id,
        carrier_id: item.carrierId,
        from_phone: item.from,
        to_phone: item.to,
        body: item.body,
        carrier_message_id: item.carrierMessageId,
        received_at: item.receivedAt,
      })
      .execute();
  }

  async list(limit: number): Promise<UnroutedInbound[]> {
    const rows = await this.db.selectFrom('unrouted_inbound').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((row) => ({
      id: row.id,
      carrierId: row.carrier_id,
      from: row.from_phone,
      to: row.to_phone,
      body: row.body,
      carrierMessageId: row.carrier_message_id,
      receivedAt: row.received_at,
    }));
  }
}

export class IdempotencyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(workspaceId: string, key: string): Promise<{ requestHash: string; messageId: string } | null> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'message_id'])
      .where('workspace_id', '=', workspaceId)
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? { requestHash: row.request_hash, messageId: row.message_id } : null;
  }

  async insert(workspaceId: string, key: string, requestHash: string, messageId: string, at: string): Promise<void> {
    await this.db
      .insertInto('idempotency_keys')
      .values({ workspace_id: workspaceId, key, request_hash: requestHash, message_id: messageId, created_at: at })
      .execute();
  }
}
