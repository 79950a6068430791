import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, type TestContext } from '../../../test/support/test-context.js';
import { closeWithRawDatabase, openWithRawDatabase } from '../../../test/support/raw-database.js';
import { seedWorkspace } from '../../../test/support/fixtures.js';
import { send } from '../../../test/support/pipeline.js';
import type { DatabaseHandle } from '../database.js';
import { StaticMigrationProvider } from './index.js';

describe.each(STORES)('migration 0015-search-backlog on %s', (kind) => {
  let t: TestContext;
  let raw: DatabaseHandle;

  beforeAll(async () => ({ t, raw } = await openWithRawDatabase(kind)));
  afterAll(async () => closeWithRawDatabase({ t, raw }));

  const threadsMatching = async (workspaceId: string, word: string): Promise<number> =>
    (await t.ctx.db.repos.conversations.listInbox(workspaceId, { view: 'all', now: new Date().toISOString(), q: word }, 50)).data.length;

  it('keeps every message searchable across down and up, and leaves no backlog behind a commit', async () => {
    const seeded = await seedWorkspace(t.ctx, { name: 'Search backlog' });
    await send(t.ctx, seeded.workspace, seeded.number.phoneNumber, { to: '+12015557201', body: 'before narwhal' });
    expect(await threadsMatching(seeded.workspace.id, 'narwhal')).toBe(1);
    if (kind === 'sqlite') {
      expect((await sql<{ n: number }>`select count(*) as n from search_backlog`.execute(raw.db)).rows[0]?.n).toBe(0);
      // A message whose entry is still in the backlog (as after a crash mid-way, were that possible).
      await sql`insert into search_backlog (message_id) select id from messages where body = 'before narwhal'`.execute(raw.db);
      await sql`delete from messages_fts`.execute(raw.db).catch(() => undefined);
    }

    const migrator = new Migrator({ db: raw.db, provider: new StaticMigrationProvider(), allowUnorderedMigrations: true });
    const down = await migrator.migrateTo('0014-claim-by-sender');
    expect(down.error).toBeUndefined();
    if (kind === 'sqlite') {
      // Down indexed the backlog and put the per-insert trigger back.
      const matches = await sql<{ n: number }>`select count(*) as n from messages_fts where messages_fts match 'narwhal'`.execute(raw.db);
      expect(matches.rows[0]?.n).toBe(1);
      const triggers = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and tbl_name = 'messages'`.execute(raw.db);
      expect(triggers.rows.map((r) => r.name)).toEqual(['messages_fts_insert']);
    }

    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(up.results?.map((r) => r.migrationName)).toContain('0015-search-backlog');
    await send(t.ctx, seeded.workspace, seeded.number.phoneNumber, { to: '+12015557203', body: 'after narwhal' });
    expect(await threadsMatching(seeded.workspace.id, 'narwhal')).toBe(2);
  });
});
