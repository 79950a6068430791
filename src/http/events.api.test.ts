import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../../test/support/test-context.js';
import { BUSINESS_NUMBER } from '../../test/support/fixtures.js';
import {
  createApiHarness,
  phone,
  type ApiClient,
  type ApiHarness,
  type ErrorJson,
  type MessageJson,
} from '../../test/support/api.js';

interface SseFrame {
  event: string;
  data: string;
}

/** Reads Server-Sent Events frames off a fetch response body. */
class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';
  readonly seen: SseFrame[] = [];
  ended = false;

  constructor(response: Response) {
    if (!response.body) throw new Error('no response body');
    this.reader = response.body.getReader();
  }

  /** Resolves with the first frame (from now on) that matches, or fails after `timeoutMs`. */
  async until(match: (frame: SseFrame) => boolean, timeoutMs = 5000): Promise<SseFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.takeFrame();
      if (frame) {
        this.seen.push(frame);
        if (match(frame)) return frame;
        continue;
      }
      if (this.ended) throw new Error('the event stream ended');
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no matching event within ${timeoutMs} ms; saw ${JSON.stringify(this.seen)}`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), remaining);
      });
      const chunk = await Promise.race([this.reader.read(), timeout]);
      clearTimeout(timer);
      if (chunk === 'timeout') continue;
      if (chunk.done) this.ended = true;
      else this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  /** Reads until the server ends the stream; fails if it does not within `timeoutMs`. */
  async untilEnd(timeoutMs = 5000): Promise<void> {
    await this.until(() => false, timeoutMs).catch((error: unknown) => {
      if (!this.ended) throw error;
    });
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private takeFrame(): SseFrame | null {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end === -1) return null;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      // Comment-only blocks (": connected", heartbeats) and `retry:` carry no event.
      if (data.length > 0) return { event, data: data.join('\n') };
    }
  }
}

describe.each(STORES)('GET /v1/events (Server-Sent Events) on %s', (kind) => {
  let h: ApiHarness;
  let api: ApiClient;
  let baseUrl: string;
  const readers: SseReader[] = [];

  beforeAll(async () => {
    h = await createApiHarness(kind);
    api = h.api;
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all(readers.map((r) => r.cancel()));
    await h?.close();
  });

  async function subscribe(apiKey: string): Promise<{ response: Response; events: SseReader }> {
    const response = await fetch(`${baseUrl}/v1/events`, {
      headers: { authorization: `Bearer ${apiKey}`, accept: 'text/event-stream' },
    });
    const events = new SseReader(response);
    readers.push(events);
    return { response, events };
  }

  const isMessage = (frame: SseFrame, type: string, id: string, status?: string): boolean => {
    if (frame.event !== type) return false;
    const data = JSON.parse(frame.data) as MessageJson;
    return data.id === id && (status === undefined || data.status === status);
  };

  it('refuses a stream without a key', async () => {
    const response = await fetch(`${baseUrl}/v1/events`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorJson).error.code).toBe('unauthorized');
  });

  it('streams message.created, conversation.updated and message.updated', async () => {
    const { response, events } = await subscribe(h.seeded.apiKey);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);

    const sent = await api.post('/v1/messages', { from: BUSINESS_NUMBER, to: phone(10), body: 'Live!' });
    expect(sent.statusCode).toBe(201);
    const message = sent.json<MessageJson>();

    const created = await events.until((f) => isMessage(f, 'message.created', message.id));
    expect(JSON.parse(created.data)).toMatchObject({
      id: message.id,
      conversationId: message.conversationId,
      status: 'queued',
      body: 'Live!',
      direction: 'outbound',
    });
    const conversation = await events.until((f) => f.event === 'conversation.updated');
    expect(JSON.parse(conversation.data)).toMatchObject({ id: message.conversationId, lastMessagePreview: 'Live!' });

    await h.drain();
    // The submit response and the receipt race each other, so their frames may come in either order.
    const updated = (status: string) => events.seen.some((f) => isMessage(f, 'message.updated', message.id, status));
    await events.until(() => updated('sent') && updated('delivered'));

    const reply = await api.post('/v1/simulator/inbound', { from: phone(10), to: BUSINESS_NUMBER, body: 'Got it' });
    const inbound = reply.json<MessageJson>();
    const inboundFrame = await events.until((f) => isMessage(f, 'message.created', inbound.id));
    expect(JSON.parse(inboundFrame.data)).toMatchObject({ direction: 'inbound', status: 'received', body: 'Got it' });
  });

  it("never streams another workspace's events", async () => {
    const other = await h.addWorkspace({ name: 'Other Co', phoneNumber: phone(1) });
    const { events } = await subscribe(h.seeded.apiKey);
    const theirs = (
      await other.api.post('/v1/messages', { from: phone(1), to: phone(11), body: 'Not for you' })
    ).json<MessageJson>();
    const mine = (await api.post('/v1/messages', { from: BUSINESS_NUMBER, to: phone(11), body: 'For you' })).json<MessageJson>();
    await events.until((f) => isMessage(f, 'message.created', mine.id));
    expect(events.seen.map((f) => f.data).join('\n')).not.toContain(theirs.id);
    expect(events.seen.map((f) => f.data).join('\n')).not.toContain(theirs.conversationId);
  });

  it('ends open streams when the server closes, without hanging', async () => {
    const { events } = await subscribe(h.seeded.apiKey);
    const started = Date.now();
    await h.app.close();
    expect(Date.now() - started).toBeLessThan(3000);
    await events.untilEnd(3000);
    expect(events.ended).toBe(true);
  });
});
