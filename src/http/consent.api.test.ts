import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../../test/support/test-context.js';
import { BUSINESS_NUMBER, eventually } from '../../test/support/fixtures.js';
import {
  createApiHarness,
  expectError,
  phone,
  threadOf,
  type ApiClient,
  type ApiHarness,
  type ContactJson,
  type MessageJson,
  type PageJson,
} from '../../test/support/api.js';

interface HandsetJson {
  data: Array<{ direction: string; peer: string; body: string }>;
}

describe.each(STORES)('opt-out and keywords over the API on %s', (kind) => {
  let h: ApiHarness;
  let api: ApiClient;

  beforeAll(async () => {
    h = await createApiHarness(kind);
    api = h.api;
  });
  afterAll(async () => h?.close());

  const send = (to: string, body: string) => api.post('/v1/messages', { from: BUSINESS_NUMBER, to, body });
  const text = async (from: string, body: string): Promise<MessageJson> => {
    const response = await api.post('/v1/simulator/inbound', { from, to: BUSINESS_NUMBER, body });
    expect(response.statusCode).toBe(201);
    return response.json<MessageJson>();
  };
  const contact = async (phoneNumber: string): Promise<ContactJson | undefined> => {
    const response = await api.get(`/v1/contacts?phoneNumber=${encodeURIComponent(phoneNumber)}`);
    expect(response.statusCode).toBe(200);
    return response.json<PageJson<ContactJson>>().data[0];
  };

  it('refuses to send after STOP, queues nothing, and answers the STOP once', async () => {
    const customer = phone(10);
    const first = await send(customer, 'Our spring sale starts today');
    expect(first.statusCode).toBe(201);
    const { conversationId } = first.json<MessageJson>();

    const stop = await text(customer, 'STOP');
    expect(stop.conversationId).toBe(conversationId);
    expect(await contact(customer)).toMatchObject({ optedOut: true, optedOutAt: expect.any(String) });

    const afterStop = await threadOf(api, conversationId);
    expect(afterStop.map((m) => [m.direction, m.body.slice(0, 4)])).toEqual([
      ['outbound', 'Our '],
      ['inbound', 'STOP'],
      ['outbound', expect.any(String)],
    ]);
    expect(afterStop[2]?.body).toMatch(/unsubscribed/i);

    const refused = await send(customer, 'One more thing…');
    expectError(refused, 422, 'recipient_opted_out', 'to');
    const national = await send('(201) 555-0110', 'Or in national form');
    expectError(national, 422, 'recipient_opted_out');

    const batch = await api.post('/v1/messages/batch', {
      from: BUSINESS_NUMBER,
      body: 'Hi {{name}}',
      recipients: [{ to: customer, name: 'Opted' }, { to: phone(11), name: 'Other' }],
    });
    const rows = batch.json<{ results: Array<{ id?: string; error?: { code: string } }> }>().results;
    expect(rows[0]?.id).toBeUndefined();
    expect(rows[0]?.error?.code).toBe('recipient_opted_out');
    expect(rows[1]?.id).toEqual(expect.any(String));

    // A second STOP is recorded but not answered again.
    await text(customer, 'stop');
    const thread = await threadOf(api, conversationId);
    expect(thread).toHaveLength(4);
    expect(thread.filter((m) => m.direction === 'outbound')).toHaveLength(2);
  });

  it('sends again after START', async () => {
    const customer = phone(12);
    await text(customer, 'Stop.');
    expect((await contact(customer))?.optedOut).toBe(true);
    expectError(await send(customer, 'Hello?'), 422, 'recipient_opted_out');

    const start = await text(customer, 'START');
    expect((await contact(customer))?.optedOut).toBe(false);
    const thread = await threadOf(api, start.conversationId);
    expect(thread.at(-1)).toMatchObject({ direction: 'outbound', body: expect.stringMatching(/resubscribed/i) });

    const welcomeBack = await send(customer, 'Welcome back');
    expect(welcomeBack.statusCode).toBe(201);
    expect(welcomeBack.json<MessageJson>().status).toBe('queued');
  });

  it('answers HELP without changing consent', async () => {
    const customer = phone(13);
    const help = await text(customer, 'help');
    const thread = await threadOf(api, help.conversationId);
    expect(thread.map((m) => m.direction)).toEqual(['inbound', 'outbound']);
    expect(thread[1]?.body).toMatch(/STOP/);
    expect(thread[1]?.body).toContain(h.seeded.workspace.name);
    expect((await contact(customer))?.optedOut).toBe(false);
    expect((await send(customer, 'Anything else?')).statusCode).toBe(201);
  });

  it('treats a sentence containing "stop" as an ordinary reply', async () => {
    const customer = phone(14);
    const reply = await text(customer, 'Please stop by the shop tomorrow');
    expect((await contact(customer))?.optedOut).toBe(false);
    expect(await threadOf(api, reply.conversationId)).toHaveLength(1);
  });

  it('cancels a message queued before the STOP when the worker reaches it; the confirmation is sent', async () => {
    const customer = phone(15);
    const queued = (await send(customer, 'Flash sale: 50% off')).json<MessageJson>();
    expect(queued.status).toBe('queued');

    await text(customer, 'STOP');
    await h.drain();

    const after = (await api.get(`/v1/messages/${queued.id}`)).json<MessageJson>();
    expect(after).toMatchObject({ status: 'canceled', errorCode: 'recipient_opted_out', carrierMessageIds: [] });

    const thread = await threadOf(api, queued.conversationId);
    const confirmation = thread.at(-1);
    expect(confirmation?.body).toMatch(/unsubscribed/i);
    await eventually(async () => {
      const current = (await api.get(`/v1/messages/${confirmation?.id}`)).json<MessageJson>();
      return current.status === 'delivered';
    });

    // The handset got the confirmation and nothing else.
    const handset = await api.get(
      `/v1/simulator/handsets/${encodeURIComponent(customer)}/messages?number=${encodeURIComponent(BUSINESS_NUMBER)}`,
    );
    expect(handset.statusCode).toBe(200);
    const received = handset.json<HandsetJson>().data.filter((m) => m.direction === 'to_handset');
    expect(received.map((m) => m.body)).toEqual([confirmation?.body]);
  });
});
