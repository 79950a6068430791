import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../../../test/support/test-context.js';
import { eventually } from '../../../test/support/fixtures.js';
import {
  createApiHarness,
  phone,
  threadOf,
  type ApiHarness,
  type CarrierJson,
  type MessageJson,
  type NumberJson,
} from '../../../test/support/api.js';
import { LocalSmsc } from './smsc/local-smsc.js';

/**
 * The whole SMPP path on both stores: REST API → store → send worker → SmppCarrier → TCP →
 * LocalSmsc, and back through receipts and handset texts. Everything waits on conditions,
 * never on fixed sleeps, so it stays fast and does not flake on a loaded CI machine.
 */
describe.each(STORES)('SMPP pipeline end to end on %s', (kind) => {
  let h: ApiHarness;
  let smsc: LocalSmsc;
  let port: number;
  let carrierId: string;
  // Not the seeded BUSINESS_NUMBER: that one belongs to the harness's simulator carrier.
  const businessNumber = phone(60);
  const customer = phone(61);

  async function getCarrierJson(id: string): Promise<CarrierJson> {
    const response = await h.api.get(`/v1/carriers/${id}`);
    expect(response.statusCode).toBe(200);
    return response.json<CarrierJson>();
  }

  async function getMessage(id: string): Promise<MessageJson> {
    const response = await h.api.get(`/v1/messages/${id}`);
    expect(response.statusCode).toBe(200);
    return response.json<MessageJson>();
  }

  async function send(to: string, body: string): Promise<MessageJson> {
    const response = await h.api.post('/v1/messages', { from: businessNumber, to, body });
    expect(response.statusCode).toBe(201);
    return response.json<MessageJson>();
  }

  /** Polls GET /v1/messages/:id until it reaches `status`, reporting the last one seen. */
  async function untilStatus(id: string, status: string): Promise<MessageJson> {
    let last = '';
    try {
      return await eventually(async () => {
        const message = await getMessage(id);
        last = `${message.status} ${message.errorCode ?? ''}`;
        return message.status === status ? message : null;
      });
    } catch (error) {
      throw new Error(`message ${id} never became ${status} (last: ${last})`, { cause: error });
    }
  }

  beforeAll(async () => {
    // A short receipt delay keeps the suite fast; it is still asynchronous to the submit.
    smsc = new LocalSmsc({ port: 0, receiptDelayMs: 20 });
    port = await smsc.listen();
    h = await createApiHarness(kind);

    const created = await h.api.post('/v1/carriers', {
      type: 'smpp',
      name: 'local smsc',
      host: '127.0.0.1',
      port,
      systemId: 'parley',
      password: 'secret',
    });
    expect(created.statusCode).toBe(201);
    carrierId = created.json<CarrierJson>().id;

    // mps well above the default long-code 1/s: the 3-part message must not wait on throttling.
    const number = await h.api.post('/v1/numbers', { phoneNumber: businessNumber, carrierId, mps: 100 });
    expect(number.statusCode).toBe(201);
    expect(number.json<NumberJson>().carrierId).toBe(carrierId);

    await eventually(async () => (await getCarrierJson(carrierId)).status === 'bound');
  });

  afterAll(async () => {
    // The harness stops the carriers (unbind) before the SMSC goes, so neither side sees a reset.
    await h?.close();
    await smsc?.close();
  });

  it('shows the bound carrier without its password or an error', async () => {
    const carrier = await getCarrierJson(carrierId);
    expect(carrier).toMatchObject({ type: 'smpp', status: 'bound', lastError: null });
    expect(JSON.stringify(carrier)).not.toContain('secret');
  });

  it('submits a message, marks it sent with the SMSC id, then delivered on the receipt', async () => {
    const before = smsc.received.length;
    const created = await send(customer, 'Your appointment is at 3pm tomorrow.');
    await h.drain();

    expect(smsc.received).toHaveLength(before + 1);
    const submitted = smsc.received[before];
    expect(submitted).toMatchObject({
      destinationAddr: customer.slice(1),
      sourceAddr: businessNumber.slice(1),
      text: 'Your appointment is at 3pm tomorrow.',
    });

    // The SMSC's receipt may already have arrived, so `sent` can be skipped; the id is set either way.
    const afterDrain = await getMessage(created.id);
    expect(['sent', 'delivered']).toContain(afterDrain.status);
    expect(afterDrain.carrierMessageId).toBe(submitted?.messageId);

    const delivered = await untilStatus(created.id, 'delivered');
    expect(delivered.carrierMessageIds).toEqual([submitted?.messageId]);
    expect(delivered.sentAt).not.toBeNull();
    expect(delivered.deliveredAt).not.toBeNull();
  });

  it('sends a 3-part message as three submits and ends delivered with three ids', async () => {
    const body = 'Thanks for choosing Acme Dental. '.repeat(12).trim();
    const before = smsc.received.length;
    const created = await send(customer, body);
    expect(created.segments).toBe(3);
    await h.drain();

    const parts = smsc.received.slice(before);
    expect(parts).toHaveLength(3);
    expect(parts.map((part) => part.concatenation?.sequence)).toEqual([1, 2, 3]);
    expect(parts.map((part) => part.text).join('')).toBe(body);

    const delivered = await untilStatus(created.id, 'delivered');
    expect(delivered.carrierMessageIds).toEqual(parts.map((part) => part.messageId));
    expect(delivered.carrierMessageId).toBe(parts[0]?.messageId);
  });

  it('threads a handset reply into the same conversation', async () => {
    const outbound = await send(customer, 'Reply YES to confirm.');
    await h.drain();

    const result = await smsc.sendFromHandset({ from: customer, to: businessNumber, text: 'YES see you then' });
    // ESME_ROK only after the sink stored it: the message is durable once this resolves.
    expect(result.statuses).toEqual([0]);

    const inbound = await eventually(async () =>
      (await threadOf(h.api, outbound.conversationId)).find(
        (m) => m.direction === 'inbound' && m.body === 'YES see you then',
      ),
    );
    expect(inbound).toMatchObject({ from: customer, to: businessNumber, status: 'received' });
  });

  it('reassembles a multipart handset text into one inbound message', async () => {
    const outbound = await send(customer, 'Any questions before your visit?');
    await h.drain();
    const text = 'I have a question about the bill from last month. '.repeat(5).trim();

    const result = await smsc.sendFromHandset({ from: customer, to: businessNumber, text });
    expect(result.parts).toBeGreaterThan(1);
    expect(result.statuses.every((status) => status === 0)).toBe(true);

    const thread = await eventually(async () => {
      const messages = await threadOf(h.api, outbound.conversationId);
      return messages.some((m) => m.direction === 'inbound' && m.body === text) ? messages : null;
    });
    // One message for the whole text: no part was also stored on its own.
    const inbound = thread.filter((m) => m.direction === 'inbound' && text.includes(m.body));
    expect(inbound).toHaveLength(1);
  });

  it('fails a message the SMSC rejects, with an smpp_ error code', async () => {
    smsc.injectFault({ kind: 'reject', status: 0x0b });
    const created = await send(customer, 'This one will be refused.');
    await h.drain();

    const failed = await untilStatus(created.id, 'failed');
    expect(failed.errorCode).toMatch(/^smpp_/);
    expect(failed.carrierMessageIds).toEqual([]);
  });

  it('shows auth_failed and the reason for a carrier with a wrong password', async () => {
    const created = await h.api.post('/v1/carriers', {
      type: 'smpp',
      name: 'wrong password',
      host: '127.0.0.1',
      port,
      systemId: 'parley',
      password: 'nope1234',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json<CarrierJson>().id;

    const carrier = await eventually(async () => {
      const current = await getCarrierJson(id);
      return current.status === 'auth_failed' ? current : null;
    });
    expect(carrier.lastError).toEqual(expect.any(String));
    // The reason is shown to API users: it must never carry the credential itself.
    expect(JSON.stringify(carrier)).not.toContain('nope1234');
  });
});
