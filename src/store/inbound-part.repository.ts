import { sql, type Kysely, type Selectable } from 'kysely';
import type { PartSetKey } from '../domain/reassembly.js';
import type { DialectName } from './database.js';
import type { Database, InboundPartTable } from './schema.js';

export interface InboundPart extends PartSetKey {
  id: string;
  sequence: number;
  body: string;
  carrierMessageId: string | null;
  /** The carrier's time for this part. */
  receivedAt: string;
  /** Parley's time for the set's first part; the same on every part of a set. */
  firstReceivedAt: string;
  /** When the set is released even if incomplete; the same on every part of a set. */
  expiresAt: string;
  /** Later copies of this part whose text differed (the first copy is the one kept). */
  conflictingCopies: number;
  releasedAt: string | null;
  /** The message (or unrouted inbound) id the set became. */
  releasedAs: string | null;
}

/** Keeps PostgreSQL advisory locks of this table apart from any other user of them. */
const LOCK_NAMESPACE = 0x5061_7274; // "Part"

/**
 * Parts of concatenated inbound texts. A set is "open" until released (built into a
 * message); released rows are kept for a while to recognise redelivered parts, then purged.
 */
export class InboundPartRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Serialises everyone working on one set until the transaction ends. Call first, inside
   * the transaction. On PostgreSQL two final parts arriving together would each insert
   * their own row, miss the other's uncommitted one, and both decide "not complete yet";
   * the set would then wait for the timeout and come out marked incomplete although every
   * part is here. Row locks cannot help, since the rows that matter do not exist yet, so
   * this takes a transaction-scoped advisory lock on a hash of the key (a collision only
   * makes two unrelated sets wait for each other). SQLite runs one writer at a time.
   */
  async lockSet(key: PartSetKey): Promise<void> {
    if (this.dialect !== 'postgres') return;
    await sql`select pg_advisory_xact_lock(${sql.lit(LOCK_NAMESPACE)}, hashtext(${lockName(key)}::text))`.execute(this.db);
  }

  /** The open set's parts, by sequence. */
  async openParts(key: PartSetKey): Promise<InboundPart[]> {
    const rows = await this.whereKey(this.db.selectFrom('inbound_parts').selectAll(), key)
      .where('released_at', 'is', null)
      .orderBy('sequence')
      .execute();
    return rows.map(toPart);
  }

  /**
   * The id a released set became, if it held this exact part (same sequence, same text):
   * the carrier is redelivering. A different text under the same key is a new message
   * whose sender's reference counter came round again.
   */
  async findReleasedCopy(key: PartSetKey, sequence: number, body: string): Promise<string | null> {
    const row = await this.whereKey(this.db.selectFrom('inbound_parts').select(['released_as', 'released_at']), key)
      .where('sequence', '=', sequence)
      .where('body', '=', body)
      .where('released_at', 'is not', null)
      .orderBy('released_at', 'desc')
      .executeTakeFirst();
    return row?.released_as ?? null;
  }

  /** Stores a part; false when the open set already holds its sequence (nothing changes). */
  async insert(part: InboundPart): Promise<boolean> {
    const result = await this.db
      .insertInto('inbound_parts')
      .values({
        id: part.id,
        carrier_id: part.carrierId,
        from_phone: part.from,
        to_phone: part.to,
        reference: part.reference,
        total: part.total,
        sequence: part.sequence,
        body: part.body,
        carrier_message_id: part.carrierMessageId,
        received_at: part.receivedAt,
        first_received_at: part.firstReceivedAt,
        expires_at: part.expiresAt,
        conflicting_copies: part.conflictingCopies,
        released_at: part.releasedAt,
        released_as: part.releasedAs,
      })
      .onConflict((oc) =>
        oc
          .columns(['carrier_id', 'from_phone', 'to_phone', 'reference', 'total', 'sequence'])
          .where('released_at', 'is', null)
          .doNothing(),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async noteConflictingCopy(key: PartSetKey, sequence: number): Promise<void> {
    await this.whereKey(this.db.updateTable('inbound_parts'), key)
      .set((eb) => ({ conflicting_copies: eb('conflicting_copies', '+', 1) }))
      .where('sequence', '=', sequence)
      .where('released_at', 'is', null)
      .execute();
  }

  /** Closes the open set: its parts now belong to `releasedAs`. */
  async release(key: PartSetKey, releasedAs: string, at: string): Promise<number> {
    const result = await this.whereKey(this.db.updateTable('inbound_parts'), key)
      .set({ released_at: at, released_as: releasedAs })
      .where('released_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Keys of open sets whose deadline is at or before `now`, oldest deadline first. */
  async expiredSets(now: string, limit: number): Promise<PartSetKey[]> {
    const rows = await this.db
      .selectFrom('inbound_parts')
      .select(['carrier_id', 'from_phone', 'to_phone', 'reference', 'total', (eb) => eb.fn.min('expires_at').as('deadline')])
      .where('released_at', 'is', null)
      .where('expires_at', '<=', now)
      .groupBy(['carrier_id', 'from_phone', 'to_phone', 'reference', 'total'])
      .orderBy('deadline')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      carrierId: row.carrier_id,
      from: row.from_phone,
      to: row.to_phone,
      reference: Number(row.reference),
      total: Number(row.total),
    }));
  }

  /** Forgets released parts older than `before`. */
  async purgeReleased(before: string): Promise<number> {
    const result = await this.db
      .deleteFrom('inbound_parts')
      .where('released_at', 'is not', null)
      .where('released_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Parts still waiting for their set, oldest first (operations and tests). */
  async listOpen(limit: number): Promise<InboundPart[]> {
    const rows = await this.db
      .selectFrom('inbound_parts')
      .selectAll()
      .where('released_at', 'is', null)
      .orderBy('first_received_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toPart);
  }

  /** Every row of one key, released or not, oldest first (tests and diagnostics). */
  async history(key: PartSetKey): Promise<InboundPart[]> {
    const rows = await this.whereKey(this.db.selectFrom('inbound_parts').selectAll(), key).orderBy('id').execute();
    return rows.map(toPart);
  }

  private whereKey<Q extends KeyFilterable<Q>>(query: Q, key: PartSetKey): Q {
    return query
      .where('carrier_id', '=', key.carrierId)
      .where('from_phone', '=', key.from)
      .where('to_phone', '=', key.to)
      .where('reference', '=', key.reference)
      .where('total', '=', key.total);
  }
}

/** Any query builder over inbound_parts that can be narrowed by a key column. */
interface KeyFilterable<Q> {
  where(column: 'carrier_id' | 'from_phone' | 'to_phone', op: '=', value: string): Q;
  where(column: 'reference' | 'total', op: '=', value: number): Q;
}

function lockName(key: PartSetKey): string {
  return JSON.stringify([key.carrierId, key.from, key.to, key.reference, key.total]);
}

function toPart(row: Selectable<InboundPartTable>): InboundPart {
  return {
    id: row.id,
    carrierId: row.carrier_id,
    from: row.from_phone,
    to: row.to_phone,
    reference: Number(row.reference),
    total: Number(row.total),
    sequence: Number(row.sequence),
    body: row.body,
    carrierMessageId: row.carrier_message_id,
    receivedAt: row.received_at,
    firstReceivedAt: row.first_received_at,
    expiresAt: row.expires_at,
    conflictingCopies: Number(row.conflicting_copies),
    releasedAt: row.released_at,
    releasedAs: row.released_as,
  };
}
