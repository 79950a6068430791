import type { Kysely } from 'kysely';

/**
 * Live carrier status as each sending process sees it, so an API process that holds no
 * connection of its own (`--role api`) can still answer GET /v1/carriers/:id truthfully.
 * Rows are refreshed every few seconds by the processes' CarrierKeeper and ignored when stale.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('carrier_status')
    .addColumn('carrier_id', 'text', (c) => c.notNull())
    .addColumn('process_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('carrier_status_pk', ['carrier_id', 'process_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('carrier_status').ifExists().execute();
}
