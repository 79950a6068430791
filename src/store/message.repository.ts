import { sql, type Insertable, type Kysely, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import type { Message, UnknownOutcomeRule } from '../domain/models.js';
import { claimOrderOf, MAX_HEAD_START_MS } from '../domain/send-pace.js';
import { carrierMessageIdKeys, compareCarrierMessageIdMatch, matchCarrierMessageId } from '../domain/carrier-message-id.js';
import type { IdSource } from '../domain/ports.js';
import {
  canRequeueForRetry,
  decideTransition,
  type MessageStatus,
  type TransitionVerdict,
} from '../domain/message-status.js';
import type { Database, MessageEventTable, MessageTable } from './schema.js';
import type { DialectName } from './database.js';
import { toMessage } from './row-mappers.js';
import { decodeCursor, encodeCursor, type Page } from './cursor.js';
import { slicesWithinBindLimit } from './bind-limit.js';
import { inJsonList, insertRows, jsonRows, type JsonColumns } from './json-rows.js';
import { PreparedQuery } from './prepared.js';

export interface NewMessage extends Message {
  priority: number;
  nextAttemptAt: string | null;
}

/** Which claim a write belongs to: its attempt number, and for recovery, the expired lease. */
export interface ClaimFence {
  attempts?: number;
  leaseExpiredBy?: string;
}

/** A due message as the claim sees it: its priority decides its place in the queue. */
export type DueMessage = Message & { priority: number };

/** Above this many senders with claimable messages, the claim walks the queue instead (see lockDue). */
const MAX_SENDER_PROBES = 32;

export interface ExpiredLease {
  id: string;
  /** The carrier call had begun: the carrier may have the message. */
  submitStarted: boolean;
  attempts: number;
  unknownOutcome: UnknownOutcomeRule;
}

export interface StatusPatch {
  errorCode?: string | null;
  errorMessage?: string | null;
  leaseUntil?: string | null;
  nextAttemptAt?: string | null;
}

export type TransitionOutcome =
  | { applied: true; message: Message }
  | { applied: false; reason: Exclude<TransitionVerdict, { apply: true }>['reason'] | 'missing'; message: Message | null };

const TIMESTAMP_COLUMN: Record<MessageStatus, keyof MessageTable> = {
  scheduled: 'scheduled_at',
  queued: 'queued_at',
  sending: 'sending_at',
  sent: 'sent_at',
  delivered: 'delivered_at',
  undelivered: 'undelivered_at',
  failed: 'failed_at',
  canceled: 'canceled_at',
  received: 'received_at',
};

/** The one place a message becomes a row; `claim_order` follows from due time and priority. */
function toMessageRow(message: NewMessage): Insertable<MessageTable> {
  return {
    id: message.id,
    workspace_id: message.workspaceId,
    conversation_id: message.conversationId,
    number_id: message.numberId,
    contact_id: message.contactId,
    direction: message.direction,
    from_phone: message.from,
    to_phone: message.to,
    body: message.body,
    category: message.category,
    status: message.status,
    error_code: message.errorCode,
    error_message: message.errorMessage,
    encoding: message.encoding,
    segments: message.segments,
    carrier_id: message.carrierId,
    carrier_message_id: message.carrierMessageIds[0] ?? null,
    consent_exempt: message.consentExempt ? 1 : 0,
    priority: message.priority,
    attempts: message.attempts,
    send_at: message.sendAt,
    next_attempt_at: message.nextAttemptAt,
    claim_order: message.nextAttemptAt === null ? null : claimOrderOf(message.nextAttemptAt, message.priority),
    lease_until: null,
    created_at: message.createdAt,
    updated_at: message.updatedAt,
    scheduled_at: message.scheduledAt,
    queued_at: message.queuedAt,
    sending_at: message.sendingAt,
    sent_at: message.sentAt,
    delivered_at: message.deliveredAt,
    undelivered_at: message.undeliveredAt,
    failed_at: message.failedAt,
    canceled_at: message.canceledAt,
    received_at: message.receivedAt,
  };
}

const INTEGER_COLUMNS = new Set(['segments', 'consent_exempt', 'priority', 'attempts']);

/**
 * Every column `toMessageRow` writes, in its order, for multi-row inserts as JSON (see
 * json-rows.ts): read off a blank row, so the two cannot drift apart.
 */
const MESSAGE_COLUMNS: JsonColumns = Object.keys(
  toMessageRow({ carrierMessageIds: [] as string[], nextAttemptAt: null } as unknown as NewMessage),
).map((name) => [name, INTEGER_COLUMNS.has(name) ? 'integer' : 'text'] as const);

type MessageRow = Selectable<MessageTable>;

const EVENT_COLUMNS: JsonColumns = [
  ['id', 'text'],
  ['message_id', 'text'],
  ['kind', 'text'],
  ['status', 'text'],
  ['error_code', 'text'],
  ['applied', 'integer'],
  ['detail', 'text'],
  ['created_at', 'text'],
];

const CARRIER_ID_COLUMNS: JsonColumns = [
  ['carrier_id', 'text'],
  ['carrier_message_id', 'text'],
  ['message_id', 'text'],
  ['part_index', 'integer'],
];

const CARRIER_KEY_COLUMNS: JsonColumns = [
  ['carrier_id', 'text'],
  ['key', 'text'],
  ['message_id', 'text'],
  ['part_index', 'integer'],
];

const INBOUND_BY_CARRIER_ID = new PreparedQuery((db, carrierId: string, carrierMessageId: string) =>
  db
    .selectFrom('messages')
    .selectAll()
    // Literal: the condition of the partial messages_inbound_dedupe_idx; a bound value
    // keeps SQLite off that index and this ran as a scan of every message.
    .where(sql<boolean>`direction = 'inbound'`)
    .where('carrier_id', '=', carrierId)
    .where('carrier_message_id', '=', carrierMessageId),
);

/** What a transaction owes before it commits; shared by every repository bound to it. */
export interface TransactionState {
  /** Messages were inserted: their search entries wait in `search_backlog` (SQLite). */
  searchBacklog: boolean;
}

export class MessageRepository {
  /**
   * `transaction`: the state of the transaction these repositories are bound to; absent
   * when they run on the pool, statement by statement.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
    private readonly ids: IdSource,
    private readonly transaction?: TransactionState,
  ) {}

  async insert(message: NewMessage): Promise<void> {
    await this.inserting((db) => insertRows(db, this.dialect, 'messages', MESSAGE_COLUMNS, [Object.values(toMessageRow(message))]));
  }

  /** `insert` for many messages at once (see insertRows). */
  async insertMany(messages: NewMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const rows = messages.map((message) => Object.values(toMessageRow(message)));
    await this.inserting((db) => insertRows(db, this.dialect, 'messages', MESSAGE_COLUMNS, rows));
  }

  /**
   * Inserts, and has the new messages' search entries written before the commit (migration
   * 0015): by the transaction's owner at its end, or here when there is no transaction.
   */
  private async inserting(write: (db: Kysely<Database>) => Promise<void>): Promise<void> {
    if (this.dialect !== 'sqlite') return write(this.db);
    if (this.transaction) {
      await write(this.db);
      this.transaction.searchBacklog = true;
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      await write(trx);
      await indexSearchBacklog(trx);
    });
  }

  /**
   * RETURNING every column of `messages` from an UPDATE … FROM: PostgreSQL's `*` would add the
   * FROM table's columns, and SQLite refuses `messages.*` there (its `*` is the target's alone).
   */
  private everyMessageColumn(): RawBuilder<unknown> {
    return sql.raw(this.dialect === 'sqlite' ? '*' : 'messages.*');
  }

  /** Appends history rows, many at once. */
  async insertEvents(events: readonly MessageEventTable[]): Promise<void> {
    const rows = events.map((e) => [e.id, e.message_id, e.kind, e.status, e.error_code, e.applied, e.detail, e.created_at]);
    await insertRows(this.db, this.dialect, 'message_events', EVENT_COLUMNS, rows);
  }

  async findById(id: string): Promise<Message | null> {
    const row = await this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toMessage(row, await this.carrierIdsOf(id)) : null;
  }

  async findInWorkspace(workspaceId: string, id: string): Promise<Message | null> {
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toMessage(row, await this.carrierIdsOf(id)) : null;
  }

  /** Oldest first, as a thread is read. */
  async listForConversation(conversationId: string, limit: number, cursor?: string): Promise<Page<Message>> {
    const after = decodeCursor(cursor);
    let query = this.db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>', after.sort),
          eb.and([eb('created_at', '=', after.sort), eb('id', '>', after.id)]),
        ]),
      );
    }
    const rows = await query.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
    const pageRows = rows.slice(0, limit);
    const partIds = await this.carrierIdsOfMany(pageRows.map((r) => r.id));
    const page = pageRows.map((row) => toMessage(row, partIds.get(row.id) ?? []));
    const last = page.at(-1);
    return {
      data: page,
      nextCursor: rows.length > limit && last ? encodeCursor({ sort: last.createdAt, id: last.id }) : null,
    };
  }

  /**
   * Moves a message to `to` if the state machine allows it, and records the attempt in
   * message_events either way. Guarded by the status read, so a concurrent writer
   * (a receipt racing the submit response) makes us re-read and decide again.
   */
  async transition(
    id: string,
    to: MessageStatus,
    at: string,
    patch: StatusPatch = {},
    source: 'pipeline' | 'receipt' | 'api' = 'pipeline',
  ): Promise<TransitionOutcome> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.db
        .selectFrom('messages')
        .select(['status'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!current) return { applied: false, reason: 'missing', message: null };
      const from = current.status as MessageStatus;
      const verdict = decideTransition(from, to);
      if (!verdict.apply) {
        await this.recordEvent(id, source, to, patch.errorCode ?? null, false, `${verdict.reason} from ${from}`, at);
        return { applied: false, reason: verdict.reason, message: await this.findById(id) };
      }
      const updated = await this.db
        .updateTable('messages')
        .set({ ...this.patchColumns(patch), status: to, updated_at: at, [TIMESTAMP_COLUMN[to]]: at })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) {
        await this.recordEvent(id, source, to, patch.errorCode ?? null, true, null, at);
        const message = await this.findById(id);
        if (!message) return { applied: false, reason: 'missing', message: null };
        return { applied: true, message };
      }
    }
    throw new Error(`message ${id}: status kept changing under a transition to ${to}`);
  }

  /**
   * Holds the message row until the transaction ends. Decisions that read several rows
   * (a multipart message is delivered when every part's receipt is in) must not run side
   * by side on PostgreSQL: two receipts each missing the other's uncommitted part would
   * both decide "not yet", and the message would stay `sent` forever. SQLite has one writer.
   */
  async lockForUpdate(id: string): Promise<void> {
    if (this.dialect !== 'postgres') return;
    await this.db.selectFrom('messages').select('id').where('id', '=', id).forUpdate().execute();
  }

  /**
   * Returns a message the carrier did not take to the queue for a later attempt. `claim` fences
   * the write to one claim: only while that attempt holds the row (and, for recovery, only once
   * its lease has run out), so a stale decision never requeues another worker's live claim.
   */
  async requeueForRetry(
    id: string,
    nextAttemptAt: string,
    at: string,
    errorCode: string,
    claim: ClaimFence = {},
  ): Promise<boolean> {
    const current = await this.db.selectFrom('messages').select(['status', 'priority']).where('id', '=', id).executeTakeFirst();
    if (!current || !canRequeueForRetry(current.status as MessageStatus)) return false;
    const updated = await this.db
      .updateTable('messages')
      .set({
        status: 'queued',
        next_attempt_at: nextAttemptAt,
        claim_order: claimOrderOf(nextAttemptAt, Number(current.priority)),
        lease_until: null,
        submit_started_at: null,
        error_code: errorCode,
        updated_at: at,
      })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .$if(claim.attempts !== undefined, (qb) => qb.where('attempts', '=', claim.attempts ?? 0))
      .$if(claim.leaseExpiredBy !== undefined, (qb) => qb.where('lease_until', '<', claim.leaseExpiredBy ?? ''))
      .executeTakeFirst();
    const applied = Number(updated.numUpdatedRows) === 1;
    await this.recordEvent(id, 'pipeline', 'queued', errorCode, applied, `retry at ${nextAttemptAt}`, at);
    return applied;
  }

  /**
   * Fails a message whose lease ran out, in one fenced statement: only if it is still that
   * claim (`attempts`) and its lease is still expired, so a worker acting on a stale list of
   * expired leases cannot fail a message another worker has claimed again since.
   */
  async failExpiredLease(id: string, attempts: number, at: string, errorCode: string, errorMessage: string): Promise<Message | null> {
    const verdict = decideTransition('sending', 'failed');
    if (!verdict.apply) throw new Error('sending → failed must be allowed');
    const row = await this.db
      .updateTable('messages')
      .set({ status: 'failed', failed_at: at, updated_at: at, error_code: errorCode, error_message: errorMessage, lease_until: null })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .where('attempts', '=', attempts)
      .where('lease_until', '<', at)
      .returningAll()
      .executeTakeFirst();
    if (!row) return null;
    await this.recordEvent(id, 'pipeline', 'failed', errorCode, true, null, at);
    return toMessage(row, await this.carrierIdsOf(id));
  }

  /**
   * Locks up to `limit` due outbound messages — queued ones, and scheduled ones whose time
   * has come — most urgent priority first. Call inside a transaction, then `markClaimed`.
   * PostgreSQL skips rows other workers hold; SQLite has a single writer.
   *
   * Senders (and workspaces) whose rate is used up for now are left out, so their backlog
   * never crowds out the others. With none paused, one walk of the queue in claim order
   * does it. With some paused, that walk would read a paused sender's whole backlog to find
   * nothing (0.5 s per claim with a million held back), so the claim reads instead the
   * head of each sender that is not paused (see `claimableSenders`).
   */
  async lockDue(
    now: string,
    limit: number,
    options: { pausedSenders?: string[]; pausedWorkspaces?: string[] } = {},
  ): Promise<DueMessage[]> {
    if (this.dialect !== 'postgres') return this.lockDueInOrder(now, limit, options);
    // The claim must walk the claim-order index and stop after `limit` rows. Right after a
    // campaign is enqueued PostgreSQL's statistics still say "few queued rows", and it sorted
    // the whole backlog instead (spilling to disk) for every claim — 25–65 ms per claim with
    // 10,000 queued, and growing with the backlog, until autovacuum analysed the table. With
    // sorting priced out, only the index order is left. SET LOCAL: this transaction only,
    // and reset right after, so the rest of the claim plans as usual.
    await sql`set local enable_sort = off`.execute(this.db);
    try {
      return await this.lockDueInOrder(now, limit, options);
    } finally {
      await sql`set local enable_sort = on`.execute(this.db);
    }
  }

  private async lockDueInOrder(
    now: string,
    limit: number,
    options: { pausedSenders?: string[]; pausedWorkspaces?: string[] },
  ): Promise<DueMessage[]> {
    const paused = options.pausedSenders ?? [];
    const pausedWorkspaces = options.pausedWorkspaces ?? [];
    if (paused.length === 0 && pausedWorkspaces.length === 0) return this.lockInClaimOrder(now, limit, null);
    const senders = await this.claimableSenders(paused, pausedWorkspaces);
    if (senders.length === 0) return [];
    // Many active senders: their backlogs interleave, and the walk finds unpaused rows soon.
    if (senders.length > MAX_SENDER_PROBES) return this.lockInClaimOrder(now, limit, { paused, pausedWorkspaces });
    const horizon = new Date(Date.parse(now) + MAX_HEAD_START_MS).toISOString();
    const heads: Array<{ id: string; claim_order: string | null }> = [];
    for (const sender of senders) {
      heads.push(
        ...(await this.claimable(now)
          .select(['messages.id', 'messages.claim_order'])
          .where('messages.number_id', '=', sender)
          // A due message's claim order is at most the largest head start past now: the walk
          // of this sender's index stops there even when the rest is scheduled for later.
          .where('messages.claim_order', '<=', horizon)
          .orderBy('messages.claim_order')
          .orderBy('messages.id')
          .limit(limit)
          .execute()),
      );
    }
    const chosen = heads
      .sort((a, b) => (a.claim_order ?? '').localeCompare(b.claim_order ?? '') || a.id.localeCompare(b.id))
      .slice(0, limit)
      .map((head) => head.id);
    if (chosen.length === 0) return [];
    return this.lockInClaimOrder(now, limit, { ids: chosen });
  }

  /**
   * The senders with claimable messages, outside the paused ones: a skip scan over
   * messages_claimable_sender_idx (migration 0014), one probe per sender however long its
   * queue, written as a recursive query both databases run.
   */
  private async claimableSenders(paused: string[], pausedWorkspaces: string[]): Promise<string[]> {
    const result = await sql<{ number_id: string }>`
      with recursive senders(number_id) as (
        select (select number_id from messages where status in ('queued', 'scheduled') order by number_id limit 1)
        union all
        select (
          select m.number_id from messages m
          where m.status in ('queued', 'scheduled') and m.number_id > senders.number_id
          order by m.number_id limit 1
        )
        from senders where senders.number_id is not null
      )
      select number_id from senders where number_id is not null`.execute(this.db);
    const pausedSet = new Set(paused);
    let senders = result.rows.map((row) => row.number_id).filter((id) => !pausedSet.has(id));
    if (pausedWorkspaces.length > 0 && senders.length > 0) {
      const open = await this.db
        .selectFrom('numbers')
        .select('id')
        .where('id', 'in', senders)
        .where('workspace_id', 'not in', pausedWorkspaces)
        .execute();
      const openIds = new Set(open.map((row) => row.id));
      senders = senders.filter((id) => openIds.has(id));
    }
    return senders;
  }

  /** Due, claimable outbound messages whose thread has nothing in flight. */
  private claimable(now: string) {
    return (
      this.db
        .selectFrom('messages')
        // Literal, not bound: it is the condition of the claim indexes (migrations 0007, 0014),
        // and planners match a partial index only on the same literal condition.
        .where(sql<boolean>`messages.status in ('queued', 'scheduled')`)
        .where('messages.direction', '=', 'outbound')
        .where('messages.next_attempt_at', '<=', now)
        // One message in flight per thread, so a customer reads a thread's texts in order.
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('messages as busy')
                .select('busy.id')
                .whereRef('busy.conversation_id', '=', 'messages.conversation_id')
                // Literal for messages_sending_thread_idx, as above.
                .where(sql<boolean>`busy.status = 'sending'`),
            ),
          ),
        )
    );
  }

  /**
   * The claim proper: locks claimable rows in claim order — all of them, those outside the
   * paused senders, or the chosen ids (re-checked: another worker may have taken them).
   */
  private async lockInClaimOrder(
    now: string,
    limit: number,
    filter: { paused: string[]; pausedWorkspaces: string[] } | { ids: string[] } | null,
  ): Promise<DueMessage[]> {
    let query = this.claimable(now).selectAll('messages');
    if (filter && 'ids' in filter) query = query.where('messages.id', 'in', filter.ids);
    if (filter && 'paused' in filter) {
      const { paused, pausedWorkspaces } = filter;
      query = query
        .$if(paused.length > 0, (qb) => qb.where('messages.number_id', 'not in', paused))
        .$if(pausedWorkspaces.length > 0, (qb) => qb.where('messages.workspace_id', 'not in', pausedWorkspaces));
    }
    const rows = await query
      // Due time plus a priority head start (domain/send-pace.ts): replies before bulk, and
      // bulk that has waited long enough before new replies, so neither starves.
      .orderBy('messages.claim_order')
      .orderBy('messages.id')
      .limit(limit)
      .$if(this.dialect === 'postgres', (qb) => qb.forUpdate().skipLocked())
      .execute();
    // Of several due in one thread, only the first goes now; the rest wait their turn.
    const threads = new Set<string>();
    return rows
      .filter((row) => !threads.has(row.conversation_id) && threads.add(row.conversation_id))
      .map((row) => ({ ...toMessage(row, []), priority: Number(row.priority) }));
  }

  /**
   * Written just before the carrier call: from here on a lost lease means the carrier may
   * have the message. Only rows still held by the given claims, whose recipient has not
   * opted out since the claim, are marked; the ids marked are returned, and a claim not
   * among them must not call the carrier (it lost its lease, or consent changed).
   */
  async markSubmitStarted(claims: { id: string; attempts: number }[], at: string): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const held = jsonRows(
      this.dialect,
      [
        ['id', 'text'],
        ['attempts', 'integer'],
      ],
      claims.map((claim) => [claim.id, claim.attempts]),
    );
    const { rows } = await sql<{ id: string }>`
      update messages set submit_started_at = ${at}
      from (${held}) as c
      -- Fenced by attempt: a row claimed again since (by another worker) is not this claim's.
      where messages.id = c.id and messages.attempts = c.attempts and messages.status = 'sending'
        -- Consent again, at the last moment: a STOP recorded after the claim still stops it.
        and (messages.consent_exempt = 1 or (
          not exists (select 1 from contacts where contacts.id = messages.contact_id and contacts.opted_out_at is not null)
          and not exists (select 1 from number_opt_outs o where o.contact_id = messages.contact_id and o.number_id = messages.number_id)))
      returning messages.id`.execute(this.db);
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Holds a due message back by a rule (quiet hours, a frequency cap, a consent review)
   * without spending an attempt: it is due again at `until`. `reschedule` also moves its
   * `sendAt`, so its validity runs from the new time (a night's wait is not an expiry).
   */
  async defer(
    message: { id: string; status: MessageStatus; priority: number },
    until: string,
    at: string,
    reason: string,
    options: { reschedule: boolean },
  ): Promise<boolean> {
    const updated = await this.db
      .updateTable('messages')
      .set({
        next_attempt_at: until,
        claim_order: claimOrderOf(until, message.priority),
        ...(options.reschedule ? { send_at: until } : {}),
        updated_at: at,
      })
      .where('id', '=', message.id)
      .where('status', 'in', ['queued', 'scheduled'])
      .executeTakeFirst();
    const applied = Number(updated.numUpdatedRows) === 1;
    await this.recordEvent(message.id, 'compliance', message.status, null, applied, `held until ${until}: ${reason}`, at);
    return applied;
  }

  /** Marketing held for a consent review of this contact becomes due now (the review is settled). */
  async releaseHeld(contactId: string, at: string): Promise<number> {
    const held = await this.db
      .selectFrom('messages')
      .select(['id', 'priority'])
      .where('contact_id', '=', contactId)
      .where('status', 'in', ['queued', 'scheduled'])
      .where('category', '=', 'marketing')
      .where('next_attempt_at', '>', at)
      .where('send_at', 'is', null)
      .execute();
    for (const row of held) {
      await this.db
        .updateTable('messages')
        .set({ next_attempt_at: at, claim_order: claimOrderOf(at, Number(row.priority)), updated_at: at })
        .where('id', '=', row.id)
        .where('status', 'in', ['queued', 'scheduled'])
        .execute();
    }
    return held.length;
  }

  /**
   * When each contact was last sent marketing, since `since`, oldest first: the frequency
   * cap counts these (claimed and on, so one in flight counts too).
   */
  async marketingSentSince(contactIds: string[], since: string): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    for (const slice of slicesWithinBindLimit(contactIds, 1)) {
      const rows = await this.db
        .selectFrom('messages')
        .select(['contact_id', 'sending_at'])
        // Literal: the condition of messages_marketing_contact_idx (migration 0011).
        .where(sql<boolean>`category = 'marketing'`)
        .where('contact_id', 'in', slice)
        .where('sending_at', '>=', since)
        .where('status', 'in', ['sending', 'sent', 'delivered', 'undelivered'])
        .orderBy('sending_at')
        .execute();
      for (const row of rows) {
        if (row.sending_at === null) continue;
        const times = found.get(row.contact_id) ?? [];
        times.push(row.sending_at);
        found.set(row.contact_id, times);
      }
    }
    return found;
  }

  /** Leases the locked messages to this worker: `sending` until `leaseUntil`. */
  async markClaimed(ids: string[], now: string, leaseUntil: string): Promise<Message[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .updateTable('messages')
      .set((eb) => ({
        status: 'sending',
        sending_at: now,
        queued_at: eb.fn.coalesce('queued_at', eb.val(now)),
        lease_until: leaseUntil,
        attempts: eb('attempts', '+', 1),
        updated_at: now,
      }))
      .where(inJsonList(this.dialect, 'id', ids))
      .where('status', 'in', ['queued', 'scheduled'])
      .returningAll()
      .execute();
    await this.insertEvents(
      rows.map((row) => ({
        id: this.ids.next(),
        message_id: row.id,
        kind: 'pipeline',
        status: 'sending',
        error_code: null,
        applied: 1,
        detail: `attempt ${row.attempts}`,
        created_at: now,
      })),
    );
    return rows.map((row) => toMessage(row, []));
  }

  /**
   * Extends the leases of messages a worker is still submitting, so a slow carrier is not
   * mistaken for a dead worker. Only `sending` rows, and a lease is never shortened.
   */
  async renewLeases(ids: string[], leaseUntil: string): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db
      .updateTable('messages')
      .set({ lease_until: leaseUntil })
      .where('id', 'in', ids)
      .where('status', '=', 'sending')
      .where('lease_until', '<', leaseUntil)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Messages whose worker died mid-submit: their lease ran out while `sending`. */
  async findExpiredLeases(now: string, limit: number): Promise<ExpiredLease[]> {
    const rows = await this.db
      .selectFrom('messages')
      .innerJoin('workspaces', 'workspaces.id', 'messages.workspace_id')
      .select(['messages.id', 'messages.submit_started_at', 'messages.attempts', 'workspaces.unknown_outcome'])
      .where(sql<boolean>`messages.status = 'sending'`) // literal: messages_sending_lease_idx
      .where('messages.lease_until', '<', now)
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      submitStarted: r.submit_started_at !== null,
      attempts: Number(r.attempts),
      unknownOutcome: r.unknown_outcome === 'retry' ? 'retry' : 'fail',
    }));
  }

  async recordCarrierIds(messageId: string, carrierId: string, carrierMessageIds: string[]): Promise<void> {
    if (carrierMessageIds.length === 0) return;
    await this.db
      .insertInto('message_carrier_ids')
      .values(
        carrierMessageIds.map((carrierMessageId, partIndex) => ({
          carrier_id: carrierId,
          carrier_message_id: carrierMessageId,
          message_id: messageId,
          part_index: partIndex,
        })),
      )
      .onConflict((oc) => oc.columns(['carrier_id', 'carrier_message_id']).doNothing())
      .execute();
    // Receipts find the message by these keys, whatever base or case the SMSC writes them in.
    const keys = carrierMessageIds.flatMap((carrierMessageId, partIndex) =>
      carrierMessageIdKeys(carrierMessageId).map((key) => ({
        carrier_id: carrierId,
        key,
        message_id: messageId,
        part_index: partIndex,
      })),
    );
    if (keys.length > 0) await this.db.insertInto('carrier_message_keys').values(keys).execute();
    await this.db
      .updateTable('messages')
      .set({ carrier_id: carrierId, carrier_message_id: carrierMessageIds[0] ?? null })
      .where('id', '=', messageId)
      .execute();
  }

  /**
   * Records many submit responses at once (the worker batches those that arrive together):
   * carrier ids and their lookup keys, then `sending → sent` for every message still
   * `sending`, in a handful of statements instead of several per message. A message whose
   * status moved meanwhile (its lease expired and another worker settled it) keeps that
   * status; the refused transition is recorded in its history, as `transition` does.
   */
  async markSentMany(entries: { messageId: string; carrierId: string; carrierMessageIds: string[] }[], at: string): Promise<Message[]> {
    if (entries.length === 0) return [];
    const idRows = entries.flatMap((entry) =>
      entry.carrierMessageIds.map((carrierMessageId, partIndex) => [entry.carrierId, carrierMessageId, entry.messageId, partIndex] as const),
    );
    await insertRows(this.db, this.dialect, 'message_carrier_ids', CARRIER_ID_COLUMNS, idRows, {
      onConflictDoNothing: ['carrier_id', 'carrier_message_id'],
    });
    // Receipts find the message by these keys, whatever base or case the SMSC writes them in.
    const keyRows = idRows.flatMap(([carrierId, carrierMessageId, messageId, partIndex]) =>
      carrierMessageIdKeys(carrierMessageId).map((key) => [carrierId, key, messageId, partIndex] as const),
    );
    await insertRows(this.db, this.dialect, 'carrier_message_keys', CARRIER_KEY_COLUMNS, keyRows);

    const verdict = decideTransition('sending', 'sent');
    if (!verdict.apply) throw new Error('sending → sent must be allowed');
    // Per row, as the submit responses said (even if a reused id kept its old mapping).
    const responses = jsonRows(
      this.dialect,
      [
        ['id', 'text'],
        ['carrier_id', 'text'],
        ['carrier_message_id', 'text'],
      ],
      entries.map((entry) => [entry.messageId, entry.carrierId, entry.carrierMessageIds[0] ?? null]),
    );
    const { rows } = await sql<MessageRow>`
      update messages set status = 'sent', sent_at = ${at}, updated_at = ${at}, lease_until = null, error_code = null,
        carrier_id = r.carrier_id, carrier_message_id = r.carrier_message_id
      from (${responses}) as r
      where messages.id = r.id and messages.status = 'sending'
      returning ${this.everyMessageColumn()}`.execute(this.db);
    const applied = new Set(rows.map((row) => row.id));
    await this.insertEvents(
      entries.map(({ messageId }) => ({
        id: this.ids.next(),
        message_id: messageId,
        kind: 'pipeline',
        status: 'sent',
        error_code: null,
        applied: applied.has(messageId) ? 1 : 0,
        detail: applied.has(messageId) ? null : 'not sending any more (lease expired and settled elsewhere)',
        created_at: at,
      })),
    );
    const carrierIds = new Map(entries.map((entry) => [entry.messageId, entry.carrierMessageIds]));
    return rows.map((row) => toMessage(row, carrierIds.get(row.id) ?? []));
  }

  /**
   * The message a carrier id names, matching across hex / decimal / case / leading zeros
   * (see carrierMessageIdKeys). When a key names several messages (an ambiguous
   * decimal-looking id, or a carrier that reuses ids), the closest text wins — the id as
   * stored, then the same text but for case and zeros, then another base — and among equals
   * the message submitted most recently.
   */
  async findIdByCarrierMessageId(carrierId: string, carrierMessageId: string): Promise<string | null> {
    const [match] = await this.findByCarrierMessageIds([{ carrierId, carrierMessageId }]);
    return match?.messageId ?? null;
  }

  async findInboundByCarrierMessageId(carrierId: string, carrierMessageId: string): Promise<Message | null> {
    const row = await INBOUND_BY_CARRIER_ID.first(this.db, carrierId, carrierMessageId);
    return row ? toMessage(row, []) : null;
  }

  async carrierIdsOf(messageId: string): Promise<string[]> {
    return (await this.carrierIdsOfMany([messageId])).get(messageId) ?? [];
  }

  private async carrierIdsOfMany(messageIds: string[]): Promise<Map<string, string[]>> {
    return partIdsByMessage(await this.carrierIdRowsOf(messageIds));
  }

  /** The carrier id rows of these messages, by message, in part order. */
  private async carrierIdRowsOf(messageIds: string[]): Promise<CarrierIdRow[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('message_carrier_ids')
      .select(['message_id', 'part_index', 'carrier_id', 'carrier_message_id'])
      .where('message_id', 'in', messageIds)
      .orderBy('message_id')
      .orderBy('part_index')
      .execute();
    return rows.map((row) => ({ ...row, part_index: Number(row.part_index) }));
  }

  async eventsOf(messageId: string): Promise<Array<{ kind: string; status: string; applied: boolean; detail: string | null }>> {
    const rows = await this.db
      .selectFrom('message_events')
      .select(['kind', 'status', 'applied', 'detail'])
      .where('message_id', '=', messageId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ kind: r.kind, status: r.status, applied: Number(r.applied) === 1, detail: r.detail }));
  }

  async countByStatus(workspaceId: string): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('messages')
      .select(['status', sql<number>`count(*)`.as('n')])
      .where('workspace_id', '=', workspaceId)
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** Appends to a message's history (e.g. how an inbound text was reassembled). */
  async recordEvent(
    messageId: string,
    kind: string,
    status: MessageStatus,
    errorCode: string | null,
    applied: boolean,
    detail: string | null,
    at: string,
  ): Promise<void> {
    await this.db
      .insertInto('message_events')
      .values({
        id: this.ids.next(),
        message_id: messageId,
        kind,
        status,
        error_code: errorCode,
        applied: applied ? 1 : 0,
        detail,
        created_at: at,
      })
      .execute();
  }

  private patchColumns(patch: StatusPatch): Updateable<MessageTable> {
    return {
      ...(patch.errorCode !== undefined ? { error_code: patch.errorCode } : {}),
      ...(patch.errorMessage !== undefined ? { error_message: patch.errorMessage } : {}),
      ...(patch.leaseUntil !== undefined ? { lease_until: patch.leaseUntil } : {}),
      ...(patch.nextAttemptAt !== undefined ? { next_attempt_at: patch.nextAttemptAt } : {}),
    };
  }

  /**
   * `findIdByCarrierMessageId` for many carrier ids at once (the carrier sink records the
   * receipts that arrive together in one transaction): one query for every id with keys, one
   * more only if some id is blank, and one for the matched messages' part ids. Same rules and
   * tie-breaks: the closest text, then the most recent submit. Each match carries the
   * message's status and part ids, so the caller can tell the plain case from the rest.
   */
  async findByCarrierMessageIds(
    refs: readonly { carrierId: string; carrierMessageId: string }[],
  ): Promise<Array<CarrierIdMatch | null>> {
    const keysOf = refs.map((ref) => carrierMessageIdKeys(ref.carrierMessageId));
    const keysByCarrier = new Map<string, Set<string>>();
    const blankByCarrier = new Map<string, Set<string>>();
    refs.forEach((ref, index) => {
      const keys = keysOf[index] ?? [];
      const into = keys.length > 0 ? keysByCarrier : blankByCarrier;
      const set = into.get(ref.carrierId) ?? new Set<string>();
      for (const value of keys.length > 0 ? keys : [ref.carrierMessageId]) set.add(value);
      into.set(ref.carrierId, set);
    });
    type Candidate = { messageId: string; storedId: string | null; sendingAt: string | null; status: string };
    const byKey = new Map<string, Candidate[]>();
    const slot = (carrierId: string, key: string): string => `${carrierId}\u0000${key}`;
    // Every carrier id row read for the candidates: the stored ids to rank by, and the winners' part ids.
    const idRows: CarrierIdRow[] = [];
    if (keysByCarrier.size > 0) {
      const rows = await this.db
        .selectFrom('carrier_message_keys as k')
        .innerJoin('messages as m', 'm.id', 'k.message_id')
        .select(['k.carrier_id as carrierId', 'k.key as key', 'k.message_id as messageId', 'k.part_index as partIndex', 'm.sending_at as sendingAt', 'm.status as status'])
        .where((eb) =>
          eb.or(
            [...keysByCarrier].map(([carrierId, keys]) =>
              eb.and([eb('k.carrier_id', '=', carrierId), eb('k.key', 'in', [...keys])]),
            ),
          ),
        )
        .execute();
      // The ids as stored, read by message id in a second query: joined to the keys above,
      // PostgreSQL without fresh statistics for a carrier read every id that carrier ever
      // gave (its primary key leads with the carrier) to find the few it needed.
      idRows.push(...(await this.carrierIdRowsOf([...new Set(rows.map((row) => row.messageId))])));
      const stored = new Map<string, string>();
      for (const id of idRows) {
        stored.set(`${id.message_id}\u0000${id.part_index}\u0000${id.carrier_id}`, id.carrier_message_id);
      }
      for (const row of rows) {
        const list = byKey.get(slot(row.carrierId, row.key)) ?? [];
        list.push({ ...row, storedId: stored.get(`${row.messageId}\u0000${Number(row.partIndex)}\u0000${row.carrierId}`) ?? null });
        byKey.set(slot(row.carrierId, row.key), list);
      }
    }
    const blank = new Map<string, Candidate>();
    if (blankByCarrier.size > 0) {
      // A blank id has no keys; only the same text can name a message.
      const rows = await this.db
        .selectFrom('message_carrier_ids as c')
        .innerJoin('messages as m', 'm.id', 'c.message_id')
        .select(['c.carrier_id as carrierId', 'c.carrier_message_id as storedId', 'c.message_id as messageId', 'm.sending_at as sendingAt', 'm.status as status'])
        .where((eb) =>
          eb.or(
            [...blankByCarrier].map(([carrierId, texts]) =>
              eb.and([eb('c.carrier_id', '=', carrierId), eb('c.carrier_message_id', 'in', [...texts])]),
            ),
          ),
        )
        .execute();
      for (const row of rows) blank.set(slot(row.carrierId, row.storedId), row);
    }
    const best = refs.map((ref, index): Candidate | null => {
      const keys = keysOf[index] ?? [];
      if (keys.length === 0) return blank.get(slot(ref.carrierId, ref.carrierMessageId)) ?? null;
      const ranked = keys
        .flatMap((key) => byKey.get(slot(ref.carrierId, key)) ?? [])
        .map((row) => ({
          ...row,
          // A key row without its id row (the id was another message's first) still shares a key.
          match: (row.storedId === null ? null : matchCarrierMessageId(row.storedId, ref.carrierMessageId)) ?? 'converted',
        }))
        .sort(
          (a, b) =>
            compareCarrierMessageIdMatch(a.match, b.match) ||
            (b.sendingAt ?? '').localeCompare(a.sendingAt ?? '') ||
            b.messageId.localeCompare(a.messageId),
        );
      return ranked[0] ?? null;
    });
    // Winners found by key already had their ids read above; only blank-id winners are read here.
    const winners = new Set(best.flatMap((c) => (c ? [c.messageId] : [])));
    const read = new Set(idRows.map((row) => row.message_id));
    idRows.push(...(await this.carrierIdRowsOf([...winners].filter((id) => !read.has(id)))));
    const partIds = partIdsByMessage(idRows);
    return best.map((c) =>
      c
        ? { messageId: c.messageId, status: c.status as MessageStatus, carrierMessageIds: partIds.get(c.messageId) ?? [] }
        : null,
    );
  }

  /**
   * Applies receipts to messages still `sent`, many at once: one UPDATE … RETURNING per
   * target status and one insert of their history events, instead of a read, an update, an
   * event and a re-read per message. The caller has decided each target (a single-part
   * message's receipt decides it alone). A message whose status moved meanwhile is left as
   * it is and not returned: the caller settles it one by one, which records the refusal.
   */
  async applyReceiptsToSent(
    entries: readonly ReceiptToApply[],
    at: string,
  ): Promise<Message[]> {
    const moved: Message[] = [];
    const partIds = new Map(entries.map((entry) => [entry.messageId, entry.carrierMessageIds]));
    for (const target of ['delivered', 'undelivered'] as const) {
      const group = entries.filter((entry) => entry.status === target);
      if (group.length === 0) continue;
      if (!decideTransition('sent', target).apply) throw new Error(`sent → ${target} must be allowed`);
      const outcomes = jsonRows(
        this.dialect,
        [
          ['id', 'text'],
          ['error_code', 'text'],
          ['error_message', 'text'],
        ],
        group.map((entry) => [entry.messageId, entry.errorCode, entry.errorMessage]),
      );
      const errorColumns = target === 'undelivered' ? sql`, error_code = o.error_code, error_message = o.error_message` : sql``;
      const { rows } = await sql<MessageRow>`
        update messages set status = ${target}, updated_at = ${at}, ${sql.ref(TIMESTAMP_COLUMN[target])} = ${at}${errorColumns}
        from (${outcomes}) as o
        where messages.id = o.id and messages.status = 'sent'
        returning ${this.everyMessageColumn()}`.execute(this.db);
      moved.push(...rows.map((row) => toMessage(row, partIds.get(row.id) ?? [])));
    }
    const byId = new Map(entries.map((entry) => [entry.messageId, entry]));
    await this.insertEvents(
      moved.map((message) => ({
        id: this.ids.next(),
        message_id: message.id,
        kind: 'receipt',
        status: message.status,
        error_code: byId.get(message.id)?.errorCode ?? null,
        applied: 1,
        detail: null,
        created_at: at,
      })),
    );
    return moved;
  }
}

/** What `findByCarrierMessageIds` found for one carrier id. */
export interface CarrierIdMatch {
  messageId: string;
  status: MessageStatus;
  /** Every part's carrier id, in part order. */
  carrierMessageIds: string[];
}

/** A receipt's decided outcome for `applyReceiptsToSent`. */
export interface ReceiptToApply {
  messageId: string;
  status: 'delivered' | 'undelivered';
  /** Written for `undelivered` (and kept in the history event); null for `delivered`. */
  errorCode: string | null;
  errorMessage: string | null;
  carrierMessageIds: string[];
}

/**
 * Writes the search entries of every message in `search_backlog` into `messages_fts` in one
 * statement (one FTS5 flush), and empties the backlog (SQLite; see migration 0015). Runs in
 * the transaction that inserted them, just before it commits.
 */
/** One part id a carrier gave a message, as stored in message_carrier_ids. */
interface CarrierIdRow {
  message_id: string;
  part_index: number;
  carrier_id: string;
  carrier_message_id: string;
}

/** Carrier id rows (in part order per message) as each message's part ids. */
function partIdsByMessage(rows: readonly CarrierIdRow[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const row of rows) {
    const list = result.get(row.message_id) ?? [];
    list.push(row.carrier_message_id);
    result.set(row.message_id, list);
  }
  return result;
}

export async function indexSearchBacklog(db: Kysely<Database>): Promise<void> {
  // CROSS JOIN: the backlog drives (a few rows, each a lookup by id). Left to itself the
  // planner scanned every message and probed the backlog.
  await sql`insert into messages_fts (body, conversation_id)
    select m.body, m.conversation_id from search_backlog b cross join messages m on m.id = b.message_id`.execute(db);
  await sql`delete from search_backlog`.execute(db);
}
