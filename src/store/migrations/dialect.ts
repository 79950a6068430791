import { sql, type Kysely } from 'kysely';

/** Migrations get no dialect name; PostgreSQL is the one of our two that knows `version()`. */
export async function isPostgres(db: Kysely<unknown>): Promise<boolean> {
  try {
    await sql`select version()`.execute(db);
    return true;
  } catch {
    return false;
  }
}
