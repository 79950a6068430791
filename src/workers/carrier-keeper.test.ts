import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { eventually, seedWorkspace } from '../../test/support/fixtures.js';
import type { CarrierRecord } from '../domain/models.js';
import { LocalSmsc } from '../carriers/smpp/smsc/local-smsc.js';
import { CarrierKeeper } from './carrier-keeper.js';
import { getCarrier } from '../app/carrier.service.js';

/**
 * After a restart, or for a carrier another process created, the sending process binds every
 * configured carrier by itself: replies and receipts must not wait for the first send.
 */
describe.each(STORES)('carrier keeper on %s', (kind) => {
  let t: TestContext;
  let smsc: LocalSmsc;
  let port: number;

  beforeAll(async () => {
    smsc = new LocalSmsc({ port: 0 });
    port = await smsc.listen();
    t = await createTestContext(kind);
  });
  afterAll(async () => {
    await t.cleanup();
    await smsc.close();
  });

  /** A carrier as another process (or an earlier run) stored it: in the store, not started here. */
  async function stored(workspaceId: string, name: string, type = 'smpp', password = 'secret'): Promise<CarrierRecord> {
    const record = {
      id: t.ctx.ids.next(),
      workspaceId,
      type,
      name,
      settings: { host: '127.0.0.1', port, systemId: 'parley', password },
      createdAt: new Date().toISOString(),
    } as CarrierRecord;
    await t.ctx.db.repos.carriers.insert(record);
    return record;
  }

  it('binds stored carriers at start and picks up new ones on its interval, despite a broken one', async () => {
    const seeded = await seedWorkspace(t.ctx);
    const broken = await stored(seeded.workspace.id, 'from a newer build', 'carrier-from-the-future');
    const first = await stored(seeded.workspace.id, 'smsc one');
    expect(t.ctx.carriers.status(first.id)).toBe('down');

    const keeper = new CarrierKeeper(t.ctx, 50);
    try {
      await keeper.start();
      await eventually(async () => t.ctx.carriers.status(first.id) === 'bound');
      expect(smsc.boundSessions.length).toBeGreaterThanOrEqual(1);
      expect(t.ctx.carriers.status(broken.id)).toBe('down');

      const later = await stored(seeded.workspace.id, 'smsc two');
      await eventually(async () => t.ctx.carriers.status(later.id) === 'bound');
      // A reply reaches Parley with nothing ever sent.
      const received = await smsc.sendFromHandset({ from: '+12015550123', to: seeded.number.phoneNumber, text: 'hello?' });
      expect(received.statuses.every((status) => status === 0)).toBe(true);
    } finally {
      await keeper.stop();
    }
  });

  it('lets an API process without connections show the live status the sending processes report', async () => {
    const seeded = await seedWorkspace(t.ctx, { name: 'status shop', phoneNumber: '+12015550177' });
    const good = await stored(seeded.workspace.id, 'reported bound');
    const wrong = await stored(seeded.workspace.id, 'reported auth failure', 'smpp', 'nope');
    // The API process: its own connections and registry, and it never starts a carrier.
    const api = await t.twin();
    const keeper = new CarrierKeeper(t.ctx, 60_000, 50);
    try {
      expect((await getCarrier(api, seeded.workspace, good.id)).status).toBe('down');
      await keeper.start();
      await eventually(async () => (await getCarrier(api, seeded.workspace, good.id)).status === 'bound');
      const failed = await eventually(async () => {
        const view = await getCarrier(api, seeded.workspace, wrong.id);
        return view.status === 'auth_failed' && view;
      });
      expect(failed.lastError).toMatch(/ESME_RINVPASWD|password/i);
      expect(api.carriers.get(good.id)).toBeUndefined();
    } finally {
      await keeper.stop();
    }
    // A process that stops withdraws its reports; nothing else holds the carrier now.
    expect((await getCarrier(api, seeded.workspace, good.id)).status).toBe('down');
    await api.db.close();
  });
});
