import type { Kysely } from 'kysely';

/**
 * Smart encoding, opt-in per workspace (per message it is a request flag, not stored).
 * An integer 0/1 like every boolean in the schema; NOT NULL DEFAULT 0 fills existing rows,
 * so workspaces created before this migration keep sending bodies as written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('workspaces')
    .addColumn('smart_encoding', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('workspaces').dropColumn('smart_encoding').execute();
}
