import { CompiledQuery, sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectName } from './database.js';
import type { Database } from './schema.js';

/**
 * Many rows as ONE bound parameter: a JSON array of arrays, read back as a table (SQLite
 * `json_each`, PostgreSQL `jsonb_array_elements`).
 *
 * Why: a multi-row VALUES list or an IN list is different SQL for every row count. On SQLite
 * that SQL is prepared afresh each time (a 500-row CASE update took 26 ms to prepare, longer
 * than it ran), Kysely walks one node per value to compile it, and both stores cap the bound
 * parameters per statement. A JSON parameter keeps the statement text constant — prepared
 * once and cached, compiled in microseconds, no bind limit — for the per-message writes of
 * the send pipeline, which run for every batch of every message.
 */
export type JsonColumnType = 'text' | 'integer' | 'real';

/** Column name and type, in the order of each row's values. */
export type JsonColumns = readonly (readonly [name: string, type: JsonColumnType])[];

const PG_TYPES: Record<JsonColumnType, string> = { text: 'text', integer: 'integer', real: 'double precision' };

const selectLists = new Map<string, string>();

function selectList(dialect: DialectName, columns: JsonColumns): string {
  const key = `${dialect}:${columns.map(([name, type]) => `${name}/${type}`).join(',')}`;
  let list = selectLists.get(key);
  if (list === undefined) {
    list = columns
      .map(([name, type], index) =>
        dialect === 'sqlite' ? `value ->> ${index} as "${name}"` : `(value ->> ${index})::${PG_TYPES[type]} as "${name}"`,
      )
      .join(', ');
    selectLists.set(key, list);
  }
  return list;
}

/**
 * `select <columns> from <rows>`: usable as an INSERT's source, an UPDATE's FROM (wrapped in
 * parentheses and aliased) or a subquery. Values must be strings, numbers or null.
 */
export function jsonRows(dialect: DialectName, columns: JsonColumns, rows: readonly (readonly unknown[])[]): RawBuilder<unknown> {
  const list = sql.raw(selectList(dialect, columns));
  const json = JSON.stringify(rows);
  // `where true`: SQLite reads `INSERT ... SELECT ... ON CONFLICT` ambiguously without it.
  return dialect === 'sqlite'
    ? sql`select ${list} from json_each(${json}) where true`
    : sql`select ${list} from jsonb_array_elements(${json}::jsonb) where true`;
}

/** `column IN (values)` with the values as one parameter (see above). */
export function inJsonList(dialect: DialectName, column: string, values: readonly string[]): RawBuilder<SqlBool> {
  return dialect === 'sqlite'
    ? sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`
    : sql<SqlBool>`${sql.ref(column)} = any(${values as string[]}::text[])`;
}

/** SQLite multi-row INSERTs come in these row counts only, so each one's text repeats and stays prepared. */
const SQLITE_INSERT_CHUNKS = [128, 32, 8, 1];

const insertTexts = new Map<string, string>();

function sqliteInsertText(table: string, columns: JsonColumns, rowCount: number, onConflict: string): string {
  const key = `${table}:${columns.map(([name]) => name).join(',')}:${rowCount}:${onConflict}`;
  let text = insertTexts.get(key);
  if (text === undefined) {
    const row = `(${columns.map(() => '?').join(', ')})`;
    text = `insert into "${table}" (${columns.map(([name]) => `"${name}"`).join(', ')}) values ${Array(rowCount).fill(row).join(', ')}${onConflict}`;
    insertTexts.set(key, text);
  }
  return text;
}

/**
 * Inserts many rows. PostgreSQL: one statement, the rows as one JSON parameter (one round
 * trip). SQLite: multi-row VALUES in a few fixed row counts, so the statements stay prepared
 * (cached) and nothing is compiled per row — there is no round trip to save in-process, and
 * for wide rows binding values is cheaper than extracting them from JSON. Statement by
 * statement, not row by row: a statement that feeds the FTS5 index flushes it.
 */
export async function insertRows(
  db: Kysely<Database>,
  dialect: DialectName,
  table: keyof Database & string,
  columns: JsonColumns,
  rows: readonly (readonly unknown[])[],
  options: { onConflictDoNothing?: readonly string[] } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const conflict = options.onConflictDoNothing;
  const onConflict = conflict ? ` on conflict (${conflict.map((name) => `"${name}"`).join(', ')}) do nothing` : '';
  if (dialect === 'postgres') {
    const names = sql.raw(columns.map(([name]) => `"${name}"`).join(', '));
    await sql`insert into ${sql.table(table)} (${names}) ${jsonRows(dialect, columns, rows)}${sql.raw(onConflict)}`.execute(db);
    return;
  }
  for (let start = 0; start < rows.length; ) {
    const count = SQLITE_INSERT_CHUNKS.find((size) => size <= rows.length - start) ?? 1;
    const parameters: unknown[] = [];
    for (let i = start; i < start + count; i++) for (const value of rows[i] ?? []) parameters.push(value);
    await db.executeQuery(CompiledQuery.raw(sqliteInsertText(table, columns, count, onConflict), parameters));
    start += count;
  }
}
