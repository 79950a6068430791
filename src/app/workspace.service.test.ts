import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import {
  authenticateApiKey,
  authenticateUser,
  createApiKey,
  createWorkspace,
  revokeApiKey,
} from './workspace.service.js';
import { verifyPassword } from './secrets.js';

describe.each(STORES)('workspaces, users and API keys on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => t?.cleanup());

  it('creates an owner whose password is stored only as a scrypt hash', async () => {
    const created = await createWorkspace(t.ctx, {
      name: 'Harbor Vet',
      owner: { name: 'Ana', email: 'Ana@Harbor.example', password: 'correct horse battery' },
    });
    expect(created.owner).toMatchObject({ email: 'ana@harbor.example', role: 'owner' });
    const stored = await t.ctx.db.repos.users.findByEmail('ana@harbor.example');
    expect(stored?.passwordHash).toMatch(/^scrypt\$/);
    expect(stored?.passwordHash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', stored?.passwordHash ?? '')).toBe(true);

    expect(await authenticateUser(t.ctx, 'ANA@harbor.example', 'correct horse battery')).toMatchObject({
      workspaceId: created.workspace.id,
    });
    await expect(authenticateUser(t.ctx, 'ana@harbor.example', 'wrong password!')).rejects.toMatchObject({
      code: 'unauthorized',
    });
    await expect(authenticateUser(t.ctx, 'nobody@harbor.example', 'whatever1')).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });

  it('refuses a short password or a bad email, writing nothing', async () => {
    const before = await t.ctx.db.repos.workspaces.count();
    await expect(
      createWorkspace(t.ctx, { name: 'X', owner: { name: 'B', email: 'b@x.example', password: 'short' } }),
    ).rejects.toMatchObject({ code: 'validation_error', field: 'owner.password' });
    await expect(
      createWorkspace(t.ctx, { name: 'X', owner: { name: 'B', email: 'not-an-email', password: 'long enough' } }),
    ).rejects.toMatchObject({ code: 'validation_error', field: 'owner.email' });
    await expect(createWorkspace(t.ctx, { name: 'X', defaultCountry: 'ZZ' })).rejects.toMatchObject({
      field: 'defaultCountry',
    });
    expect(await t.ctx.db.repos.workspaces.count()).toBe(before);
  });

  it('stores API keys hashed, shows them once, and revokes them', async () => {
    const { workspace, apiKey } = await createWorkspace(t.ctx, { name: 'Keys' });
    expect(apiKey).toMatch(/^pk_/);
    const keys = await t.ctx.db.repos.apiKeys.listForWorkspace(workspace.id);
    expect(JSON.stringify(keys)).not.toContain(apiKey);
    expect((await authenticateApiKey(t.ctx, apiKey)).workspace.id).toBe(workspace.id);

    const second = await createApiKey(t.ctx, workspace.id, 'zapier');
    await revokeApiKey(t.ctx, workspace.id, second.record.id);
    await expect(authenticateApiKey(t.ctx, second.apiKey)).rejects.toMatchObject({ code: 'unauthorized' });
    // The first key is untouched by revoking the second.
    expect((await authenticateApiKey(t.ctx, apiKey)).workspace.id).toBe(workspace.id);
    await expect(revokeApiKey(t.ctx, workspace.id, second.record.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
