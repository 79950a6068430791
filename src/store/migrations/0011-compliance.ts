import { sql, type Kysely } from 'kysely';

/**
 * Compliance (issue 7):
 * - `consent_events` becomes the consent ledger: scope (workspace or one number), the
 *   recognition rule, the actor; kinds renamed to the ledger's vocabulary
 *   (opt_out → opted_out, opt_in → opted_in). Still append-only.
 * - `contacts`: the recipient's own time zone, and the ambiguous-reply hold
 *   (`consent_review_at`); `number_opt_outs` keeps number-scoped opt-outs. Both are copies
 *   of what the ledger says, written in the same transaction as the event.
 * - `workspaces.compliance`: the settings document (domain/compliance-settings.ts).
 * - `audit_events`: consent changes, sensitive-content overrides and reveals.
 * - `messages_marketing_contact_idx`: marketing sends per contact, for frequency caps.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('consent_events').addColumn('scope', 'text', (c) => c.notNull().defaultTo('workspace')).execute();
  await db.schema.alterTable('consent_events').addColumn('number_id', 'text').execute();
  await db.schema.alterTable('consent_events').addColumn('rule', 'text').execute();
  await db.schema.alterTable('consent_events').addColumn('actor', 'text', (c) => c.notNull().defaultTo('contact')).execute();
  await sql`update consent_events set kind = 'opted_out' where kind = 'opt_out'`.execute(db);
  await sql`update consent_events set kind = 'opted_in' where kind = 'opt_in'`.execute(db);
  await db.schema
    .createIndex('consent_events_workspace_idx')
    .on('consent_events')
    .columns(['workspace_id', 'created_at', 'id'])
    .execute();

  await db.schema.alterTable('contacts').addColumn('time_zone', 'text').execute();
  await db.schema.alterTable('contacts').addColumn('consent_review_at', 'text').execute();
  await db.schema
    .createTable('number_opt_outs')
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('number_id', 'text', (c) => c.notNull().references('numbers.id').onDelete('cascade'))
    .addColumn('opted_out_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('number_opt_outs_pk', ['contact_id', 'number_id'])
    .execute();

  await db.schema.alterTable('workspaces').addColumn('compliance', 'text', (c) => c.notNull().defaultTo('{}')).execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_workspace_idx').on('audit_events').columns(['workspace_id', 'id']).execute();

  // Partial, on a literal condition: the cap query spells it the same way.
  await db.schema
    .createIndex('messages_marketing_contact_idx')
    .on('messages')
    .columns(['contact_id', 'sending_at'])
    .where(sql.ref('category'), '=', sql.lit('marketing'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_marketing_contact_idx').ifExists().execute();
  await db.schema.dropTable('audit_events').ifExists().execute();
  await db.schema.alterTable('workspaces').dropColumn('compliance').execute();
  await db.schema.dropTable('number_opt_outs').ifExists().execute();
  await db.schema.alterTable('contacts').dropColumn('consent_review_at').execute();
  await db.schema.alterTable('contacts').dropColumn('time_zone').execute();
  await db.schema.dropIndex('consent_events_workspace_idx').ifExists().execute();
  await sql`update consent_events set kind = 'opt_out' where kind = 'opted_out'`.execute(db);
  await sql`update consent_events set kind = 'opt_in' where kind = 'opted_in'`.execute(db);
  await db.schema.alterTable('consent_events').dropColumn('actor').execute();
  await db.schema.alterTable('consent_events').dropColumn('rule').execute();
  await db.schema.alterTable('consent_events').dropColumn('number_id').execute();
  await db.schema.alterTable('consent_events').dropColumn('scope').execute();
}
