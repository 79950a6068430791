import type { Kysely } from 'kysely';
import type { Conversation } from '../domain/models.js';
import type { Database } from './schema.js';
import { toConversation } from './row-mappers.js';
import { decodeCursor, encodeCursor, type Page } from './cursor.js';

export class ConversationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The one thread for (workspace, business number, contact), created when new. */
  async findOrCreate(candidate: Conversation): Promise<Conversation> {
    const existing = await this.findThread(candidate.workspaceId, candidate.numberId, candidate.contactId);
    if (existing) return existing;
    await this.db
      .insertInto('conversations')
      .values({
        id: candidate.id,
        workspace_id: candidate.workspaceId,
        number_id: candidate.numberId,
        contact_id: candidate.contactId,
        last_message_at: candidate.lastMessageAt,
        last_message_preview: candidate.lastMessagePreview,
        created_at: candidate.createdAt,
      })
      .onConflict((oc) => oc.columns(['workspace_id', 'number_id', 'contact_id']).doNothing())
      .execute();
    const created = await this.findThread(candidate.workspaceId, candidate.numberId, candidate.contactId);
    if (!created) throw new Error(`conversation for contact ${candidate.contactId} vanished after insert`);
    return created;
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
    const moved = conversation.lastMessageAt === null || conversation.lastMessageAt <= at;
    await this.touchById(conversation.id, at, preview);
    return moved ? { ...conversation, lastMessageAt: at, lastMessagePreview: preview.slice(0, 160) } : conversation;
  }

  async touchById(id: string, at: string, preview: string): Promise<void> {
    await this.db
      .updateTable('conversations')
      .set({ last_message_at: at, last_message_preview: preview.slice(0, 160) })
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
