import { maskSensitiveData } from '../domain/sensitive-data.js';
import { sql, type Insertable, type Kysely } from 'kysely';
import type { Conversation } from '../domain/models.js';
import type { ConversationTable, Database } from './schema.js';
import { toConversation } from './row-mappers.js';
import { decodeCursor, encodeCursor, type Page } from './cursor.js';
import { slicesWithinBindLimit } from './bind-limit.js';

export class ConversationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The one thread for (workspace, business number, contact), created when new. */
  async findOrCreate(candidate: Conversation): Promise<Conversation> {
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
  async findOrCreateMany(candidates: Conversation[]): Promise<Conversation[]> {
    const found = await this.findThreads(candidates);
    const missing = new Map<string, Conversation>();
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
    const row = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('number_id', '=', numberId)
      .where('contact_id', '=', contactId)
      .executeTakeFirst();
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
    // Seven parameters a thread: two in each CASE, one in the IN list.
    for (const slice of slicesWithinBindLimit([...latest], 7)) {
      const caseOf = (pick: (last: { at: string; preview: string }) => string) =>
        sql<string>`case id ${sql.join(
          slice.map(([id, last]) => sql`when ${id} then ${pick(last)}`),
          sql` `,
        )} end`;
      await this.db
        .updateTable('conversations')
        .set({ last_message_at: caseOf((last) => last.at), last_message_preview: caseOf((last) => last.preview) })
        .where('id', 'in', slice.map(([id]) => id))
        .where((eb) => eb.or([eb('last_message_at', 'is', null), eb('last_message_at', '<=', caseOf((last) => last.at))]))
        .execute();
    }
    return states;
  }

  async touchById(id: string, at: string, preview: string): Promise<void> {
    await this.db
      .updateTable('conversations')
      .set({ last_message_at: at, last_message_preview: previewOf(preview) })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_message_at', 'is', null), eb('last_message_at', '<=', at)]))
      .execute();
  }

  /**
   * Most recently active first. A conversation with no message yet sorts as if its last
   * message were at its creation, so a thread just opened shows near the top.
   */
  async list(workspaceId: string, limit: number, cursor?: string): Promise<Page<Conversation>> {
    const after = decodeCursor(cursor);
    let query = this.db.selectFrom('conversations').selectAll().where('workspace_id', '=', workspaceId);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb(eb.fn.coalesce('last_message_at', 'created_at'), '<', after.sort),
          eb.and([eb(eb.fn.coalesce('last_message_at', 'created_at'), '=', after.sort), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy((eb) => eb.fn.coalesce('last_message_at', 'created_at'), 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit).map(toConversation);
    const last = page.at(-1);
    return {
      data: page,
      nextCursor:
        rows.length > limit && last ? encodeCursor({ sort: last.lastMessageAt ?? last.createdAt, id: last.id }) : null,
    };
  }
}

const CONVERSATION_COLUMNS = 7;

function toConversationRow(conversation: Conversation): Insertable<ConversationTable> {
  return {
    id: conversation.id,
    workspace_id: conversation.workspaceId,
    number_id: conversation.numberId,
    contact_id: conversation.contactId,
    last_message_at: conversation.lastMessageAt,
    last_message_preview: conversation.lastMessagePreview,
    created_at: conversation.createdAt,
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
  return moved ? { ...conversation, lastMessageAt: at, lastMessagePreview: previewOf(preview) } : conversation;
}
