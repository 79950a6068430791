import { maskSensitiveData } from '../domain/sensitive-data.js';
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type Selectable,
  type SqlBool,
  type Updateable,
} from 'kysely';
import type { Conversation, NewConversation } from '../domain/models.js';
import type { DialectName } from './database.js';
import type { ConversationTable, Database } from './schema.js';
import { toConversation } from './row-mappers.js';
import { decodeCursor, encodeCursor, type Page } from './cursor.js';
import { slicesWithinBindLimit } from './bind-limit.js';
import { jsonRows } from './json-rows.js';
import { PreparedQuery } from './prepared.js';

const THREAD = new PreparedQuery((db, workspaceId: string, numberId: string, contactId: string) =>
  db
    .selectFrom('conversations')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('number_id', '=', numberId)
    .where('contact_id', '=', contactId),
);

/** A new last message, unless the thread already shows a later one. */
const TOUCH = new PreparedQuery((db, id: string, at: string, preview: string) =>
  db
    .updateTable('conversations')
    .set({ last_message_at: at, last_activity_at: at, last_message_preview: preview })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_message_at', 'is', null), eb('last_message_at', '<=', at)])),
);

/**
 * A customer wrote: the text is the thread's last message (unless a later one is shown), the
 * thread is open again (a snooze ends) and shows when they last wrote. One statement.
 */
const RECORD_INBOUND = new PreparedQuery((db, id: string, at: string, preview: string) =>
  db
    .updateTable('conversations')
    .set((eb) => {
      const moved = eb.or([eb('last_message_at', 'is', null), eb('last_message_at', '<=', at)]);
      return {
        last_message_at: eb.case().when(moved).then(at).else(eb.ref('last_message_at')).end(),
        last_activity_at: eb.case().when(moved).then(at).else(eb.ref('last_activity_at')).end(),
        last_message_preview: eb.case().when(moved).then(preview).else(eb.ref('last_message_preview')).end(),
        status: 'open',
        snoozed_until: null,
        last_inbound_at: eb
          .case()
          .when(eb.or([eb('last_inbound_at', 'is', null), eb('last_inbound_at', '<', at)]))
          .then(at)
          .else(eb.ref('last_inbound_at'))
          .end(),
      };
    })
    .where('id', '=', id),
);

export class ConversationRepository {
  /** Up to this many matching messages or contacts, search reads the threads by id (tests lower it). */
  static searchSmallMatch = 2000;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName = 'sqlite',
  ) {}

  /** The one thread for (workspace, business number, contact), created when new. */
  async findOrCreate(candidate: NewConversation): Promise<Conversation> {
    const existing = await this.findThread(candidate.workspaceId, candidate.numberId, candidate.contactId);
    if (existing) return existing;
    await this.db
      .insertInto('conversations')
      .values(toConversationRow(candidate))
      .onConflict((oc) => oc.columns(['workspace_id', 'number_id', 'contact_id']).doNothing())
      .execute();
    const created = await this.findThread(candidate.workspaceId, candidate.numberId, candidate.contactId);
    if (!created) throw new Error(`conversation for contact ${candidate.contactId} vanished after insert`);
    return created;
  }

  /**
   * `findOrCreate` for many candidates in a few statements: one read of the threads that
   * exist, one multi-row insert of the rest, one read-back. Returns the thread of each
   * candidate in the candidates' order; the same (number, contact) twice gets one thread.
   */
  async findOrCreateMany(candidates: NewConversation[]): Promise<Conversation[]> {
    const found = await this.findThreads(candidates);
    const missing = new Map<string, NewConversation>();
    for (const candidate of candidates) {
      const key = threadKey(candidate);
      if (!found.has(key) && !missing.has(key)) missing.set(key, candidate);
    }
    if (missing.size > 0) {
      for (const slice of slicesWithinBindLimit([...missing.values()], CONVERSATION_COLUMNS)) {
        await this.db
          .insertInto('conversations')
          .values(slice.map(toConversationRow))
          .onConflict((oc) => oc.columns(['workspace_id', 'number_id', 'contact_id']).doNothing())
          .execute();
      }
      for (const [key, thread] of await this.findThreads([...missing.values()])) found.set(key, thread);
    }
    return candidates.map((candidate) => {
      const thread = found.get(threadKey(candidate));
      if (!thread) throw new Error(`conversation for contact ${candidate.contactId} vanished after insert`);
      return thread;
    });
  }

  private async findThreads(
    wanted: Array<Pick<Conversation, 'workspaceId' | 'numberId' | 'contactId'>>,
  ): Promise<Map<string, Conversation>> {
    // Grouped by (workspace, number): the unique index on (workspace, number, contact) serves each read.
    const groups = new Map<string, { workspaceId: string; numberId: string; contactIds: Set<string> }>();
    for (const { workspaceId, numberId, contactId } of wanted) {
      const key = `${workspaceId} ${numberId}`;
      const group = groups.get(key) ?? { workspaceId, numberId, contactIds: new Set<string>() };
      group.contactIds.add(contactId);
      groups.set(key, group);
    }
    const found = new Map<string, Conversation>();
    for (const { workspaceId, numberId, contactIds } of groups.values()) {
      for (const slice of slicesWithinBindLimit([...contactIds], 1)) {
        const rows = await this.db
          .selectFrom('conversations')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .where('number_id', '=', numberId)
          .where('contact_id', 'in', slice)
          .execute();
        for (const row of rows) {
          const thread = toConversation(row);
          found.set(threadKey(thread), thread);
        }
      }
    }
    return found;
  }

  private async findThread(workspaceId: string, numberId: string, contactId: string): Promise<Conversation | null> {
    const row = await THREAD.first(this.db, workspaceId, numberId, contactId);
    return row ? toConversation(row) : null;
  }

  async findInWorkspace(workspaceId: string, id: string): Promise<Conversation | null> {
    const row = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toConversation(row) : null;
  }

  async findById(id: string): Promise<Conversation | null> {
    const row = await this.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toConversation(row) : null;
  }

  /**
   * Moves the thread's "last message" forward; an older message never rewinds it.
   * Returns the conversation as it now stands without reading it back.
   */
  async touch(conversation: Conversation, at: string, preview: string): Promise<Conversation> {
    await this.touchById(conversation.id, at, preview);
    return touched(conversation, at, preview);
  }

  /**
   * `touch` for many messages in one statement per slice, with the same outcome as touching
   * them one after another in the given order: each entry gets its thread as it stands
   * after its own touch, and each thread ends at its latest message (of equal times, the
   * last given), unless it already shows a later one.
   */
  async touchMany(touches: Array<{ conversation: Conversation; at: string; preview: string }>): Promise<Conversation[]> {
    const current = new Map<string, Conversation>();
    const latest = new Map<string, { at: string; preview: string }>();
    const states = touches.map(({ conversation, at, preview }) => {
      const state = touched(current.get(conversation.id) ?? conversation, at, preview);
      current.set(conversation.id, state);
      const last = latest.get(conversation.id);
      if (!last || last.at <= at) latest.set(conversation.id, { at, preview: previewOf(preview) });
      return state;
    });
    if (latest.size === 0) return states;
    const lasts = jsonRows(
      this.dialect,
      [
        ['id', 'text'],
        ['at', 'text'],
        ['preview', 'text'],
      ],
      [...latest].map(([id, last]) => [id, last.at, last.preview]),
    );
    await sql`
      update conversations set last_message_at = l.at, last_activity_at = l.at, last_message_preview = l.preview
      from (${lasts}) as l
      where conversations.id = l.id and (conversations.last_message_at is null or conversations.last_message_at <= l.at)`.execute(this.db);
    return states;
  }

  async touchById(id: string, at: string, preview: string): Promise<void> {
    await TOUCH.execute(this.db, id, at, previewOf(preview));
  }

  /** Most recently active first: every thread of the workspace (`listInbox` with no view). */
  async list(workspaceId: string, limit: number, cursor?: string): Promise<Page<Conversation>> {
    return this.listInbox(workspaceId, { view: 'all', now: '' }, limit, cursor);
  }

  /**
   * The inbox list, most recently active first (a thread with no message yet sorts at its
   * creation). Each view walks one index in `last_activity_at` order and stops at the page
   * size (see migration 0013); the view conditions repeat the index columns as equalities.
   */
  async listInbox(workspaceId: string, filter: InboxFilter, limit: number, cursor?: string): Promise<Page<Conversation>> {
    const after = decodeCursor(cursor);
    let query = this.db.selectFrom('conversations').selectAll().where('workspace_id', '=', workspaceId);
    const notSnoozed = (eb: ExpressionBuilder<Database, 'conversations'>) =>
      eb.or([eb('snoozed_until', 'is', null), eb('snoozed_until', '<=', filter.now)]);
    switch (filter.view) {
      case 'all':
        break;
      case 'open':
        query = query.where('status', '=', 'open').where(notSnoozed);
        break;
      case 'closed':
        query = query.where('status', '=', 'closed');
        break;
      case 'snoozed':
        query = query.where('status', '=', 'open').where('snoozed_until', '>', filter.now);
        break;
      case 'mine':
        query = query
          .where('assignee_user_id', '=', filter.userId ?? '')
          .where('assignee_team_id', 'is', null)
          .where('status', '=', 'open')
          .where(notSnoozed);
        break;
      case 'unassigned':
        query = query
          .where('assignee_user_id', 'is', null)
          .where('assignee_team_id', 'is', null)
          .where('status', '=', 'open')
          .where(notSnoozed);
        break;
    }
    if (after) {
      query = query.where((eb) => eb(eb.refTuple('last_activity_at', 'id'), '<', eb.tuple(after.sort, after.id)));
    }
    let rows: Array<Selectable<ConversationTable>>;
    const terms = filter.q === undefined ? null : searchTerms(filter.q);
    const sets = terms ? await this.searchSets(workspaceId, terms) : null;
    if (terms && sets) {
      // Few matches: read those threads by id (and by contact) and sort them here. With ORDER
      // BY … LIMIT in the query, SQLite would walk the whole list testing each thread instead.
      const { conversationIds, contactIds } = sets;
      const found = new Map<string, Selectable<ConversationTable>>();
      if (conversationIds.length > 0) {
        for (let i = 0; i < conversationIds.length; i += ID_SLICE) {
          const slice = conversationIds.slice(i, i + ID_SLICE);
          for (const row of await query.where('id', 'in', slice).execute()) found.set(row.id, row);
        }
      }
      if (contactIds.length > 0) {
        for (let i = 0; i < contactIds.length; i += ID_SLICE) {
          const slice = contactIds.slice(i, i + ID_SLICE);
          for (const row of await query.where('contact_id', 'in', slice).execute()) found.set(row.id, row);
        }
      }
      rows = [...found.values()]
        .sort((a, b) => compareDesc(a.last_activity_at, b.last_activity_at) || compareDesc(a.id, b.id))
        .slice(0, limit + 1);
    } else {
      // Many matches (or no search): walk the list in order, testing each thread.
      if (terms) query = query.where(this.searchCondition(workspaceId, terms));
      rows = await query.orderBy('last_activity_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    }
    const page = rows.slice(0, limit).map(toConversation);
    const last = page.at(-1);
    return {
      data: page,
      nextCursor: rows.length > limit && last ? encodeCursor({ sort: last.lastActivityAt, id: last.id }) : null,
    };
  }

  /**
   * `q` matches the contact's name (case-insensitive substring), the digits of their phone
   * number (substring, when `q` has any digits) or words of any message in the thread
   * (each word of `q` as a word prefix, all of them in one message). Message text uses
   * SQLite FTS5 (unicode61: case and accents folded) or PostgreSQL's 'simple' text search
   * (case folded).
   */
  private searchCondition(
    workspaceId: string,
    { text, digits, words }: SearchTerms,
  ): (eb: ExpressionBuilder<Database, 'conversations'>) => Expression<SqlBool> {
    const like = `%${escapeLike(text)}%`;
    // Many matching contacts: a scan of the workspace's contacts measured faster here than
    // the trigram index (which serves the few-matches plan, see searchSets).
    return (eb) => {
      const contactMatch = eb
        .selectFrom('contacts')
        .select('contacts.id')
        .where('contacts.workspace_id', '=', workspaceId)
        .where((c) =>
          c.or([
            c(c.fn('lower', ['contacts.name']), 'like', sql<string>`${like} escape '\\'`),
            ...(digits.length > 0 ? [c('contacts.phone_number', 'like', `%${digits}%`)] : []),
          ]),
        );
      const conditions: Expression<SqlBool>[] = [eb('contact_id', 'in', contactMatch)];
      if (words.length > 0) {
        if (this.dialect === 'postgres') {
          const tsquery = words.map((word) => `${word}:*`).join(' & ');
          conditions.push(
            eb(
              'id',
              'in',
              eb
                .selectFrom('messages')
                .select('messages.conversation_id')
                .where('messages.workspace_id', '=', workspaceId)
                .where(sql<SqlBool>`to_tsvector('simple', messages.body) @@ to_tsquery('simple', ${tsquery})`),
            ),
          );
        } else {
          const match = words.map((word) => `"${word}"*`).join(' AND ');
          conditions.push(sql<SqlBool>`conversations.id in (select conversation_id from messages_fts where messages_fts match ${match})`);
        }
      }
      return eb.or(conditions);
    };
  }

  /**
   * The threads and contacts `q` matches, when there are at most SMALL_MATCH of each (by
   * index: FTS5 on SQLite, trigrams for contacts; GIN on PostgreSQL); null when there are more.
   */
  private async searchSets(
    workspaceId: string,
    { text, digits, words }: SearchTerms,
  ): Promise<{ conversationIds: string[]; contactIds: string[] } | null> {
    const SMALL_MATCH = ConversationRepository.searchSmallMatch;
    let contactIds: string[];
    const match = this.dialect === 'sqlite' ? contactTrigramMatch(text, digits) : null;
    if (match) {
      // Every workspace's contacts: the thread query that follows keeps the workspace's own.
      const rows = await sql<{ id: string }>`select contact_id as id from contacts_fts
        where contacts_fts match ${match} limit ${SMALL_MATCH + 1}`.execute(this.db);
      contactIds = rows.rows.map((row) => row.id);
    } else {
      const like = `%${escapeLike(text)}%`;
      const rows = await this.db
        .selectFrom('contacts')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where((c) =>
          c.or([
            c(c.fn('lower', ['name']), 'like', sql<string>`${like} escape '\\'`),
            ...(digits.length > 0 ? [c('phone_number', 'like', `%${digits}%`)] : []),
          ]),
        )
        .limit(SMALL_MATCH + 1)
        .execute();
      contactIds = rows.map((row) => row.id);
    }
    if (contactIds.length > SMALL_MATCH) return null;
    let conversationIds: string[] = [];
    if (words.length > 0) {
      if (this.dialect === 'postgres') {
        const tsquery = words.map((word) => `${word}:*`).join(' & ');
        const rows = await this.db
          .selectFrom('messages')
          .select('conversation_id')
          .where('workspace_id', '=', workspaceId)
          .where(sql<SqlBool>`to_tsvector('simple', body) @@ to_tsquery('simple', ${tsquery})`)
          .limit(SMALL_MATCH + 1)
          .execute();
        conversationIds = rows.map((row) => row.conversation_id);
      } else {
        const match = words.map((word) => `"${word}"*`).join(' AND ');
        const rows = await sql<{ conversation_id: string }>`select conversation_id from messages_fts
          where messages_fts match ${match} limit ${SMALL_MATCH + 1}`.execute(this.db);
        conversationIds = rows.rows.map((row) => row.conversation_id);
      }
      if (conversationIds.length > SMALL_MATCH) return null;
    }
    return { conversationIds: [...new Set(conversationIds)], contactIds };
  }

  /** Changes inbox fields and returns the thread as it now stands; null when not in the workspace. */
  async updateInbox(workspaceId: string, id: string, patch: InboxPatch): Promise<Conversation | null> {
    const set: Updateable<ConversationTable> = {};
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.assigneeUserId !== undefined) set.assignee_user_id = patch.assigneeUserId;
    if (patch.assigneeTeamId !== undefined) set.assignee_team_id = patch.assigneeTeamId;
    if (patch.snoozedUntil !== undefined) set.snoozed_until = patch.snoozedUntil;
    if (patch.lastReadAt !== undefined) set.last_read_at = patch.lastReadAt;
    if (Object.keys(set).length > 0) {
      await this.db.updateTable('conversations').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    }
    return this.findInWorkspace(workspaceId, id);
  }

  /**
   * A customer wrote: `touch` with the text, the thread is open again (closed or snoozed) and
   * its last inbound time moves forward, in one statement (RECORD_INBOUND). Returns the thread
   * as it then stands without reading it back.
   */
  async recordInbound(conversation: Conversation, at: string, body: string): Promise<Conversation> {
    await RECORD_INBOUND.execute(this.db, conversation.id, at, previewOf(body));
    const lastInboundAt =
      conversation.lastInboundAt === null || conversation.lastInboundAt < at ? at : conversation.lastInboundAt;
    return { ...touched(conversation, at, body), status: 'open', snoozedUntil: null, lastInboundAt };
  }
}

export type InboxView = 'all' | 'open' | 'mine' | 'unassigned' | 'closed' | 'snoozed';

export interface InboxFilter {
  view: InboxView;
  /** ISO time the snoozes are compared with. */
  now: string;
  /** The signed-in user, for 'mine'. */
  userId?: string;
  q?: string;
}

export interface InboxPatch {
  status?: Conversation['status'];
  assigneeUserId?: string | null;
  assigneeTeamId?: string | null;
  snoozedUntil?: string | null;
  lastReadAt?: string;
}

interface SearchTerms {
  /** Lower-cased, trimmed. */
  text: string;
  digits: string;
  /** Letters and digits runs, for word-prefix search of message text. */
  words: string[];
}

function searchTerms(q: string): SearchTerms {
  const text = q.trim().toLowerCase();
  return { text, digits: text.replace(/\D/g, ''), words: text.match(/[\p{L}\p{N}]+/gu) ?? [] };
}

/**
 * An FTS5 query of contacts_fts (trigrams) for a name or digits substring; null when both
 * are under three characters, which trigrams cannot find (a scan with LIKE does then).
 */
function contactTrigramMatch(text: string, digits: string): string | null {
  const phrase = (value: string): string => `"${value.replaceAll('"', '""')}"`;
  const parts = [
    ...(text.length >= 3 ? [`name : ${phrase(text)}`] : []),
    ...(digits.length >= 3 ? [`phone_number : ${phrase(digits)}`] : []),
  ];
  return parts.length > 0 ? parts.join(' OR ') : null;
}

/**
 * Ids per `in (…)` list of the few-matches plan. As one parameter (json_each) SQLite could not
 * size the list and scanned the threads (190 ms for one id); thousands of placeholders are
 * prepared anew on every call (300 ms for 5,800). Slices of this size are neither.
 */
const ID_SLICE = 500;

/** Descending order of ISO times and UUIDv7 ids, compared as the database compares text (bytes). */
function compareDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const CONVERSATION_COLUMNS = 9;

function toConversationRow(conversation: NewConversation): Insertable<ConversationTable> {
  return {
    id: conversation.id,
    workspace_id: conversation.workspaceId,
    number_id: conversation.numberId,
    contact_id: conversation.contactId,
    last_message_at: conversation.lastMessageAt,
    last_message_preview: conversation.lastMessagePreview,
    created_at: conversation.createdAt,
    status: 'open',
    last_activity_at: conversation.lastMessageAt ?? conversation.createdAt,
  };
}

function threadKey(conversation: Pick<Conversation, 'workspaceId' | 'numberId' | 'contactId'>): string {
  return `${conversation.workspaceId} ${conversation.numberId} ${conversation.contactId}`;
}

/**
 * A thread's preview: the first 160 characters, masked before they are cut — cut first, a
 * card number across the cut is no longer recognised and 15 of its 16 digits would show.
 */
function previewOf(body: string): string {
  return maskSensitiveData(body).slice(0, 160);
}

/** The thread after a message at `at`: an older message never rewinds its "last message". */
function touched(conversation: Conversation, at: string, preview: string): Conversation {
  const moved = conversation.lastMessageAt === null || conversation.lastMessageAt <= at;
  return moved
    ? { ...conversation, lastMessageAt: at, lastActivityAt: at, lastMessagePreview: previewOf(preview) }
    : conversation;
}
