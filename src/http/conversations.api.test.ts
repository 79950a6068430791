import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../../test/support/test-context.js';
import { BUSINESS_NUMBER } from '../../test/support/fixtures.js';
import {
  createApiHarness,
  expectError,
  phone,
  threadOf,
  type ApiClient,
  type ApiHarness,
  type ContactJson,
  type ConversationJson,
  type MessageJson,
  type PageJson,
} from '../../test/support/api.js';

describe.each(STORES)('conversations API on %s', (kind) => {
  let h: ApiHarness;
  let api: ApiClient;

  beforeAll(async () => {
    h = await createApiHarness(kind);
    api = h.api;
  });
  afterAll(async () => h?.close());

  const send = async (to: string, body: string): Promise<MessageJson> => {
    const response = await api.post('/v1/messages', { from: BUSINESS_NUMBER, to, body });
    expect(response.statusCode).toBe(201);
    return response.json<MessageJson>();
  };
  const inbound = async (from: string, body: string, to = BUSINESS_NUMBER): Promise<MessageJson> => {
    const response = await api.post('/v1/simulator/inbound', { from, to, body });
    expect(response.statusCode).toBe(201);
    return response.json<MessageJson>();
  };

  async function allConversations(limit: number): Promise<{ pages: ConversationJson[][]; last: PageJson<ConversationJson> }> {
    const pages: ConversationJson[][] = [];
    let cursor: string | null = null;
    let page: PageJson<ConversationJson>;
    do {
      const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await api.get(`/v1/conversations${query}`);
      expect(response.statusCode).toBe(200);
      page = response.json<PageJson<ConversationJson>>();
      pages.push(page.data);
      cursor = page.nextCursor;
    } while (cursor && pages.length < 100);
    return { pages, last: page };
  }

  it('threads an outbound text and the reply to it into one conversation', async () => {
    const outbound = await send(phone(10), 'Can you confirm Tuesday at 3pm?');
    const reply = await inbound(phone(10), 'Yes, see you then');
    expect(reply).toMatchObject({
      conversationId: outbound.conversationId,
      direction: 'inbound',
      status: 'received',
      from: phone(10),
      to: BUSINESS_NUMBER,
      body: 'Yes, see you then',
    });
    // National forms reach the same thread.
    const national = await inbound('(201) 555-0110', 'Running 5 min late', '201-555-0100');
    expect(national.conversationId).toBe(outbound.conversationId);
    const next = await send('201 555 0110', 'No problem');
    expect(next.conversationId).toBe(outbound.conversationId);

    const thread = await threadOf(api, outbound.conversationId);
    expect(thread.map((m) => [m.direction, m.body])).toEqual([
      ['outbound', 'Can you confirm Tuesday at 3pm?'],
      ['inbound', 'Yes, see you then'],
      ['inbound', 'Running 5 min late'],
      ['outbound', 'No problem'],
    ]);
  });

  it('starts a thread from an inbound text and answers in it', async () => {
    const first = await inbound(phone(11), 'Do you have a table for two tonight?');
    const answer = await send(phone(11), 'We do, 7pm?');
    expect(answer.conversationId).toBe(first.conversationId);
  });

  it('lists conversations with contact, number and lastMessageAt, most recently active first', async () => {
    const older = await send(phone(12), 'First thread');
    const newer = await send(phone(13), 'Second thread');
    const latest = await inbound(phone(12), 'Reply bumps the first thread');

    const response = await api.get('/v1/conversations');
    expect(response.statusCode).toBe(200);
    const { data, nextCursor } = response.json<PageJson<ConversationJson>>();
    expect(nextCursor).toBeNull();
    const first = data.find((c) => c.id === older.conversationId);
    expect(first).toMatchObject({
      contact: { phoneNumber: phone(12), optedOut: false },
      number: { phoneNumber: BUSINESS_NUMBER },
      lastMessagePreview: 'Reply bumps the first thread',
    });
    expect(first?.lastMessageAt).toBe(latest.createdAt);
    const ids = data.map((c) => c.id);
    expect(ids.indexOf(older.conversationId)).toBeLessThan(ids.indexOf(newer.conversationId));
    const times = data.map((c) => c.lastMessageAt ?? '');
    expect([...times].sort().reverse()).toEqual(times);

    const one = await api.get(`/v1/conversations/${older.conversationId}`);
    expect(one.statusCode).toBe(200);
    expect(one.json<ConversationJson>()).toEqual(first);
  });

  it('pages through a thread oldest first with limit and cursor', async () => {
    const sent: MessageJson[] = [];
    for (let i = 1; i <= 5; i++) sent.push(await send(phone(20), `Message ${i}`));
    const conversationId = sent[0]?.conversationId ?? '';

    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const response = await api.get(`/v1/conversations/${conversationId}/messages${query}`);
      expect(response.statusCode).toBe(200);
      const page = response.json<PageJson<MessageJson>>();
      sizes.push(page.data.length);
      seen.push(...page.data.map((m) => m.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(cursor).toBeNull();
    expect(seen).toEqual(sent.map((m) => m.id));
    expect(new Set(seen).size).toBe(5);
  });

  it('gives nextCursor null when the last page is exactly full', async () => {
    const a = await send(phone(21), 'one');
    await send(phone(21), 'two');
    const response = await api.get(`/v1/conversations/${a.conversationId}/messages?limit=2`);
    expect(response.json<PageJson<MessageJson>>()).toMatchObject({ nextCursor: null });
    expect(response.json<PageJson<MessageJson>>().data).toHaveLength(2);
  });

  it('pages through conversations without duplicates or gaps', async () => {
    const everything = (await allConversations(200)).pages.flat();
    const { pages, last } = await allConversations(2);
    expect(last.nextCursor).toBeNull();
    expect(pages.slice(0, -1).every((page) => page.length === 2)).toBe(true);
    const walked = pages.flat().map((c) => c.id);
    expect(walked).toEqual(everything.map((c) => c.id));
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked.length).toBeGreaterThan(4);
  });

  it('refuses a bad cursor or limit with 400', async () => {
    const { conversationId } = await send(phone(22), 'cursor test');
    expectError(await api.get('/v1/conversations?cursor=not-a-cursor'), 400, 'invalid_cursor', 'cursor');
    expectError(
      await api.get(`/v1/conversations/${conversationId}/messages?cursor=bm9wZQ`),
      400,
      'invalid_cursor',
      'cursor',
    );
    expectError(await api.get('/v1/conversations?limit=0'), 400, 'validation_error', 'limit');
    expectError(await api.get('/v1/conversations?limit=abc'), 400, 'validation_error', 'limit');
    // A thread reads up to 1,000 messages a page (a long conversation in one request); lists 200.
    expect((await api.get(`/v1/conversations/${conversationId}/messages?limit=1000`)).statusCode).toBe(200);
    expectError(await api.get(`/v1/conversations/${conversationId}/messages?limit=1001`), 400, 'validation_error', 'limit');
    expectError(await api.get('/v1/conversations?limit=1000'), 400, 'validation_error', 'limit');
  });

  it('answers 404 for an unknown conversation', async () => {
    const unknown = '00000000-0000-7000-8000-000000000000';
    expectError(await api.get(`/v1/conversations/${unknown}`), 404, 'not_found');
    expectError(await api.get(`/v1/conversations/${unknown}/messages`), 404, 'not_found');
  });

  describe('GET /v1/contacts', () => {
    it('finds a contact by phone number in E.164 or national form', async () => {
      await send(phone(30), 'hello');
      for (const query of [encodeURIComponent(phone(30)), encodeURIComponent('(201) 555-0130'), phone(30)]) {
        const response = await api.get(`/v1/contacts?phoneNumber=${query}`);
        expect(response.statusCode).toBe(200);
        const { data } = response.json<PageJson<ContactJson>>();
        expect(data).toHaveLength(1);
        expect(data[0]).toMatchObject({ phoneNumber: phone(30), optedOut: false, optedOutAt: null });
      }
      const contact = (await api.get(`/v1/contacts?phoneNumber=${encodeURIComponent(phone(30))}`)).json<
        PageJson<ContactJson>
      >().data[0];
      const byId = await api.get(`/v1/contacts/${contact?.id}`);
      expect(byId.statusCode).toBe(200);
      expect(byId.json<ContactJson>()).toEqual(contact);
    });

    it('returns no data for a phone number never seen, and 400 for an invalid one', async () => {
      const none = await api.get(`/v1/contacts?phoneNumber=${encodeURIComponent(phone(98))}`);
      expect(none.json<PageJson<ContactJson>>().data).toEqual([]);
      expectError(await api.get('/v1/contacts?phoneNumber=12'), 400, 'invalid_number', 'phoneNumber');
    });
  });
});
