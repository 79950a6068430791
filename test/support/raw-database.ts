import { openDatabase, type DatabaseHandle } from '../../src/store/database.js';
import { createTestContext, type StoreKind, type TestContext } from './test-context.js';

/**
 * A test context plus a second, raw connection to its store (its own pool), for schema work
 * and scratch tables, so the context's own cached statements stay untouched.
 */
export interface ContextWithRawDatabase {
  t: TestContext;
  raw: DatabaseHandle;
}

export async function openWithRawDatabase(kind: StoreKind): Promise<ContextWithRawDatabase> {
  const t = await createTestContext(kind);
  return { t, raw: openDatabase({ databaseUrl: t.ctx.config.databaseUrl, dataDir: t.ctx.config.dataDir }) };
}

/** Closes the raw connection, then the context; either may be missing if opening failed. */
export async function closeWithRawDatabase(opened: Partial<ContextWithRawDatabase> | undefined): Promise<void> {
  await opened?.raw?.close();
  await opened?.t?.cleanup();
}
