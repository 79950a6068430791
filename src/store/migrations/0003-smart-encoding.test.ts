import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateApiKey, createWorkspace } from '../../app/workspace.service.js';
import { STORES, type TestContext } from '../../../test/support/test-context.js';
import { closeWithRawDatabase, openWithRawDatabase } from '../../../test/support/raw-database.js';
import type { DatabaseHandle } from '../database.js';
import { StaticMigrationProvider } from './index.js';

describe.each(STORES)('migration 0003-smart-encoding on %s', (kind) => {
  let t: TestContext;
  let raw: DatabaseHandle;

  beforeAll(async () => ({ t, raw } = await openWithRawDatabase(kind)));
  afterAll(async () => closeWithRawDatabase({ t, raw }));

  it('starts workspaces with smart encoding off and stores the setting', async () => {
    const { workspace, apiKey } = await createWorkspace(t.ctx, { name: 'Repo Co' });
    expect(workspace.smartEncoding).toBe(false);
    const repos = t.ctx.db.repos;
    expect(await repos.workspaces.findById(workspace.id)).toMatchObject({ smartEncoding: false });

    const updated = await repos.workspaces.updateSettings(workspace.id, { smartEncoding: true });
    expect(updated).toEqual({ ...workspace, smartEncoding: true });
    // The per-request auth join reads it too.
    expect((await authenticateApiKey(t.ctx, apiKey)).workspace).toEqual({ ...workspace, smartEncoding: true });

    const row = await raw.db.selectFrom('workspaces').select('smart_encoding').where('id', '=', workspace.id).executeTakeFirst();
    expect(Number(row?.smart_encoding)).toBe(1);

    expect(await repos.workspaces.updateSettings(workspace.id, {})).toEqual({ ...workspace, smartEncoding: true });
    expect(await repos.workspaces.updateSettings('no-such-workspace', { smartEncoding: false })).toBeNull();
  });

  it('migrates down and up again; existing workspaces come back with smart encoding off', async () => {
    const migrator = new Migrator({ db: raw.db, provider: new StaticMigrationProvider() });
    const down = await migrator.migrateTo('0002-inbound-parts');
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toContainEqual([
      '0003-smart-encoding',
      'Down',
      'Success',
    ]);

    await expect(sql`select smart_encoding from workspaces`.execute(raw.db)).rejects.toThrow();
    await sql`insert into workspaces (id, name, default_country, created_at)
              values ('ws-before-0003', 'Old Co', 'US', '2026-01-01T00:00:00.000Z')`.execute(raw.db);

    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(up.results?.map((r) => r.migrationName)).toContain('0003-smart-encoding');
    const old = await raw.db.selectFrom('workspaces').selectAll().where('id', '=', 'ws-before-0003').executeTakeFirst();
    expect(Number(old?.smart_encoding)).toBe(0);
  });
});
