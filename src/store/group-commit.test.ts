import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, type TestContext } from '../../test/support/test-context.js';
import { closeWithRawDatabase, openWithRawDatabase } from '../../test/support/raw-database.js';
import type { DatabaseHandle } from './database.js';
import { GroupCommit } from './group-commit.js';
import type { Database } from './schema.js';

describe.each(STORES)('GroupCommit on %s', (kind) => {
  let t: TestContext;
  let handle: DatabaseHandle;
  let tables = 0;

  beforeAll(async () => ({ t, raw: handle } = await openWithRawDatabase(kind)));
  afterAll(async () => closeWithRawDatabase({ t, raw: handle }));

  async function scratch(): Promise<string> {
    tables += 1;
    const name = `group_commit_${tables}`;
    await sql`create table ${sql.table(name)} (name text primary key)`.execute(handle.db);
    return name;
  }

  const names = async (table: string): Promise<string[]> =>
    (await sql<{ name: string }>`select name from ${sql.table(table)} order by name`.execute(handle.db)).rows.map((r) => r.name);

  const insert = (trx: Kysely<Database>, table: string, name: string) => sql`insert into ${sql.table(table)} (name) values (${name})`.execute(trx);

  it('commits works that arrive together in one transaction; one that fails is undone alone and only its caller hears of it', async () => {
    const table = await scratch();
    let transactions = 0;
    const group = new GroupCommit((work) => {
      transactions += 1;
      return handle.db.transaction().execute(work);
    });
    const results = await Promise.allSettled([
      group.run(async (trx) => insert(trx, table, 'ann').then(() => 'ann')),
      // Writes, then throws: its write must not survive, the others' must.
      group.run(async (trx) => {
        await insert(trx, table, 'half-written');
        throw new Error('refused after writing');
      }),
      // A failing statement (a duplicate key): PostgreSQL would abort the whole transaction
      // but for the savepoint.
      group.run(async (trx) => {
        await insert(trx, table, 'eve');
        await insert(trx, table, 'ann');
      }),
      group.run(async (trx) => insert(trx, table, 'fay').then(() => 'fay')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'refused after writing' });
    expect(await names(table)).toEqual(['ann', 'fay']);
    expect(transactions).toBe(1);
  });

  it('runs every work again on its own transaction when the group cannot commit, in arrival order', async () => {
    const table = await scratch();
    const runs: string[] = [];
    let transactions = 0;
    const group = new GroupCommit((work) => {
      transactions += 1;
      const first = transactions === 1;
      return handle.db.transaction().execute(async (trx) => {
        const result = await work(trx);
        // The grouped transaction fails at its end, as a deadlock or a lost connection would.
        if (first) throw new Error('deadlock detected');
        return result;
      });
    });
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'c'].map((name) =>
        group.run(async (trx) => {
          runs.push(name);
          await insert(trx, table, name);
          if (name === 'b') throw new Error('b is bad');
          return name.toUpperCase();
        }),
      ),
    );
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'A' },
      { status: 'rejected', reason: new Error('b is bad') },
      { status: 'fulfilled', value: 'C' },
    ]);
    expect(runs).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(await names(table)).toEqual(['a', 'c']);
    expect(transactions).toBe(4);
  });

  it('runs a lone work as a plain transaction', async () => {
    const table = await scratch();
    const group = new GroupCommit((work) => handle.db.transaction().execute(work));
    await expect(group.run(async (trx) => insert(trx, table, 'solo').then(() => 1))).resolves.toBe(1);
    await expect(group.run(async (trx) => insert(trx, table, 'solo'))).rejects.toThrow();
    expect(await names(table)).toEqual(['solo']);
  });
});
