import { sql, type Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

/**
 * SQLite search index written once per transaction instead of once per statement.
 *
 * FTS5 flushes what it has pending into a new index segment at every statement of a
 * transaction (each statement is a savepoint). With the 0013 trigger feeding `messages_fts`
 * on every insert, a customer reply paid one FTS flush of its own, and the statement after it
 * another: most of a reply's cost. Now the trigger only notes the new message's id in
 * `search_backlog` (a plain table), and the store indexes the whole backlog in one statement
 * just before the transaction that wrote it commits (MessageRepository.indexSearchBacklog):
 * search stays exact — never a committed message it cannot find — and a transaction of many
 * inserts (a group of replies, a batch send) flushes FTS once.
 *
 * PostgreSQL keeps its GIN index (0013); nothing changes there.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (await isPostgres(db)) return;
  await sql`create table search_backlog (message_id text primary key) without rowid`.execute(db);
  await sql`drop trigger if exists messages_fts_insert`.execute(db);
  await sql`create trigger messages_search_backlog after insert on messages begin
    insert into search_backlog (message_id) values (new.id);
  end`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (await isPostgres(db)) return;
  await sql`insert into messages_fts (body, conversation_id)
    select m.body, m.conversation_id from search_backlog b cross join messages m on m.id = b.message_id`.execute(db);
  await sql`drop trigger if exists messages_search_backlog`.execute(db);
  await sql`drop table if exists search_backlog`.execute(db);
  await sql`create trigger messages_fts_insert after insert on messages begin
    insert into messages_fts (body, conversation_id) values (new.body, new.conversation_id);
  end`.execute(db);
}
