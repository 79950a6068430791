import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { closeWithRawDatabase, openWithRawDatabase } from '../../test/support/raw-database.js';
import { openDatabase, type DatabaseHandle } from './database.js';
import { inJsonList, insertRows, jsonRows, type JsonColumns } from './json-rows.js';
import type { Database } from './schema.js';

const COLUMNS: JsonColumns = [
  ['id', 'text'],
  ['n', 'integer'],
  ['ratio', 'real'],
  ['note', 'text'],
];

type Row = [string, number, number, string | null];

const row = (i: number): Row => [`r${String(i).padStart(4, '0')}`, i, i / 4, i % 3 === 0 ? null : `note "${i}" ✓ 'q' \\ 𝄞`];

describe.each(STORES)('rows as one JSON parameter on %s', (kind) => {
  let t: TestContext;
  let handle: DatabaseHandle;
  // A scratch table: the helpers are generic, the schema's tables are not the point here.
  const db = () => handle.db as unknown as Kysely<Database>;
  let table = 0;

  beforeAll(async () => ({ t, raw: handle } = await openWithRawDatabase(kind)));
  afterAll(async () => closeWithRawDatabase({ t, raw: handle }));

  async function scratch(): Promise<string> {
    table += 1;
    const name = `json_rows_${table}`;
    await sql`create table ${sql.table(name)} (id text primary key, n integer not null, ratio real, note text)`.execute(handle.db);
    return name;
  }

  async function read(name: string): Promise<Row[]> {
    const { rows } = await sql<{ id: string; n: number; ratio: number; note: string | null }>`select * from ${sql.table(name)} order by id`.execute(handle.db);
    return rows.map((r) => [r.id, Number(r.n), Number(r.ratio), r.note]);
  }

  it.each([0, 1, 2, 129, 300])('insertRows writes %i rows exactly as given (nulls, quotes, unicode, reals)', async (count) => {
    const name = await scratch();
    const rows = Array.from({ length: count }, (_, i) => row(i));
    await insertRows(db(), kind, name as keyof Database & string, COLUMNS, rows);
    expect(await read(name)).toEqual(rows);
  });

  it('insertRows with onConflictDoNothing keeps the first row of a key and writes the rest', async () => {
    const name = await scratch();
    await insertRows(db(), kind, name as keyof Database & string, COLUMNS, [row(1)]);
    await insertRows(db(), kind, name as keyof Database & string, COLUMNS, [[...row(1).slice(0, 1), 99, 0, 'other'] as Row, row(2)], {
      onConflictDoNothing: ['id'],
    });
    expect(await read(name)).toEqual([row(1), row(2)]);
  });

  it('insertRows is one statement per chunk: a bad row leaves its chunk unwritten, inside a transaction nothing', async () => {
    const name = await scratch();
    const rows: Row[] = Array.from({ length: 10 }, (_, i) => row(i));
    rows[7] = [row(7)[0], null as unknown as number, 0, null]; // n is NOT NULL
    await expect(
      handle.db.transaction().execute((trx) => insertRows(trx as never, kind, name as keyof Database & string, COLUMNS, rows)),
    ).rejects.toThrow(/null/i);
    expect(await read(name)).toEqual([]);
  });

  it('jsonRows reads back as a table usable in UPDATE … FROM; inJsonList matches exactly the listed values', async () => {
    const name = await scratch();
    await insertRows(db(), kind, name as keyof Database & string, COLUMNS, [row(1), row(2), row(3)]);
    const changes = jsonRows(kind, [['id', 'text'], ['n', 'integer']], [[row(1)[0], 10], [row(3)[0], 30], ['missing', 40]]);
    await sql`update ${sql.table(name)} set n = c.n from (${changes}) as c where ${sql.table(name)}.id = c.id`.execute(handle.db);
    expect((await read(name)).map(([, n]) => n)).toEqual([10, 2, 30]);
    const { rows } = await sql<{ id: string }>`select id from ${sql.table(name)} where ${inJsonList(kind, 'id', [row(2)[0], row(3)[0], 'x'])} order by id`.execute(handle.db);
    expect(rows.map((r) => r.id)).toEqual([row(2)[0], row(3)[0]]);
    const none = await sql<{ id: string }>`select id from ${sql.table(name)} where ${inJsonList(kind, 'id', [])}`.execute(handle.db);
    expect(none.rows).toEqual([]);
  });
});

describe('SQLite WAL checkpoints on a background thread', () => {
  it('keeps the WAL from growing past what the main connection would checkpoint, and stops with the store', async () => {
    const t = await createTestContext('sqlite');
    try {
      const handle = openDatabase({ databaseUrl: null, dataDir: t.ctx.config.dataDir });
      await sql`create table wal_probe (id integer primary key, body text)`.execute(handle.db);
      const wal = path.join(t.ctx.config.dataDir, 'parley.sqlite-wal');
      // ~8 MB of writes: past SQLite's default auto-checkpoint (1,000 pages, ~4 MB) twice over,
      // far below the safety net the main connection now uses (20,000 pages).
      const body = 'x'.repeat(4000);
      for (let i = 0; i < 2000; i++) await sql`insert into wal_probe (body) values (${body})`.execute(handle.db);
      // The thread checkpoints every 500 ms; a checkpointed WAL is reused from its start, so
      // further writes do not grow it.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const before = fs.statSync(wal).size;
      for (let i = 0; i < 500; i++) await sql`insert into wal_probe (body) values (${body})`.execute(handle.db);
      expect(fs.statSync(wal).size).toBe(before);
      await handle.close();
    } finally {
      await t.cleanup();
    }
  });
});
