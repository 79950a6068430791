import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, type TestContext } from '../../../test/support/test-context.js';
import { closeWithRawDatabase, openWithRawDatabase } from '../../../test/support/raw-database.js';
import type { DatabaseHandle } from '../database.js';
import { StaticMigrationProvider } from './index.js';

const LOOKUPS = ['carrier_message_keys_lookup_idx', 'delivery_receipt_keys_lookup_idx'];

describe.each(STORES)('migration 0016-key-first-lookups on %s', (kind) => {
  let t: TestContext;
  let raw: DatabaseHandle;

  beforeAll(async () => ({ t, raw } = await openWithRawDatabase(kind)));
  afterAll(async () => closeWithRawDatabase({ t, raw }));

  /** The index's columns, in order. */
  async function columnsOf(index: string): Promise<string[]> {
    if (raw.dialect === 'sqlite') {
      const { rows } = await sql<{ name: string }>`select name from pragma_index_info(${index}) order by seqno`.execute(raw.db);
      return rows.map((row) => row.name);
    }
    const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes where indexname = ${index}`.execute(raw.db);
    const inParens = /\(([^)]*)\)\s*$/.exec(rows[0]?.indexdef ?? '')?.[1] ?? '';
    return inParens.split(',').map((column) => column.trim());
  }

  it('leads the carrier-id lookup indexes with the key, and puts the carrier first again on the way down', async () => {
    for (const index of LOOKUPS) expect(await columnsOf(index)).toEqual(['key', 'carrier_id']);

    const migrator = new Migrator({ db: raw.db, provider: new StaticMigrationProvider(), allowUnorderedMigrations: true });
    const down = await migrator.migrateTo('0015-search-backlog');
    expect(down.error).toBeUndefined();
    for (const index of LOOKUPS) expect(await columnsOf(index)).toEqual(['carrier_id', 'key']);

    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(up.results?.map((r) => r.migrationName)).toContain('0016-key-first-lookups');
    for (const index of LOOKUPS) expect(await columnsOf(index)).toEqual(['key', 'carrier_id']);
  });
});
