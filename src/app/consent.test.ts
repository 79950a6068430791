import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveConsentStatus } from '../domain/consent-status.js';
import { seedWorkspace, type SeededWorkspace } from '../../test/support/fixtures.js';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { handleInbound } from './handle-inbound.js';

/**
 * The contact row's copy of its consent must always equal what its ledger says: the send
 * path reads the copy, a regulator reads the ledger. Texts from one customer handled at the
 * same moment (STOP and START racing on PostgreSQL's connection pool) must not leave them apart.
 */
describe.each(STORES)('consent ledger and contact copy under racing texts on %s', (kind) => {
  let t: TestContext;
  let seeded: SeededWorkspace;
  beforeAll(async () => {
    t = await createTestContext(kind);
    seeded = await seedWorkspace(t.ctx);
  });
  afterAll(async () => t?.cleanup());

  it('STOP and START from one customer at once leave the ledger and the copy agreeing', async () => {
    const customers = Array.from({ length: 16 }, (_, i) => `+1201555${5000 + i}`);
    const text = (from: string, body: string) =>
      handleInbound(t.ctx, { carrierId: seeded.carrierId, from, to: seeded.number.phoneNumber, body, carrierMessageId: null, at: new Date() });
    await Promise.all(customers.flatMap((from) => [text(from, 'STOP'), text(from, 'START'), text(from, 'STOP'), text(from, 'START')]));
    for (const phone of customers) {
      const contact = await t.ctx.db.repos.contacts.findByPhone(seeded.workspace.id, phone);
      if (!contact) throw new Error(`no contact ${phone}`);
      const ledger = deriveConsentStatus(await t.ctx.db.repos.contacts.consentEvents(contact.id));
      expect(contact.optedOutAt !== null, phone).toBe(ledger.optedOutAt !== null);
      expect(contact.consentReviewAt !== null, phone).toBe(ledger.reviewPending !== null);
    }
  });
});
