import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../../test/support/test-context.js';
import { BUSINESS_NUMBER } from '../../test/support/fixtures.js';
import {
  apiClient,
  createApiHarness,
  expectError,
  phone,
  type ApiClient,
  type ApiHarness,
  type ContactJson,
  type ConversationJson,
  type MessageJson,
  type NumberJson,
  type PageJson,
} from '../../test/support/api.js';

interface ApiKeyJson {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

describe.each(STORES)('authentication and workspace isolation on %s', (kind) => {
  let h: ApiHarness;
  let api: ApiClient;

  beforeAll(async () => {
    h = await createApiHarness(kind);
    api = h.api;
  });
  afterAll(async () => h?.close());

  it('serves GET /healthz without a key', async () => {
    const response = await apiClient(h.app, null).get('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json<{ status: string; store: string }>()).toEqual({ status: 'ok', store: kind });
  });

  it('answers 401 in the error shape without a key, or with a bad one', async () => {
    const anonymous = apiClient(h.app, null);
    expectError(await anonymous.get('/v1/conversations'), 401, 'unauthorized');
    expectError(await anonymous.post('/v1/messages', { from: BUSINESS_NUMBER, to: phone(10), body: 'x' }), 401, 'unauthorized');
    expectError(await apiClient(h.app, 'not-a-key').get('/v1/conversations'), 401, 'unauthorized');
    expectError(await apiClient(h.app, `pk_${'0'.repeat(40)}`).get('/v1/conversations'), 401, 'unauthorized');
    expectError(await apiClient(h.app, `${h.seeded.apiKey}x`).get('/v1/conversations'), 401, 'unauthorized');
    expectError(
      await anonymous.get('/v1/conversations', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }),
      401,
      'unauthorized',
    );
    expectError(await anonymous.get('/v1/conversations', { authorization: 'Bearer' }), 401, 'unauthorized');
    expectError(await anonymous.get('/v1/events'), 401, 'unauthorized');
  });

  it('refuses an unauthenticated write before looking at the body', async () => {
    const before = await h.t.ctx.db.repos.messages.countByStatus(h.seeded.workspace.id);
    expectError(
      await apiClient(h.app, null).post('/v1/messages', { from: BUSINESS_NUMBER, to: phone(11), body: 'sneaky' }),
      401,
      'unauthorized',
    );
    expect(await h.t.ctx.db.repos.messages.countByStatus(h.seeded.workspace.id)).toEqual(before);
  });

  it('accepts the scheme name in any case', async () => {
    const response = await apiClient(h.app, null).get('/v1/conversations', { authorization: `bearer ${h.seeded.apiKey}` });
    expect(response.statusCode).toBe(200);
  });

  it('creates keys that work and refuses them once revoked', async () => {
    const created = await api.post('/v1/api-keys', { name: 'zapier' });
    expect(created.statusCode).toBe(201);
    const { apiKey, id } = created.json<ApiKeyJson & { apiKey: string }>();
    expect(apiKey).toMatch(/^pk_/);

    const second = apiClient(h.app, apiKey);
    expect((await second.get('/v1/conversations')).statusCode).toBe(200);

    const listed = (await api.get('/v1/api-keys')).json<{ data: Array<ApiKeyJson & Record<string, unknown>> }>().data;
    const row = listed.find((k) => k.id === id);
    expect(row).toMatchObject({ name: 'zapier', revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(apiKey);

    const revoked = await api.delete(`/v1/api-keys/${id}`);
    expect(revoked.statusCode).toBe(204);
    expectError(await second.get('/v1/conversations'), 401, 'unauthorized');
    expectError(await second.post('/v1/messages', { from: BUSINESS_NUMBER, to: phone(12), body: 'x' }), 401, 'unauthorized');
    // The workspace's other key still works.
    expect((await api.get('/v1/conversations')).statusCode).toBe(200);
    expect((await api.get('/v1/api-keys')).json<{ data: ApiKeyJson[] }>().data.find((k) => k.id === id)?.revokedAt).toEqual(
      expect.any(String),
    );
  });

  describe("another workspace's resources", () => {
    let other: { api: ApiClient };
    let message: MessageJson;
    let inbound: MessageJson;
    let contact: ContactJson;
    let number: NumberJson;

    beforeAll(async () => {
      other = await h.addWorkspace({ name: 'Rival Dental', phoneNumber: phone(1) });
      message = (await api.post('/v1/messages', { from: BUSINESS_NUMBER, to: phone(20), body: 'Private' })).json<MessageJson>();
      inbound = (
        await api.post('/v1/simulator/inbound', { from: phone(20), to: BUSINESS_NUMBER, body: 'Also private' })
      ).json<MessageJson>();
      contact = (await api.get(`/v1/contacts?phoneNumber=${encodeURIComponent(phone(20))}`)).json<
        PageJson<ContactJson>
      >().data[0] as ContactJson;
      number = (await api.get('/v1/numbers')).json<{ data: NumberJson[] }>().data[0] as NumberJson;
    });

    it('answers 404 for a message, conversation, carrier, number or contact of workspace A', async () => {
      expectError(await other.api.get(`/v1/messages/${message.id}`), 404, 'not_found');
      expectError(await other.api.get(`/v1/messages/${inbound.id}`), 404, 'not_found');
      expectError(await other.api.post(`/v1/messages/${message.id}/cancel`), 404, 'not_found');
      expectError(await other.api.get(`/v1/conversations/${message.conversationId}`), 404, 'not_found');
      expectError(await other.api.get(`/v1/conversations/${message.conversationId}/messages`), 404, 'not_found');
      expectError(await other.api.get(`/v1/carriers/${h.seeded.carrierId}`), 404, 'not_found');
      expectError(await other.api.get(`/v1/numbers/${number.id}`), 404, 'not_found');
      expectError(await other.api.get(`/v1/contacts/${contact.id}`), 404, 'not_found');
      // The message was not canceled by the attempt.
      expect((await api.get(`/v1/messages/${message.id}`)).json<MessageJson>().status).not.toBe('canceled');
    });

    it("never lists workspace A's conversations, contacts, carriers, numbers or keys", async () => {
      const conversations = (await other.api.get('/v1/conversations')).json<PageJson<ConversationJson>>().data;
      expect(conversations.map((c) => c.id)).not.toContain(message.conversationId);
      const contacts = (await other.api.get(`/v1/contacts?phoneNumber=${encodeURIComponent(phone(20))}`)).json<
        PageJson<ContactJson>
      >().data;
      expect(contacts).toEqual([]);
      const carriers = (await other.api.get('/v1/carriers')).json<{ data: Array<{ id: string }> }>().data;
      expect(carriers.map((c) => c.id)).not.toContain(h.seeded.carrierId);
      const numbers = (await other.api.get('/v1/numbers')).json<{ data: NumberJson[] }>().data;
      expect(numbers.map((n) => n.phoneNumber)).toEqual([phone(1)]);
      const keys = (await other.api.get('/v1/api-keys')).json<{ data: ApiKeyJson[] }>().data;
      const mine = (await api.get('/v1/api-keys')).json<{ data: ApiKeyJson[] }>().data;
      expect(keys.map((k) => k.id)).not.toEqual(expect.arrayContaining(mine.map((k) => k.id)));
    });

    it("cannot send from, or simulate texts to, workspace A's number, nor revoke its keys", async () => {
      expectError(
        await other.api.post('/v1/messages', { from: BUSINESS_NUMBER, to: phone(21), body: 'spoof' }),
        422,
        'sender_not_found',
        'from',
      );
      const simulated = await other.api.post('/v1/simulator/inbound', { from: phone(21), to: BUSINESS_NUMBER, body: 'hi' });
      expect(simulated.statusCode).toBeGreaterThanOrEqual(400);
      expect(simulated.statusCode).toBeLessThan(500);
      const mine = (await api.get('/v1/api-keys')).json<{ data: ApiKeyJson[] }>().data;
      expectError(await other.api.delete(`/v1/api-keys/${mine[0]?.id}`), 404, 'not_found');
      expect((await api.get('/v1/conversations')).statusCode).toBe(200);
    });
  });
});
