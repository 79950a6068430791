import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';

/** Migrations are listed in code (not read from disk) so they ship inside any bundle. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
};

export class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}
