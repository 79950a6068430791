import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../../test/support/test-context.js';
import { BUSINESS_NUMBER, eventually } from '../../test/support/fixtures.js';
import { simulatorOf } from '../../test/support/pipeline.js';
import {
  createApiHarness,
  expectError,
  phone,
  threadOf,
  type ApiClient,
  type ApiHarness,
  type ConversationJson,
  type MessageJson,
} from '../../test/support/api.js';
import type { SeededWorkspace } from '../../test/support/fixtures.js';

interface PreviewJson {
  encoding: string;
  segments: number;
  characters: number;
  parts: string[];
  unicodeCharacters: string[];
  smartEncoding: {
    enabled: boolean;
    applied: boolean;
    body: string;
    encoding: string;
    segments: number;
    characters: number;
    replacements: Array<{ from: string; to: string; count: number }>;
    savesSegments: number;
    unicodeCharacters: string[];
  };
}

interface BatchJson {
  results: Array<{ to: string; id?: string; error?: { code: string } }>;
}

/** Typed the way a word processor or phone keyboard types it. */
const CURLY = 'It’s ready — see you at 9…';
const STRAIGHT = "It's ready - see you at 9...";

describe.each(STORES)('smart encoding API on %s', (kind) => {
  let h: ApiHarness;
  let api: ApiClient;

  beforeAll(async () => {
    h = await createApiHarness(kind);
    api = h.api;
  });
  afterAll(async () => h?.close());

  const preview = async (client: ApiClient, body: Record<string, unknown>): Promise<PreviewJson> => {
    const response = await client.post('/v1/messages/preview', body);
    expect(response.statusCode).toBe(200);
    return response.json<PreviewJson>();
  };

  const send = async (body: Record<string, unknown>, client = api, from = BUSINESS_NUMBER): Promise<MessageJson> => {
    const response = await client.post('/v1/messages', { from, ...body });
    expect(response.statusCode).toBe(201);
    return response.json<MessageJson>();
  };

  const setSmartEncoding = async (client: ApiClient, on: boolean): Promise<void> => {
    const response = await client.request('PATCH', '/v1/workspace', { smartEncoding: on });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ smartEncoding: boolean }>().smartEncoding).toBe(on);
  };

  /** What the customer's handset received, once the worker has sent it. */
  async function received(seeded: SeededWorkspace, to: string, count: number): Promise<string[]> {
    await h.drain();
    return eventually(async () => {
      const bodies = simulatorOf(h.t.ctx, seeded)
        .handsetMessages(to)
        .filter((m) => m.direction === 'to_handset')
        .map((m) => m.body);
      return bodies.length >= count ? bodies : null;
    });
  }

  describe('POST /v1/messages/preview', () => {
    it('keeps the contract fields, lists what forced UCS-2 and reports what smart encoding would save', async () => {
      const body = `“Your table” is ready — ${'x'.repeat(60)}…`;
      const result = await preview(api, { body });
      expect(result).toMatchObject({
        encoding: 'UCS-2',
        segments: 2,
        characters: [...body].length,
        unicodeCharacters: ['“', '”', '—', '…'],
      });
      expect(result.parts.join('')).toBe(body);
      expect(result.smartEncoding).toEqual({
        enabled: false,
        applied: true,
        body: `"Your table" is ready - ${'x'.repeat(60)}...`,
        encoding: 'GSM-7',
        segments: 1,
        characters: body.length + 2,
        replacements: [
          { from: '“', to: '"', count: 1 },
          { from: '”', to: '"', count: 1 },
          { from: '—', to: '-', count: 1 },
          { from: '…', to: '...', count: 1 },
        ],
        savesSegments: 1,
        unicodeCharacters: [],
      });
    });

    it('previews the smart-encoded body when asked', async () => {
      const result = await preview(api, { body: CURLY, smartEncoding: true });
      expect(result).toMatchObject({
        encoding: 'GSM-7',
        segments: 1,
        characters: STRAIGHT.length,
        parts: [STRAIGHT],
        unicodeCharacters: [],
      });
      expect(result.smartEncoding).toMatchObject({ enabled: true, applied: true, body: STRAIGHT, savesSegments: 0 });
    });

    it('names what smart encoding cannot replace, and leaves such a body as written', async () => {
      const body = 'Thanks “Ana” 😀';
      const result = await preview(api, { body, smartEncoding: true });
      expect(result).toMatchObject({ encoding: 'UCS-2', segments: 1, parts: [body], unicodeCharacters: ['“', '”', '😀'] });
      expect(result.smartEncoding).toEqual({
        enabled: true,
        applied: false,
        body,
        encoding: 'UCS-2',
        segments: 1,
        characters: [...body].length,
        replacements: [],
        savesSegments: 0,
        unicodeCharacters: ['😀'],
      });
    });

    it('keeps emoji ZWJ sequences whole while removing a stray zero-width space', async () => {
      const family = '👨‍👩‍👧';
      // 71 UTF-16 units are two UCS-2 segments; without the zero-width space, 70 fit in one.
      const body = `${family}\u200b${'a'.repeat(62)}`;
      expect(body.length).toBe(71);
      const result = await preview(api, { body, smartEncoding: true });
      expect(result).toMatchObject({ encoding: 'UCS-2', segments: 1, unicodeCharacters: [family] });
      expect(result.smartEncoding).toMatchObject({
        applied: true,
        body: `${family}${'a'.repeat(62)}`,
        savesSegments: 1,
        replacements: [{ from: '\u200b', to: '', count: 1 }],
      });
    });

    it('leaves GSM text alone', async () => {
      const result = await preview(api, { body: 'Plain [text] {ok} €5', smartEncoding: true });
      expect(result).toMatchObject({ encoding: 'GSM-7', unicodeCharacters: [] });
      expect(result.smartEncoding).toMatchObject({ applied: false, body: 'Plain [text] {ok} €5', replacements: [] });
    });

    it('refuses a smartEncoding that is not a boolean, naming the field', async () => {
      expectError(
        await api.post('/v1/messages/preview', { body: CURLY, smartEncoding: 'yes' }),
        400,
        'validation_error',
        'smartEncoding',
      );
    });
  });

  describe('POST /v1/messages', () => {
    it('sends the body as written while smart encoding is off (the default)', async () => {
      const message = await send({ to: phone(10), body: CURLY });
      expect(message).toMatchObject({ body: CURLY, encoding: 'UCS-2', segments: 1 });
      expect(await received(h.seeded, phone(10), 1)).toEqual([CURLY]);
    });

    it('smart-encodes one message on request: stored, threaded and sent as replaced', async () => {
      const body = `${CURLY} ${'x'.repeat(60)}`;
      const message = await send({ to: phone(11), body, smartEncoding: true });
      const replaced = `${STRAIGHT} ${'x'.repeat(60)}`;
      expect(message).toMatchObject({ body: replaced, encoding: 'GSM-7', segments: 1 });
      expect((await api.get(`/v1/messages/${message.id}`)).json<MessageJson>().body).toBe(replaced);
      expect((await threadOf(api, message.conversationId)).map((m) => m.body)).toEqual([replaced]);
      const conversation = (await api.get(`/v1/conversations/${message.conversationId}`)).json<ConversationJson>();
      expect(conversation.lastMessagePreview).toBe(replaced);
      expect(await received(h.seeded, phone(11), 1)).toEqual([replaced]);
    });

    it('sends a body smart encoding cannot make cheaper as written', async () => {
      const body = 'Thanks “Ana” 😀';
      expect(await send({ to: phone(12), body, smartEncoding: true })).toMatchObject({ body, encoding: 'UCS-2' });
    });

    it('counts smartEncoding as part of the request an Idempotency-Key protects', async () => {
      const request = { to: phone(13), body: CURLY, smartEncoding: true };
      const headers = { 'idempotency-key': 'smart-1' };
      const first = await api.post('/v1/messages', { from: BUSINESS_NUMBER, ...request }, headers);
      expect(first.statusCode).toBe(201);
      const again = await api.post('/v1/messages', { from: BUSINESS_NUMBER, ...request }, headers);
      expect(again.json<MessageJson>().id).toBe(first.json<MessageJson>().id);
      expect(again.headers['idempotent-replayed']).toBe('true');
      for (const smartEncoding of [false, undefined]) {
        expectError(
          await api.post('/v1/messages', { from: BUSINESS_NUMBER, ...request, smartEncoding }, headers),
          409,
          'idempotency_key_reused',
        );
      }
    });

    it('refuses a smartEncoding that is not a boolean, naming the field', async () => {
      expectError(
        await api.post('/v1/messages', { from: BUSINESS_NUMBER, to: phone(14), body: CURLY, smartEncoding: 1 }),
        400,
        'validation_error',
        'smartEncoding',
      );
    });
  });

  describe('POST /v1/messages/batch', () => {
    it('smart-encodes each rendered body on request, merge fields included, row by row', async () => {
      const response = await api.post('/v1/messages/batch', {
        from: BUSINESS_NUMBER,
        body: 'Hi {{name}} — your table’s ready',
        smartEncoding: true,
        recipients: [
          { to: phone(20), name: 'Ana' },
          { to: phone(21), name: 'Dana O’Brien' },
          // á is not GSM: this row stays UCS-2 whatever the quotes, so it is sent as written.
          { to: phone(22), name: 'Seán' },
        ],
      });
      expect(response.statusCode).toBe(200);
      const ids = response.json<BatchJson>().results.map((r) => r.id ?? '');
      const messages = await Promise.all(ids.map(async (id) => (await api.get(`/v1/messages/${id}`)).json<MessageJson>()));
      expect(messages.map((m) => [m.body, m.encoding])).toEqual([
        ["Hi Ana - your table's ready", 'GSM-7'],
        ["Hi Dana O'Brien - your table's ready", 'GSM-7'],
        ['Hi Seán — your table’s ready', 'UCS-2'],
      ]);
    });

    it('refuses a smartEncoding that is not a boolean, naming the field', async () => {
      expectError(
        await api.post('/v1/messages/batch', { from: BUSINESS_NUMBER, body: 'Hi', smartEncoding: 'on', recipients: [{ to: phone(23) }] }),
        400,
        'validation_error',
        'smartEncoding',
      );
    });
  });

  describe('the workspace setting', () => {
    it('applies to previews, sends and batches once turned on; a message or batch can opt out', async () => {
      const other = await h.addWorkspace({ name: 'Smart Co', phoneNumber: phone(1) });
      const from = phone(1);
      await setSmartEncoding(other.api, true);

      expect((await preview(other.api, { body: CURLY })).smartEncoding.enabled).toBe(true);
      expect(await preview(other.api, { body: CURLY })).toMatchObject({ encoding: 'GSM-7', parts: [STRAIGHT] });
      expect(await preview(other.api, { body: CURLY, smartEncoding: false })).toMatchObject({ encoding: 'UCS-2', parts: [CURLY] });

      expect(await send({ to: phone(30), body: CURLY }, other.api, from)).toMatchObject({ body: STRAIGHT, encoding: 'GSM-7' });
      expect(await send({ to: phone(30), body: CURLY, smartEncoding: false }, other.api, from)).toMatchObject({
        body: CURLY,
        encoding: 'UCS-2',
      });
      expect(await received(other.seeded, phone(30), 2)).toEqual([STRAIGHT, CURLY]);

      const batch = async (extra: Record<string, unknown>): Promise<string> => {
        const response = await other.api.post('/v1/messages/batch', {
          from,
          body: 'Hi {{name}}, it’s ready',
          recipients: [{ to: phone(31), name: 'Ana' }],
          ...extra,
        });
        const id = response.json<BatchJson>().results[0]?.id ?? '';
        return (await other.api.get(`/v1/messages/${id}`)).json<MessageJson>().body;
      };
      expect(await batch({})).toBe("Hi Ana, it's ready");
      expect(await batch({ smartEncoding: false })).toBe('Hi Ana, it’s ready');

      // Only that workspace: the first one still sends as written.
      expect(await send({ to: phone(32), body: CURLY })).toMatchObject({ body: CURLY });

      await setSmartEncoding(other.api, false);
      expect(await send({ to: phone(30), body: CURLY }, other.api, from)).toMatchObject({ body: CURLY });
      expect(await send({ to: phone(30), body: CURLY, smartEncoding: true }, other.api, from)).toMatchObject({
        body: STRAIGHT,
      });
    });
  });
});
