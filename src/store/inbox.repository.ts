import type { Kysely } from 'kysely';
import type { Note, Team, Template, User } from '../domain/models.js';
import type { Database } from './schema.js';
import { toNote, toTeam, toTemplate, toUser } from './row-mappers.js';

/** Teams, templates and internal notes of the inbox (migration 0013). */
export class InboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertTeam(team: Team): Promise<void> {
    await this.db
      .insertInto('teams')
      .values({ id: team.id, workspace_id: team.workspaceId, name: team.name, created_at: team.createdAt })
      .execute();
  }

  async findTeamByName(workspaceId: string, name: string): Promise<Team | null> {
    const row = await this.db
      .selectFrom('teams')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? toTeam(row) : null;
  }

  async findTeam(workspaceId: string, id: string): Promise<Team | null> {
    const row = await this.db
      .selectFrom('teams')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toTeam(row) : null;
  }

  async listTeams(workspaceId: string): Promise<Team[]> {
    const rows = await this.db.selectFrom('teams').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').execute();
    return rows.map(toTeam);
  }

  async teamsByIds(ids: string[]): Promise<Team[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('teams').selectAll().where('id', 'in', ids).execute();
    return rows.map(toTeam);
  }

  /** Users by id, for showing assignees (any workspace: the ids come from the workspace's threads). */
  async usersByIds(ids: string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
    return rows.map(toUser);
  }

  async findUser(workspaceId: string, id: string): Promise<User | null> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async insertTemplate(template: Template): Promise<void> {
    await this.db
      .insertInto('templates')
      .values({
        id: template.id,
        workspace_id: template.workspaceId,
        name: template.name,
        body: template.body,
        created_at: template.createdAt,
      })
      .execute();
  }

  async listTemplates(workspaceId: string): Promise<Template[]> {
    const rows = await this.db
      .selectFrom('templates')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toTemplate);
  }

  async findTemplate(workspaceId: string, id: string): Promise<Template | null> {
    const row = await this.db
      .selectFrom('templates')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toTemplate(row) : null;
  }

  /** True when a template was deleted. */
  async deleteTemplate(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('templates')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async insertNote(note: Note): Promise<void> {
    await this.db
      .insertInto('notes')
      .values({
        id: note.id,
        workspace_id: note.workspaceId,
        conversation_id: note.conversationId,
        author_user_id: note.authorUserId,
        author_label: note.authorLabel,
        body: note.body,
        created_at: note.createdAt,
      })
      .execute();
  }

  async findNote(workspaceId: string, id: string): Promise<Note | null> {
    const row = await this.db
      .selectFrom('notes')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toNote(row) : null;
  }

  /** A thread's notes, oldest first (at most `limit`). */
  async listNotes(conversationId: string, limit: number): Promise<Note[]> {
    const rows = await this.db
      .selectFrom('notes')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toNote);
  }
}
