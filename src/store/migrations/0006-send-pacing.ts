import { sql, type Kysely } from 'kysely';

/**
 * The send pipeline's shared state (issue 5):
 * - `messages.claim_order`: due time plus a priority head start (see domain/send-pace.ts);
 *   the claim query reads the queue in this order, through `messages_claim_idx`.
 * - `messages.submit_started_at`: written just before the carrier call. A lease that expires
 *   without it was certainly never submitted and is simply requeued; with it, the outcome is
 *   unknown and the workspace's rule decides.
 * - `send_pace`: limiter state per sender number and per workspace, shared by every worker
 *   process (rows are locked while a claim reserves slots).
 * - workspace settings: `unknown_outcome` ('fail' | 'retry') and `max_segments_per_second`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('claim_order', 'text').execute();
  await db.schema.alterTable('messages').addColumn('submit_started_at', 'text').execute();
  await sql`update messages set claim_order = next_attempt_at where next_attempt_at is not null`.execute(db);
  await db.schema.createIndex('messages_claim_idx').on('messages').columns(['status', 'claim_order']).execute();

  await db.schema
    .createTable('send_pace')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('next_at_ms', 'double precision', (c) => c.notNull())
    .addColumn('slowdown', 'double precision', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('workspaces').addColumn('unknown_outcome', 'text', (c) => c.notNull().defaultTo('fail')).execute();
  await db.schema.alterTable('workspaces').addColumn('max_segments_per_second', 'double precision').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('workspaces').dropColumn('max_segments_per_second').execute();
  await db.schema.alterTable('workspaces').dropColumn('unknown_outcome').execute();
  await db.schema.dropTable('send_pace').ifExists().execute();
  await db.schema.dropIndex('messages_claim_idx').ifExists().execute();
  await db.schema.alterTable('messages').dropColumn('submit_started_at').execute();
  await db.schema.alterTable('messages').dropColumn('claim_order').execute();
}
