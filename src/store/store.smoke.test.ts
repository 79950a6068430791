import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { seedWorkspace } from '../../test/support/fixtures.js';

describe.each(STORES)('store on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => t?.cleanup());

  it('migrates and seeds a workspace', async () => {
    const seeded = await seedWorkspace(t.ctx);
    expect(await t.ctx.db.repos.workspaces.findById(seeded.workspace.id)).toMatchObject({ name: 'Acme Dental' });
    expect(t.ctx.db.dialect).toBe(kind);
  });
});
