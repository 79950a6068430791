import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { createContext, type AppContext, type ContextOverrides } from '../../src/context.js';

export type StoreKind = 'sqlite' | 'postgres';

/** Both stores, always. PostgreSQL is required in CI; locally it is used when reachable. */
export const STORES: StoreKind[] = ['sqlite', 'postgres'];

export const PG_ADMIN_URL = process.env.PARLEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestContext {
  ctx: AppContext;
  kind: StoreKind;
  cleanup(): Promise<void>;
  /**
   * A restart: closes this context (carriers and store, keeping the data) and opens a new
   * one on the same SQLite file or PostgreSQL database. Clean up the returned context,
   * not this one.
   */
  reopen(contextOverrides?: ContextOverrides): Promise<TestContext>;
  /**
   * Another context on the same store while this one stays open, as a second worker process
   * would have: its own connections, registry and event bus. Close it with `ctx.db.close()`
   * (after stopping its carriers); `cleanup` of the first still drops the store.
   */
  twin(contextOverrides?: ContextOverrides): Promise<AppContext>;
}

async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parley_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A fresh, migrated store of the given kind in its own SQLite file or PostgreSQL database,
 * wrapped in a full AppContext. `cleanup` closes it and deletes the data.
 */
export async function createTestContext(
  kind: StoreKind,
  configOverrides: Partial<Config> = {},
  contextOverrides: ContextOverrides = {},
): Promise<TestContext> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  const pgDb = kind === 'postgres' ? await createPgDatabase() : null;
  const config = loadConfig(
    {},
    {
      dataDir,
      databaseUrl: pgDb?.url ?? null,
      logLevel: 'silent',
      pollIntervalMs: 20,
      ...configOverrides,
    },
  );
  const open = async (overrides: ContextOverrides): Promise<TestContext> => {
    const ctx = createContext(config, { log: pino({ level: 'silent' }), ...overrides });
    await ctx.db.migrate();
    return {
      ctx,
      kind,
      cleanup: async () => {
        await ctx.carriers.stopAll();
        await ctx.db.close();
        await pgDb?.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
      reopen: async (next = overrides) => {
        await ctx.carriers.stopAll();
        await ctx.db.close();
        return open(next);
      },
      twin: async (next = overrides) => createContext(config, { log: pino({ level: 'silent' }), ...next }),
    };
  };
  return open(contextOverrides);
}
