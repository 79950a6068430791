import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, type TestContext } from '../../../test/support/test-context.js';
import { closeWithRawDatabase, openWithRawDatabase } from '../../../test/support/raw-database.js';
import { seedWorkspace } from '../../../test/support/fixtures.js';
import { fakeNumber, installFakeCarriers, reload, send } from '../../../test/support/pipeline.js';
import { SendWorker } from '../../workers/send-worker.js';
import type { DatabaseHandle } from '../database.js';
import { StaticMigrationProvider } from './index.js';

describe.each(STORES)('migration 0004-carrier-message-keys on %s', (kind) => {
  let t: TestContext;
  let raw: DatabaseHandle;

  beforeAll(async () => ({ t, raw } = await openWithRawDatabase(kind)));
  afterAll(async () => closeWithRawDatabase({ t, raw }));

  it('backfills keys for ids and waiting receipts stored before it, so they match across bases', async () => {
    const fakes = installFakeCarriers(t.ctx);
    const seeded = await seedWorkspace(t.ctx, { name: 'Before 0004' });
    const { number, carrier } = await fakeNumber(t.ctx, fakes, seeded.workspace, '+12015557001');
    carrier.behaviour = async (_request, attempt) => ({ carrierMessageIds: [attempt === 1 ? '0A1F' : 'BEEF'] });
    const worker = new SendWorker(t.ctx);
    const first = await send(t.ctx, seeded.workspace, number.phoneNumber, { to: '+12015557101' });
    await worker.drain();
    const second = await send(t.ctx, seeded.workspace, number.phoneNumber, { to: '+12015557102' });
    await worker.stop();
    // A receipt for the second message waits (its submit has not run yet).
    await t.ctx.db.repos.receipts.insert({
      id: 'receipt-before-0004',
      carrierId: carrier.id,
      carrierMessageId: String(0xbeef),
      messageId: null,
      status: 'delivered',
      errorCode: null,
      raw: null,
      applied: false,
      receivedAt: new Date().toISOString(),
    });

    const migrator = new Migrator({ db: raw.db, provider: new StaticMigrationProvider() });
    const down = await migrator.migrateTo('0003-smart-encoding');
    expect(down.error).toBeUndefined();
    await expect(sql`select key from carrier_message_keys`.execute(raw.db)).rejects.toThrow();
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(up.results?.map((r) => r.migrationName)).toContain('0004-carrier-message-keys');

    const repos = t.ctx.db.repos;
    expect(await repos.messages.findIdByCarrierMessageId(carrier.id, String(0x0a1f))).toBe(first.id);
    expect(await repos.messages.findIdByCarrierMessageId(carrier.id, 'a1f')).toBe(first.id);
    expect((await repos.receipts.unmatchedFor(carrier.id, ['BEEF'], new Date(0).toISOString())).map((r) => r.id)).toEqual(['receipt-before-0004']);

    const again = new SendWorker(t.ctx);
    await again.drain();
    await again.stop();
    expect(await reload(t.ctx, second.id)).toMatchObject({ status: 'delivered', carrierMessageIds: ['BEEF'] });
    // Matched receipts leave no keys behind.
    const left = await raw.db.selectFrom('delivery_receipt_keys').select('key').where('receipt_id', '=', 'receipt-before-0004').execute();
    expect(left).toEqual([]);
  });
});
