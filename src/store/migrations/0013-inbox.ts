import { sql, type Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

/**
 * The inbox (issue 6):
 * - `conversations` gain a status, an assignee (a user or a team, never both), a snooze,
 *   the time of the last inbound message and of the last read (unread = an inbound message
 *   after the last read), and `last_activity_at`: the list's sort key, kept equal to
 *   coalesce(last_message_at, created_at) wherever a thread is touched. The old list sorted
 *   by that expression, which no index serves (~2 s at 1M threads).
 * - Three indexes serve every list view by walking in sort order and stopping at the page
 *   size: all (workspace, activity), open/closed (workspace, status, activity) and
 *   mine/unassigned (workspace, assignee user, assignee team, status, activity). Snoozes
 *   depend on the time of the query, so they are filtered during the walk.
 * - `notes` (internal, never sent), `teams`, `templates`.
 * - Search over message text: on SQLite an FTS5 table fed by a trigger (same transaction
 *   as the insert; messages are never updated or deleted by Parley); on PostgreSQL a GIN
 *   index on to_tsvector('simple', body), built in, no extension needed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = await isPostgres(db);
  await db.schema.alterTable('conversations').addColumn('status', 'text', (c) => c.notNull().defaultTo('open')).execute();
  await db.schema.alterTable('conversations').addColumn('assignee_user_id', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('assignee_team_id', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('snoozed_until', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('last_inbound_at', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('last_read_at', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('last_activity_at', 'text', (c) => c.notNull().defaultTo('')).execute();
  await sql`update conversations set last_activity_at = coalesce(last_message_at, created_at)`.execute(db);
  await sql`update conversations set last_inbound_at = (
    select max(m.created_at) from messages m where m.conversation_id = conversations.id and m.direction = 'inbound'
  )`.execute(db);

  await db.schema.dropIndex('conversations_recent_idx').ifExists().execute();
  await db.schema
    .createIndex('conversations_activity_idx')
    .on('conversations')
    .columns(['workspace_id', 'last_activity_at', 'id'])
    .execute();
  await db.schema
    .createIndex('conversations_status_idx')
    .on('conversations')
    .columns(['workspace_id', 'status', 'last_activity_at', 'id'])
    .execute();
  await db.schema
    .createIndex('conversations_assignee_idx')
    .on('conversations')
    .columns(['workspace_id', 'assignee_user_id', 'assignee_team_id', 'status', 'last_activity_at', 'id'])
    .execute();

  // Search finds contacts first, then their threads.
  await db.schema.createIndex('conversations_contact_idx').on('conversations').column('contact_id').execute();

  await db.schema
    .createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('teams_name_unique', ['workspace_id', 'name'])
    .execute();

  await db.schema
    .createTable('templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('templates_workspace_idx').on('templates').columns(['workspace_id', 'name']).execute();

  await db.schema
    .createTable('notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('author_user_id', 'text')
    .addColumn('author_label', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notes_conversation_idx').on('notes').columns(['conversation_id', 'created_at', 'id']).execute();

  if (postgres) {
    await sql`create index messages_body_search_idx on messages using gin (to_tsvector('simple', body))`.execute(db);
  } else {
    // Contentless: the bodies stay in `messages` only; the conversation id is kept (unindexed)
    // so a match leads straight to its thread. Rowids are the FTS table's own, so a VACUUM
    // renumbering `messages` cannot break it.
    await sql`create virtual table if not exists messages_fts using fts5(
      body, conversation_id unindexed, content='', contentless_unindexed=1, contentless_delete=1
    )`.execute(db);
    // Empty when it was just created; left by an earlier `down` otherwise (see there).
    await sql`insert into messages_fts (messages_fts) values ('delete-all')`.execute(db);
    await sql`insert into messages_fts (body, conversation_id) select body, conversation_id from messages`.execute(db);
    await sql`create trigger messages_fts_insert after insert on messages begin
      insert into messages_fts (body, conversation_id) values (new.body, new.conversation_id);
    end`.execute(db);
    // Substrings of names and phone numbers: a trigram index (case and accents folded).
    // Parley never deletes contacts; a name change replaces the contact's entry.
    await sql`create virtual table contacts_fts using fts5(
      name, phone_number, contact_id unindexed, tokenize = 'trigram remove_diacritics 1'
    )`.execute(db);
    await sql`insert into contacts_fts (name, phone_number, contact_id)
      select coalesce(name, ''), phone_number, id from contacts`.execute(db);
    await sql`create trigger contacts_fts_insert after insert on contacts begin
      insert into contacts_fts (name, phone_number, contact_id) values (coalesce(new.name, ''), new.phone_number, new.id);
    end`.execute(db);
    await sql`create trigger contacts_fts_rename after update of name on contacts begin
      delete from contacts_fts where contact_id = old.id;
      insert into contacts_fts (name, phone_number, contact_id) values (coalesce(new.name, ''), new.phone_number, new.id);
    end`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (await isPostgres(db)) {
    await sql`drop index if exists messages_body_search_idx`.execute(db);
  } else {
    await sql`drop trigger if exists messages_fts_insert`.execute(db);
    // Kept: SQLite leaves a contentless_unindexed table's _content shadow table behind on DROP,
    // and refuses to drop that (defensive mode), so the table could never be created again.
    // Emptied instead; `up` fills it again.
    await sql`insert into messages_fts (messages_fts) values ('delete-all')`.execute(db);
    await sql`drop trigger if exists contacts_fts_rename`.execute(db);
    await sql`drop trigger if exists contacts_fts_insert`.execute(db);
    await sql`drop table if exists contacts_fts`.execute(db);
  }
  await db.schema.dropTable('notes').ifExists().execute();
  await db.schema.dropTable('templates').ifExists().execute();
  await db.schema.dropTable('teams').ifExists().execute();
  await db.schema.dropIndex('conversations_contact_idx').ifExists().execute();
  await db.schema.dropIndex('conversations_assignee_idx').ifExists().execute();
  await db.schema.dropIndex('conversations_status_idx').ifExists().execute();
  await db.schema.dropIndex('conversations_activity_idx').ifExists().execute();
  await db.schema
    .createIndex('conversations_recent_idx')
    .on('conversations')
    .columns(['workspace_id', 'last_message_at', 'id'])
    .execute();
  for (const column of ['last_activity_at', 'last_read_at', 'last_inbound_at', 'snoozed_until', 'assignee_team_id', 'assignee_user_id', 'status']) {
    await db.schema.alterTable('conversations').dropColumn(column).execute();
  }
}
