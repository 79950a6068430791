import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, type TestContext } from '../../test/support/test-context.js';
import { closeWithRawDatabase, openWithRawDatabase } from '../../test/support/raw-database.js';
import type { DatabaseHandle } from './database.js';
import { PreparedQuery } from './prepared.js';

describe.each(STORES)('PreparedQuery on %s', (kind) => {
  let t: TestContext;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    ({ t, raw: handle } = await openWithRawDatabase(kind));
    await sql`create table prepared_probe (id text primary key, name text, n integer, seen text)`.execute(handle.db);
  });
  afterAll(async () => closeWithRawDatabase({ t, raw: handle }));

  it('runs the once-compiled query with each call’s values, wherever they appear, keeping the constants', async () => {
    const db = handle.db as never;
    // `at` twice, a constant null and a constant string among the arguments.
    const upsert = new PreparedQuery((k, id: string, name: string, at: string, n: number) =>
      k
        .insertInto('prepared_probe' as never)
        .values({ id, name, n, seen: at } as never)
        .onConflict((oc) => oc.column('id' as never).doUpdateSet({ name, n, seen: sql`case when ${at} > 'm' then ${at} else null end` } as never)),
    );
    await upsert.execute(db, 'a', 'Ann', 'k-time', 1);
    await upsert.execute(db, 'b', 'Ben', 'z-time', 2);
    await upsert.execute(db, 'a', 'Anne', 'x-time', 3);
    const byId = new PreparedQuery((k, id: string) => k.selectFrom('prepared_probe' as never).selectAll().where('id' as never, '=', id as never));
    expect(await byId.first(db, 'a')).toEqual({ id: 'a', name: 'Anne', n: 3, seen: 'x-time' });
    expect(await byId.first(db, 'b')).toEqual({ id: 'b', name: 'Ben', n: 2, seen: 'z-time' });
    expect(await byId.first(db, 'nobody')).toBeUndefined();
  });
});
