import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type Driver,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type MigrationResultSet,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { StaticMigrationProvider } from './migrations/index.js';
import { SAFETY_NET_AUTOCHECKPOINT_PAGES, startCheckpointer } from './sqlite-checkpointer.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | null;
  dataDir: string;
}

/**
 * Opens the store: PostgreSQL when a URL is given, else SQLite under the data dir.
 * All dialect-specific setup lives here.
 */
export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) {
    // Keep numeric types as numbers; our counts and limits stay well inside 2^53.
    pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle connection the server drops (restart, failover, pg_terminate_backend) makes the
    // pool emit 'error'; unheard, that would crash the process. The pool has already discarded
    // the client and opens a fresh one for the next query; a query in flight fails to its caller.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'parley.sqlite');
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // Another process (the CLI while the server runs) may hold the write lock briefly.
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma('synchronous = NORMAL');
  // Statement journals (every statement of a transaction that fires a trigger or runs in a
  // savepoint keeps one) in memory, not in a temporary file: they were a third of a reply's cost.
  sqlite.pragma('temp_store = memory');
  sqlite.pragma(`wal_autocheckpoint = ${SAFETY_NET_AUTOCHECKPOINT_PAGES}`);
  const checkpointer = startCheckpointer(file);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    close: async () => {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/**
 * SQLite transactions that take the write lock when they begin (BEGIN IMMEDIATE). Kysely's
 * default BEGIN is deferred: a transaction that reads and then writes fails at once with
 * SQLITE_BUSY_SNAPSHOT when another process wrote in between, and busy_timeout cannot help.
 * With several processes on one file (API + workers, the CLI) that lost receipts and failed
 * batches; taking the lock up front makes them wait their turn instead.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection) => {
      // Waiting for the write lock inside SQLite (busy_timeout) blocks this process's event
      // loop: with another process holding the lock, timers, SMPP responses and paced sends
      // stall, then fire together. So BEGIN asks without waiting and the wait happens here,
      // asynchronously; statements outside transactions keep busy_timeout.
      const deadline = Date.now() + BUSY_TIMEOUT_MS;
      await connection.executeQuery(CompiledQuery.raw('pragma busy_timeout = 0'));
      try {
        for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
          try {
            await connection.executeQuery(CompiledQuery.raw('begin immediate'));
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
          }
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      } finally {
        await connection.executeQuery(CompiledQuery.raw(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`));
      }
    };
    return driver;
  }
}

const BUSY_TIMEOUT_MS = 5000;

const STATEMENT_CACHE_SIZE = 500;
/**
 * Prepared statements hold memory roughly in proportion to their text (500 cached message
 * inserts of 1..500 rows once held ~400 MB). Statements up to this long are kept while the
 * cache's text stays within the budget below: the pipeline's multi-row writes come in a few
 * fixed row counts (insertRows) and repeat; a longer or one-off statement is prepared afresh.
 */
const CACHED_STATEMENT_MAX_CHARS = 20_000;
const CACHED_TEXT_BUDGET_CHARS = 400_000;

/**
 * Kysely prepares every statement afresh; on SQLite preparing costs about as much as
 * running a small query. Our queries repeat the same SQL text, so keep prepared
 * statements (bounded by count and by total text, oldest dropped first). Schema changes run
 * through `exec`-style DDL in migrations, which SQLite re-prepares transparently.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  let cachedChars = 0;
  return {
    close: () => sqlite.close(),
    prepare: (text) => {
      if (text.length > CACHED_STATEMENT_MAX_CHARS) return sqlite.prepare(text);
      let statement = cache.get(text);
      if (!statement) {
        statement = sqlite.prepare(text);
        cache.set(text, statement);
        cachedChars += text.length;
        while (cache.size > STATEMENT_CACHE_SIZE || cachedChars > CACHED_TEXT_BUDGET_CHARS) {
          const oldest = cache.keys().next().value;
          if (oldest === undefined) break;
          cache.delete(oldest);
          cachedChars -= oldest.length;
        }
      }
      return statement;
    },
  };
}

export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  // Unordered allowed: migrations written in parallel land in any order (0014 reached some
  // databases before 0012 and 0013); each is independent of the ones numbered around it.
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(), allowUnorderedMigrations: true });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
  return result;
}

export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** True when the error is a unique-constraint violation, on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
