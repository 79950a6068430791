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
  type CarrierJson,
  type MessageJson,
  type NumberJson,
} from '../../test/support/api.js';

interface PreviewJson {
  encoding: string;
  segments: number;
  characters: number;
  parts: string[];
}

interface BatchJson {
  results: Array<{ to: string; id?: string; conversationId?: string; status?: string; error?: { code: string; message: string; field?: string } }>;
}

describe.each(STORES)('messages API on %s', (kind) => {
  let h: ApiHarness;
  let api: ApiClient;

  beforeAll(async () => {
    h = await createApiHarness(kind);
    api = h.api;
  });
  afterAll(async () => h?.close());

  const send = (body: Record<string, unknown>, headers?: Record<string, string>) =>
    api.post('/v1/messages', { from: BUSINESS_NUMBER, ...body }, headers);

  async function storedMessageCount(): Promise<number> {
    const counts = await h.t.ctx.db.repos.messages.countByStatus(h.seeded.workspace.id);
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  /** A simulator carrier and a number on it, made through the API. */
  async function numberOnCarrier(suffix: number, settings: Record<string, unknown>): Promise<string> {
    const carrier = await api.post('/v1/carriers', { type: 'simulator', name: `sim ${suffix}`, ...settings });
    expect(carrier.statusCode).toBe(201);
    const number = await api.post('/v1/numbers', { phoneNumber: phone(suffix), carrierId: carrier.json<CarrierJson>().id });
    expect(number.statusCode).toBe(201);
    return number.json<NumberJson>().phoneNumber;
  }

  describe('POST /v1/messages', () => {
    it('queues a message and answers 201 with id, conversationId, status, encoding and segments', async () => {
      const response = await send({ to: phone(10), body: 'Your appointment is at 3pm' });
      expect(response.statusCode).toBe(201);
      const message = response.json<MessageJson>();
      expect(message).toMatchObject({
        status: 'queued',
        encoding: 'GSM-7',
        segments: 1,
        direction: 'outbound',
        from: BUSINESS_NUMBER,
        to: phone(10),
        body: 'Your appointment is at 3pm',
        category: 'conversational',
        errorCode: null,
        carrierMessageId: null,
        carrierMessageIds: [],
      });
      expect(message.id).toEqual(expect.any(String));
      expect(message.conversationId).toEqual(expect.any(String));
      expect(Number.isNaN(Date.parse(message.createdAt))).toBe(false);

      const fetched = await api.get(`/v1/messages/${message.id}`);
      expect(fetched.statusCode).toBe(200);
      expect(fetched.json<MessageJson>()).toEqual(message);
    });

    it('reports GSM-7 for plain text and UCS-2 when an emoji is present, with the segment count', async () => {
      const gsm = await send({ to: phone(11), body: 'a'.repeat(161) });
      expect(gsm.statusCode).toBe(201);
      expect(gsm.json<MessageJson>()).toMatchObject({ encoding: 'GSM-7', segments: 2 });

      const emoji = await send({ to: phone(11), body: 'See you soon 😀' });
      expect(emoji.statusCode).toBe(201);
      expect(emoji.json<MessageJson>()).toMatchObject({ encoding: 'UCS-2', segments: 1 });

      // 71 UTF-16 units no longer fit one UCS-2 part (70); two parts of up to 67.
      const longUnicode = await send({ to: phone(11), body: `😀${'é'.repeat(69)}` });
      expect(longUnicode.json<MessageJson>()).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    });

    it('holds a message with a future sendAt as "scheduled"', async () => {
      const sendAt = new Date(Date.now() + 3_600_000).toISOString();
      const response = await send({ to: phone(12), body: 'Reminder: tomorrow at 9', sendAt });
      expect(response.statusCode).toBe(201);
      const message = response.json<MessageJson>();
      expect(message.status).toBe('scheduled');
      expect(message.sendAt).toBe(sendAt);

      await h.drain();
      const after = await api.get(`/v1/messages/${message.id}`);
      expect(after.json<MessageJson>().status).toBe('scheduled');
    });

    it('refuses a sendAt that is not a date-time with a zone, or not on the calendar, naming the field', async () => {
      const before = await storedMessageCount();
      for (const sendAt of ['next tuesday', '2099-01-01', '2099-01-01T09:00', '2099-02-30T09:00:00Z', '2099-13-01T09:00:00Z']) {
        expectError(await send({ to: phone(12), body: 'x', sendAt }), 400, 'validation_error', 'sendAt');
      }
      expect(await storedMessageCount()).toBe(before);
    });

    it('reads a sendAt offset and answers in UTC; a past sendAt sends now', async () => {
      const offset = await send({ to: phone(12), body: 'x', sendAt: '2099-01-01T09:00:00+01:00' });
      expect(offset.json<MessageJson>()).toMatchObject({ status: 'scheduled', sendAt: '2099-01-01T08:00:00.000Z' });
      const past = await send({ to: phone(12), body: 'x', sendAt: '2001-01-01T09:00:00Z' });
      expect(past.json<MessageJson>()).toMatchObject({ status: 'queued', sendAt: null });
    });

    it('normalises a national `to` (and `from`) to E.164', async () => {
      const response = await api.post('/v1/messages', { from: '(201) 555-0100', to: '(201) 555-0113', body: 'Hello' });
      expect(response.statusCode).toBe(201);
      expect(response.json<MessageJson>()).toMatchObject({ from: BUSINESS_NUMBER, to: phone(13) });

      const again = await send({ to: '201.555.0113', body: 'Hello again' });
      expect(again.json<MessageJson>().conversationId).toBe(response.json<MessageJson>().conversationId);
    });

    it('refuses an invalid `to` with invalid_number naming "to", and stores nothing', async () => {
      const before = await storedMessageCount();
      for (const to of ['555-1234', '+1 200 555 0100', 'not a number']) {
        expectError(await send({ to, body: 'Hello' }), 400, 'invalid_number', 'to');
      }
      expect(await storedMessageCount()).toBe(before);
    });

    it('refuses an empty or whitespace-only body naming "body"', async () => {
      const before = await storedMessageCount();
      expectError(await send({ to: phone(14), body: '' }), 400, 'validation_error', 'body');
      expectError(await send({ to: phone(14), body: '  \n\t ' }), 400, 'validation_error', 'body');
      expect(await storedMessageCount()).toBe(before);
    });

    it('accepts 1,600 characters and refuses 1,601, naming "body"', async () => {
      const ok = await send({ to: phone(15), body: 'a'.repeat(1600) });
      expect(ok.statusCode).toBe(201);
      expect(ok.json<MessageJson>()).toMatchObject({ encoding: 'GSM-7', segments: 11 });

      const before = await storedMessageCount();
      expectError(await send({ to: phone(15), body: 'a'.repeat(1601) }), 400, 'body_too_long', 'body');
      expectError(await send({ to: phone(15), body: '😀'.repeat(1601) }), 400, 'body_too_long', 'body');
      expect(await storedMessageCount()).toBe(before);
    });

    it('counts characters as code points: 1,600 emoji are accepted', async () => {
      const response = await send({ to: phone(15), body: '😀'.repeat(1600) });
      expect(response.statusCode).toBe(201);
      expect(response.json<MessageJson>().encoding).toBe('UCS-2');
    });

    it('refuses wrong types with validation_error naming the field, and stores nothing', async () => {
      const before = await storedMessageCount();
      expectError(await send({ to: phone(16), body: 123 }), 400, 'validation_error', 'body');
      expectError(await send({ to: 12015550116, body: 'Hi' }), 400, 'validation_error', 'to');
      expectError(await api.post('/v1/messages', { from: BUSINESS_NUMBER, body: 'Hi' }), 400, 'validation_error', 'to');
      expectError(await send({ to: phone(16), body: 'Hi', category: 'spam' }), 400, 'validation_error', 'category');
      expectError(await send({ to: phone(16), body: 'Hi', sendAt: 5 }), 400, 'validation_error', 'sendAt');
      expect(await storedMessageCount()).toBe(before);
    });

    it('refuses an unknown `from` with 422 sender_not_found', async () => {
      const before = await storedMessageCount();
      expectError(
        await api.post('/v1/messages', { from: phone(99), to: phone(16), body: 'Hi' }),
        422,
        'sender_not_found',
        'from',
      );
      expect(await storedMessageCount()).toBe(before);
    });

    it('threads concurrent first messages to a new recipient into one conversation', async () => {
      const responses = await Promise.all(Array.from({ length: 5 }, (_, i) => send({ to: phone(17), body: `Hello ${i}` })));
      expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
      const conversations = new Set(responses.map((r) => r.json<MessageJson>().conversationId));
      expect(conversations.size).toBe(1);
      expect(await threadOf(api, [...conversations][0] ?? '')).toHaveLength(5);
    });

    it('accepts a category', async () => {
      const response = await send({ to: phone(16), body: 'Your code is 1234', category: 'transactional' });
      expect(response.statusCode).toBe(201);
      expect(response.json<MessageJson>().category).toBe('transactional');
    });
  });

  describe('Idempotency-Key', () => {
    it('returns the first message for the same key and body, creating nothing new', async () => {
      const body = { to: phone(20), body: 'Order #1 shipped' };
      const first = await send(body, { 'idempotency-key': 'order-1-shipped' });
      expect(first.statusCode).toBe(201);
      const created = first.json<MessageJson>();

      const second = await send(body, { 'idempotency-key': 'order-1-shipped' });
      expect(second.statusCode).toBe(201);
      expect(second.json<MessageJson>().id).toBe(created.id);
      expect(second.headers['idempotent-replayed']).toBe('true');

      const thread = await threadOf(api, created.conversationId);
      expect(thread.map((m) => m.id)).toEqual([created.id]);
    });

    it('answers 409 idempotency_key_reused for the same key with a different body', async () => {
      const first = await send({ to: phone(21), body: 'Order #2 shipped' }, { 'idempotency-key': 'order-2' });
      expect(first.statusCode).toBe(201);
      const conflict = await send({ to: phone(21), body: 'Order #2 delayed' }, { 'idempotency-key': 'order-2' });
      expectError(conflict, 409, 'idempotency_key_reused');
      const otherRecipient = await send({ to: phone(22), body: 'Order #2 shipped' }, { 'idempotency-key': 'order-2' });
      expectError(otherRecipient, 409, 'idempotency_key_reused');

      expect((await threadOf(api, first.json<MessageJson>().conversationId)).length).toBe(1);
    });

    it('creates one message when requests with one key race each other', async () => {
      const body = { to: phone(24), body: 'Exactly once' };
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => send(body, { 'idempotency-key': 'race-1' })),
      );
      expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
      const ids = new Set(responses.map((r) => r.json<MessageJson>().id));
      expect(ids.size).toBe(1);
      expect(await threadOf(api, responses[0]?.json<MessageJson>().conversationId ?? '')).toHaveLength(1);
    });

    it('refuses an empty key', async () => {
      expectError(await send({ to: phone(24), body: 'x' }, { 'idempotency-key': '' }), 400, 'validation_error');
    });

    it('keeps keys per workspace', async () => {
      const other = await h.addWorkspace({ name: 'Other Co', phoneNumber: phone(1) });
      const mine = await send({ to: phone(23), body: 'Welcome' }, { 'idempotency-key': 'welcome' });
      const theirs = await other.api.post(
        '/v1/messages',
        { from: phone(1), to: phone(23), body: 'Welcome' },
        { 'idempotency-key': 'welcome' },
      );
      expect(mine.statusCode).toBe(201);
      expect(theirs.statusCode).toBe(201);
      expect(theirs.json<MessageJson>().id).not.toBe(mine.json<MessageJson>().id);
      expect(theirs.json<MessageJson>().from).toBe(phone(1));
      // A different body under the same key is still fine in the other workspace.
      const theirsAgain = await other.api.post(
        '/v1/messages',
        { from: phone(1), to: phone(23), body: 'Welcome' },
        { 'idempotency-key': 'welcome' },
      );
      expect(theirsAgain.json<MessageJson>().id).toBe(theirs.json<MessageJson>().id);
    });
  });

  describe('GET /v1/messages/:id', () => {
    it('moves to "sent" when the worker submits, then "delivered" with the carrier ids', async () => {
      // Settle what earlier tests queued, so the drain below submits only this message and
      // returns well before its receipt (1 s later) arrives.
      await h.drain();
      const from = await numberOnCarrier(2, { deliveryDelayMs: 1000 });
      const created = await api.post('/v1/messages', { from, to: phone(30), body: 'Parts: ' + 'b'.repeat(200) });
      expect(created.statusCode).toBe(201);
      const message = created.json<MessageJson>();
      expect(message.segments).toBe(2);

      await h.drain();
      const sent = (await api.get(`/v1/messages/${message.id}`)).json<MessageJson>();
      expect(sent.status).toBe('sent');
      expect(sent.carrierMessageIds).toHaveLength(2);
      expect(sent.carrierMessageId).toBe(sent.carrierMessageIds[0]);
      expect(sent.sentAt).not.toBeNull();

      const delivered = await eventually(async () => {
        const current = (await api.get(`/v1/messages/${message.id}`)).json<MessageJson>();
        return current.status === 'delivered' ? current : null;
      });
      expect(delivered).toMatchObject({
        carrierMessageId: sent.carrierMessageId,
        carrierMessageIds: sent.carrierMessageIds,
        errorCode: null,
      });
      expect(delivered.deliveredAt).not.toBeNull();
    });

    it('ends "undelivered" with an errorCode on a carrier that fails everything', async () => {
      const from = await numberOnCarrier(3, { deliveryDelayMs: 5, failureRate: 1 });
      const created = (await api.post('/v1/messages', { from, to: phone(31), body: 'Will not arrive' })).json<MessageJson>();
      await h.drain();
      const undelivered = await eventually(async () => {
        const current = (await api.get(`/v1/messages/${created.id}`)).json<MessageJson>();
        return current.status === 'undelivered' ? current : null;
      });
      expect(undelivered.errorCode).toEqual(expect.any(String));
      expect(undelivered.errorCode?.length).toBeGreaterThan(0);
      expect(undelivered.carrierMessageId).toEqual(expect.any(String));
    });

    it('delivers every message of a burst: no receipt is lost racing its submit response', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        ids.push((await send({ to: phone(60 + i), body: `Burst ${i}` })).json<MessageJson>().id);
      }
      await h.drain();
      const statuses = async (): Promise<string[]> =>
        Promise.all(ids.map(async (id) => (await api.get(`/v1/messages/${id}`)).json<MessageJson>().status));
      await eventually(async () => (await statuses()).every((s) => s === 'delivered'), 10_000).catch(async () => {
        expect(await statuses()).toEqual(ids.map(() => 'delivered'));
      });
    });

    it('answers 404 for an unknown id', async () => {
      expectError(await api.get('/v1/messages/00000000-0000-7000-8000-000000000000'), 404, 'not_found');
    });
  });

  describe('POST /v1/messages/:id/cancel', () => {
    it('cancels a scheduled message, which is then never sent', async () => {
      const sendAt = new Date(Date.now() + 3_600_000).toISOString();
      const created = (await send({ to: phone(32), body: 'Later', sendAt })).json<MessageJson>();
      const canceled = await api.post(`/v1/messages/${created.id}/cancel`);
      expect(canceled.statusCode).toBe(200);
      expect(canceled.json<MessageJson>()).toMatchObject({ id: created.id, status: 'canceled' });
      expect(canceled.json<MessageJson>().canceledAt).not.toBeNull();

      expectError(await api.post(`/v1/messages/${created.id}/cancel`), 409, 'not_cancelable');
      await h.drain();
      expect((await api.get(`/v1/messages/${created.id}`)).json<MessageJson>().status).toBe('canceled');
    });

    it('answers 409 for a delivered message and 404 for an unknown one', async () => {
      const created = (await send({ to: phone(33), body: 'Now' })).json<MessageJson>();
      await h.drain();
      await eventually(async () => (await api.get(`/v1/messages/${created.id}`)).json<MessageJson>().status === 'delivered');
      expectError(await api.post(`/v1/messages/${created.id}/cancel`), 409, 'not_cancelable');
      expect((await api.get(`/v1/messages/${created.id}`)).json<MessageJson>().status).toBe('delivered');
      expectError(await api.post('/v1/messages/00000000-0000-7000-8000-000000000000/cancel'), 404, 'not_found');
    });
  });

  describe('POST /v1/messages/preview', () => {
    const preview = async (body: unknown): Promise<PreviewJson> => {
      const response = await api.post('/v1/messages/preview', { body });
      expect(response.statusCode).toBe(200);
      return response.json<PreviewJson>();
    };

    it('reports encoding, segments, characters and parts', async () => {
      expect(await preview('Hello there')).toMatchObject({
        encoding: 'GSM-7',
        segments: 1,
        characters: 11,
        parts: ['Hello there'],
      });
    });

    it('fits 160 GSM characters in one segment and splits 161 into two', async () => {
      const one = await preview('x'.repeat(160));
      expect(one).toMatchObject({ encoding: 'GSM-7', segments: 1, characters: 160 });
      const two = await preview('x'.repeat(161));
      expect(two).toMatchObject({ encoding: 'GSM-7', segments: 2, characters: 161 });
      expect(two.parts).toEqual(['x'.repeat(153), 'x'.repeat(8)]);
    });

    it('switches to UCS-2 for an emoji and counts code points', async () => {
      const result = await preview('Thanks 😀');
      expect(result).toMatchObject({ encoding: 'UCS-2', segments: 1, characters: 8 });
      expect(result.parts.join('')).toBe('Thanks 😀');
      expect((await preview('😀😀😀')).characters).toBe(3);
    });

    it('does not store anything', async () => {
      const before = await storedMessageCount();
      await preview('nothing to see');
      expect(await storedMessageCount()).toBe(before);
    });

    it('refuses a body that is not a string', async () => {
      expectError(await api.post('/v1/messages/preview', { body: 42 }), 400, 'validation_error', 'body');
    });
  });

  describe('POST /v1/messages/batch', () => {
    it('answers per recipient: good rows get ids, bad rows get errors, merge fields are filled', async () => {
      const response = await api.post('/v1/messages/batch', {
        from: BUSINESS_NUMBER,
        body: 'Hi {{name}}, your table is ready',
        recipients: [
          { to: phone(40), name: 'Ana' },
          { to: 'not a number', name: 'Nobody' },
          { to: phone(41) },
          { to: '(201) 555-0142', name: 'Bo' },
        ],
      });
      expect(response.statusCode).toBeLessThan(300);
      const { results } = response.json<BatchJson>();
      expect(results).toHaveLength(4);

      expect(results[0]).toMatchObject({ to: phone(40), id: expect.any(String) });
      expect(results[0]?.error).toBeUndefined();
      expect(results[1]?.id).toBeUndefined();
      expect(results[1]?.error).toMatchObject({ code: 'invalid_number', field: 'recipients.1.to' });
      expect(results[2]?.id).toBeUndefined();
      expect(results[2]?.error).toMatchObject({ code: 'validation_error', message: expect.stringContaining('name') });
      expect(results[3]).toMatchObject({ to: phone(42), id: expect.any(String) });

      const ana = (await api.get(`/v1/messages/${results[0]?.id}`)).json<MessageJson>();
      expect(ana).toMatchObject({ body: 'Hi Ana, your table is ready', to: phone(40), status: 'queued' });
      const bo = (await api.get(`/v1/messages/${results[3]?.id}`)).json<MessageJson>();
      expect(bo.body).toBe('Hi Bo, your table is ready');
    });

    it('refuses a batch from an unknown sender, or with no recipients', async () => {
      expectError(
        await api.post('/v1/messages/batch', { from: phone(98), body: 'Hi', recipients: [{ to: phone(43) }] }),
        422,
        'sender_not_found',
        'from',
      );
      expectError(
        await api.post('/v1/messages/batch', { from: BUSINESS_NUMBER, body: 'Hi', recipients: [] }),
        400,
        'validation_error',
        'recipients',
      );
      const tooMany = Array.from({ length: 10_001 }, () => ({ to: phone(43) }));
      expectError(
        await api.post('/v1/messages/batch', { from: BUSINESS_NUMBER, body: 'Hi', recipients: tooMany }),
        400,
        'validation_error',
        'recipients',
      );
      expectError(
        await api.post('/v1/messages/batch', { from: BUSINESS_NUMBER, body: 'Hi', recipients: [{ name: 'x' }] }),
        400,
        'validation_error',
        'recipients.0.to',
      );
    });
  });
});
