/**
 * Interop: node-smpp (an independent SMPP 3.4 implementation) plays the SMSC over real TCP and
 * Parley's SmppCarrier is the ESME. Everything asserted on the SMSC side is what node-smpp itself
 * decoded, so a habit shared by Parley's codec and its own scripted test peer cannot hide here.
 */
import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, uuidV7Ids } from '../../runtime/clock-and-ids.js';
import type { CarrierContext, DeliveryReceipt, InboundSms } from '../carrier.js';
import { CARRIER_TYPES } from '../carrier-registry.js';
import { SmppCarrier } from './smpp.carrier.js';

const SYSTEM_ID = 'parley';
const PASSWORD = 'secret';
const TIMEOUT_MS = 3000;

interface Seen {
  session: smpp.Session;
  pdu: smpp.PDU;
}

/** node-smpp decodes short_message into { message, udh? } (udh: one Buffer per IE, UDHL consumed). */
interface DecodedMessage {
  message: string;
  udh: Buffer[];
}

function decoded(pdu: smpp.PDU): DecodedMessage {
  const value: unknown = pdu.short_message;
  if (typeof value !== 'object' || value === null || !('message' in value)) {
    throw new Error(`short_message not decoded by node-smpp: ${String(value)}`);
  }
  const message: unknown = value.message;
  if (typeof message !== 'string') throw new Error('short_message.message is not a string');
  const udh: unknown = 'udh' in value ? value.udh : [];
  if (!Array.isArray(udh) || !udh.every((element): element is Buffer => Buffer.isBuffer(element))) {
    throw new Error('short_message.udh is not a list of buffers');
  }
  return { message, udh };
}

// ---------------------------------------------------------------------------------------------
// The SMSC, played by node-smpp

const seen: Seen[] = [];
const arrivals = new EventEmitter();
/** message_id answers for the next submit_sm PDUs, in order; then generated ones. */
const messageIds: string[] = [];
let generatedIds = 0;
let server: smpp.Server;
let port = 0;

function record(session: smpp.Session, pdu: smpp.PDU): void {
  seen.push({ session, pdu });
  arrivals.emit('pdu');
}

/** Resolves with the PDUs matching `match` once there are `count` of them (already seen or to come). */
async function waitForPdus(match: (entry: Seen) => boolean, count = 1, timeoutMs = TIMEOUT_MS): Promise<Seen[]> {
  const found = (): Seen[] => seen.filter(match);
  if (found().length >= count) return found().slice(0, count);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      arrivals.off('pdu', check);
      reject(new Error(`timed out waiting for ${count} PDU(s); saw ${seen.map((s) => s.pdu.command).join(', ')}`));
    }, timeoutMs);
    function check(): void {
      const matches = found();
      if (matches.length < count) return;
      clearTimeout(timer);
      arrivals.off('pdu', check);
      resolve(matches.slice(0, count));
    }
    arrivals.on('pdu', check);
  });
}

async function until(check: () => boolean, what: string, timeoutMs = TIMEOUT_MS): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function startSmsc(): smpp.Server {
  return smpp.createServer((session) => {
    session.on('error', () => undefined); // a peer resetting the socket is not a test failure
    session.on('pdu', (pdu: smpp.PDU) => record(session, pdu));
    for (const bind of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
      session.on(bind, (pdu: smpp.PDU) => {
        const ok = pdu.system_id === SYSTEM_ID && pdu.password === PASSWORD;
        session.send(pdu.response({ command_status: ok ? smpp.ESME_ROK : smpp.ESME_RINVPASWD, system_id: 'node-smsc' }));
      });
    }
    session.on('submit_sm', (pdu: smpp.PDU) => {
      session.send(pdu.response({ message_id: messageIds.shift() ?? `NS${++generatedIds}` }));
    });
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => session.send(pdu.response()));
  });
}

// ---------------------------------------------------------------------------------------------
// Parley, the ESME

const receipts: DeliveryReceipt[] = [];
const inbound: InboundSms[] = [];
const carriers: SmppCarrier[] = [];

function parley(password = PASSWORD, extra: Record<string, unknown> = {}, id = `car_${password}`): SmppCarrier {
  const context: CarrierContext = {
    sink: {
      receipt: async (receipt) => {
        receipts.push(receipt);
      },
      inbound: async (sms) => {
        inbound.push(sms);
      },
    },
    clock: systemClock,
    ids: uuidV7Ids,
  };
  const settings = { host: '127.0.0.1', port, systemId: SYSTEM_ID, password, ...extra };
  // Same settings validation the registry applies to a stored carrier.
  expect(CARRIER_TYPES.smpp?.validate(settings)).toBeNull();
  const carrier = new SmppCarrier(id, settings, context, {
    responseTimeoutMs: 2000,
    closeTimeoutMs: 1000,
    backoffInitialMs: 50,
    authRetryMs: 60_000,
  });
  carriers.push(carrier);
  return carrier;
}

/** The node-smpp session Parley's good bind is on. */
function boundSession(): smpp.Session {
  const bind = seen.find((s) => s.pdu.command === 'bind_transceiver' && s.pdu.password === PASSWORD);
  if (!bind) throw new Error('no successful bind seen');
  return bind.session;
}

function submitsAfter(mark: number): Seen[] {
  return seen.slice(mark).filter((s) => s.pdu.command === 'submit_sm');
}

function request(body: string, encoding: 'GSM-7' | 'UCS-2', segments = 1) {
  return { messageId: 'msg_interop', from: '+15550001111', to: '+15550002222', body, encoding, segments };
}

async function deliverSm(session: smpp.Session, options: Record<string, unknown>): Promise<smpp.PDU> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no deliver_sm_resp')), TIMEOUT_MS);
    const sent = session.deliver_sm(options, (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    if (!sent) {
      clearTimeout(timer);
      reject(new Error('node-smpp could not send deliver_sm'));
    }
  });
}

let carrier: SmppCarrier;

beforeAll(async () => {
  server = startSmsc();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  carrier = parley();
  await carrier.start();
  await until(() => carrier.status() === 'bound', 'Parley to bind');
});

afterAll(async () => {
  await Promise.allSettled(carriers.map((c) => c.stop()));
  for (const session of [...server.sessions]) session.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('Parley (ESME) against a node-smpp SMSC', () => {
  it('binds as transceiver with its system_id and password', async () => {
    const [bind] = await waitForPdus((s) => s.pdu.command === 'bind_transceiver' && s.pdu.password === PASSWORD);
    expect(bind?.pdu).toMatchObject({ system_id: SYSTEM_ID, password: PASSWORD, interface_version: 0x34 });
    expect(carrier.status()).toBe('bound');
  });

  it('reports auth_failed when the SMSC answers ESME_RINVPASWD', async () => {
    const wrong = parley('wrong');
    await wrong.start();
    await waitForPdus((s) => s.pdu.command === 'bind_transceiver' && s.pdu.password === 'wrong');
    await until(() => wrong.status() === 'auth_failed', 'auth_failed');
    expect(wrong.lastError()).toContain('ESME_RINVPASWD');
    expect(wrong.lastError()).not.toContain('wrong');
    await wrong.stop();
    expect(carrier.status()).toBe('bound');
  });

  it('submits GSM-7 as the SMSC expects and takes its message_id', async () => {
    const mark = seen.length;
    messageIds.push('ABC123');
    const text = 'Hello @ world £5 {ok}';
    const result = await carrier.submit(request(text, 'GSM-7'));
    expect(result.carrierMessageIds).toEqual(['ABC123']);
    const [submit] = submitsAfter(mark);
    expect(submit?.pdu).toMatchObject({
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: '15550001111',
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: '15550002222',
      registered_delivery: 1,
      data_coding: 0,
      esm_class: 0,
    });
    if (!submit) throw new Error('no submit_sm');
    // data_coding 0 decoded by node-smpp's GSM 03.38 table (its default for 0), unpacked.
    expect(decoded(submit.pdu)).toEqual({ message: text, udh: [] });
  });

  it('turns a delivery receipt into a delivered receipt for ABC123 and acknowledges it', async () => {
    const response = await deliverSm(boundSession(), {
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: '15550002222',
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: '15550001111',
      esm_class: 4,
      // Explicit: without it node-smpp auto-detects and labels GSM text data_coding 1 (IA5).
      data_coding: 0,
      short_message: 'id:ABC123 sub:001 dlvrd:001 submit date:2611280000 done date:2611280001 stat:DELIVRD err:000 text:hello',
      receipted_message_id: 'ABC123',
      message_state: 2,
    });
    expect(response.command).toBe('deliver_sm_resp');
    expect(response.command_status).toBe(0);
    await until(() => receipts.length > 0, 'receipt');
    expect(receipts).toEqual([
      expect.objectContaining({ carrierId: 'car_secret', carrierMessageId: 'ABC123', status: 'delivered' }),
    ]);
  });

  it('submits UCS-2 (emoji) with data_coding 8', async () => {
    const mark = seen.length;
    const text = 'Café 👋 done';
    const result = await carrier.submit(request(text, 'UCS-2'));
    expect(result.carrierMessageIds).toHaveLength(1);
    const [submit] = submitsAfter(mark);
    if (!submit) throw new Error('no submit_sm');
    expect(submit.pdu).toMatchObject({ data_coding: 8, esm_class: 0, registered_delivery: 1 });
    expect(decoded(submit.pdu)).toEqual({ message: text, udh: [] });
  });

  it('sends a 3-part GSM-7 message as 3 submit_sm with a concatenation UDH node-smpp reassembles', async () => {
    const mark = seen.length;
    const text = Array.from({ length: 40 }, (_, i) => `part${String(i).padStart(3, '0')}.`).join('') + 'Z'.repeat(40);
    expect(text.length).toBeGreaterThan(306);
    expect(text.length).toBeLessThanOrEqual(459);
    const result = await carrier.submit(request(text, 'GSM-7', 3));
    expect(result.carrierMessageIds).toHaveLength(3);
    const submits = submitsAfter(mark);
    expect(submits).toHaveLength(3);
    const parts = submits.map((s) => {
      expect(s.pdu).toMatchObject({ esm_class: 0x40, data_coding: 0, destination_addr: '15550002222' });
      return decoded(s.pdu);
    });
    const reference = parts[0]?.udh[0]?.[2];
    expect(reference).toBeTypeOf('number');
    parts.forEach((part, index) => {
      // One IE: IEI 00 (8-bit ref concatenation), IEDL 03, ref, total 03, seq. node-smpp consumed
      // UDHL; it sliced exactly UDHL+1 octets, so one 5-octet IE means UDHL was 05.
      expect(part.udh).toHaveLength(1);
      expect([...(part.udh[0] ?? [])]).toEqual([0x00, 0x03, reference, 0x03, index + 1]);
      expect(part.message.length).toBeLessThanOrEqual(153);
    });
    // Reassembled by sequence number, as a handset would.
    const bySequence = [...parts].sort((a, b) => (a.udh[0]?.[4] ?? 0) - (b.udh[0]?.[4] ?? 0));
    expect(bySequence.map((part) => part.message).join('')).toBe(text);
  });

  it('hands an MO deliver_sm to the sink as an inbound text', async () => {
    const response = await deliverSm(boundSession(), {
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: '12015550123',
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: '15550001111',
      esm_class: 0,
      data_coding: 0,
      short_message: 'Hello',
    });
    expect(response.command_status).toBe(0);
    await until(() => inbound.length > 0, 'inbound text');
    expect(inbound).toEqual([
      expect.objectContaining({ carrierId: 'car_secret', from: '+12015550123', to: '+15550001111', body: 'Hello' }),
    ]);
  });

  it('unbinds on stop()', async () => {
    const session = boundSession();
    await carrier.stop();
    const [unbind] = await waitForPdus((s) => s.pdu.command === 'unbind');
    expect(unbind?.session).toBe(session);
    expect(carrier.status()).toBe('down');
  });
});

describe('Parley as a transmitter + receiver pair against node-smpp', () => {
  it('binds one of each, submits on the transmitter and takes receipts on the receiver', async () => {
    const mark = seen.length;
    const pair = parley(PASSWORD, { bindMode: 'transmitter-receiver' }, 'car_pair');
    await pair.start();
    const [transmitter] = await waitForPdus((s) => seen.indexOf(s) >= mark && s.pdu.command === 'bind_transmitter');
    const [receiver] = await waitForPdus((s) => seen.indexOf(s) >= mark && s.pdu.command === 'bind_receiver');
    expect(receiver?.pdu).toMatchObject({ system_id: SYSTEM_ID, password: PASSWORD, interface_version: 0x34 });
    await until(() => pair.status() === 'bound', 'the pair to bind');

    messageIds.push('PAIR01');
    const result = await pair.submit(request('over the transmitter', 'GSM-7'));
    expect(result.carrierMessageIds).toEqual(['PAIR01']);
    const [submit] = submitsAfter(mark);
    expect(submit?.session).toBe(transmitter?.session);

    if (!receiver) throw new Error('no bind_receiver');
    const response = await deliverSm(receiver.session, {
      source_addr: '15550002222',
      destination_addr: '15550001111',
      esm_class: 4,
      data_coding: 0,
      short_message: 'id:PAIR01 sub:001 dlvrd:001 submit date:2611280000 done date:2611280001 stat:UNDELIV err:005 text:',
    });
    expect(response.command_status).toBe(0);
    await until(() => receipts.some((r) => r.carrierId === 'car_pair'), 'receipt on the receiver');
    expect(receipts.find((r) => r.carrierId === 'car_pair')).toMatchObject({ carrierMessageId: 'PAIR01', status: 'undelivered' });
    await pair.stop();
  });

  it('answers an enquire_link the SMSC sends, and rebinds after the SMSC unbinds it', async () => {
    const mark = seen.length;
    const pair = parley(PASSWORD, {}, 'car_link');
    await pair.start();
    const [bind] = await waitForPdus((s) => seen.indexOf(s) >= mark && s.pdu.command === 'bind_transceiver');
    await until(() => pair.status() === 'bound', 'bind');
    if (!bind) throw new Error('no bind');
    const answer = await new Promise<smpp.PDU>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no enquire_link_resp')), TIMEOUT_MS);
      bind.session.enquire_link({}, (pdu) => {
        clearTimeout(timer);
        resolve(pdu);
      });
    });
    expect(answer).toMatchObject({ command: 'enquire_link_resp', command_status: 0 });

    const unbound = await new Promise<smpp.PDU>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no unbind_resp')), TIMEOUT_MS);
      bind.session.unbind({}, (pdu) => {
        clearTimeout(timer);
        resolve(pdu);
      });
    });
    expect(unbound).toMatchObject({ command: 'unbind_resp', command_status: 0 });
    bind.session.close();
    // A fresh bind on a new connection, with no help from the test.
    await waitForPdus((s) => seen.indexOf(s) > seen.indexOf(bind) && s.pdu.command === 'bind_transceiver' && s.session !== bind.session);
    await until(() => pair.status() === 'bound', 'rebind');
    await pair.stop();
  });
});
