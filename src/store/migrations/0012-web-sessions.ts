import type { Kysely } from 'kysely';

/**
 * People signing in to the web inbox (issue 6):
 * - `sessions`: one row per signed-in browser. The id is the SHA-256 of the cookie's random
 *   token, so a copy of the database holds no usable credential. Expiry slides with use.
 * - `invites`: single-use links that let a new team member join a workspace with a role;
 *   the id is likewise the SHA-256 of the token in the link.
 * - `setup_claims`: at most one row, written by the first-run setup before it creates the
 *   workspace, so two browsers racing through setup cannot both create one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').columns(['user_id', 'expires_at']).execute();

  await db.schema
    .createTable('invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('invites_workspace_idx').on('invites').columns(['workspace_id', 'created_at']).execute();

  await db.schema
    .createTable('setup_claims')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('setup_claims').ifExists().execute();
  await db.schema.dropTable('invites').ifExists().execute();
  await db.schema.dropTable('sessions').ifExists().execute();
}
