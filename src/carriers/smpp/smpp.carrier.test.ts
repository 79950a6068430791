import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.js';
import { parseUdh } from '../../domain/udh.js';
import { presentCarrier } from '../../http/presenters.js';
import { ManualClock, uuidV7Ids } from '../../runtime/clock-and-ids.js';
import { CarrierError, type CarrierContext, type DeliveryReceipt, type InboundSms } from '../carrier.js';
import { CARRIER_TYPES, CarrierRegistry } from '../carrier-registry.js';
import { COMMAND_STATUS, type Pdu, type SubmitSm, findTlv, tlv } from './pdu/index.js';
import {
  type PeerScript,
  type ScriptedPeer,
  deliverSm,
  startScriptedPeer,
  waitFor,
} from './session/scripted-peer.test-helper.js';
import { SmppCarrier } from './smpp.carrier.js';

interface Harness {
  peer: ScriptedPeer;
  carrier: SmppCarrier;
  receipts: DeliveryReceipt[];
  inbound: InboundSms[];
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface HarnessOptions {
  script?: PeerScript;
  settings?: Record<string, unknown>;
  sinkFails?: boolean;
}

async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const peer = await startScriptedPeer(options.script);
  const receipts: DeliveryReceipt[] = [];
  const inbound: InboundSms[] = [];
  const context: CarrierContext = {
    sink: {
      receipt: async (receipt) => {
        if (options.sinkFails) throw new Error('store down');
        receipts.push(receipt);
      },
      inbound: async (sms) => {
        if (options.sinkFails) throw new Error('store down');
        inbound.push(sms);
      },
    },
    clock: new ManualClock(),
    ids: uuidV7Ids,
  };
  const carrier = new SmppCarrier(
    'car_1',
    { host: '127.0.0.1', port: peer.port, systemId: 'parley', password: 'secret', ...options.settings },
    context,
    { responseTimeoutMs: 500, closeTimeoutMs: 200, backoffInitialMs: 50, authRetryMs: 60_000 },
  );
  cleanups.push(async () => {
    await carrier.stop();
    await peer.close();
  });
  return { peer, carrier, receipts, inbound };
}

async function bound(options: HarnessOptions = {}): Promise<Harness> {
  const h = await harness(options);
  await h.carrier.start();
  await waitFor(() => h.carrier.status() === 'bound');
  return h;
}

function submits(peer: ScriptedPeer): SubmitSm[] {
  return peer.received.filter((pdu): pdu is SubmitSm => pdu.command === 'submit_sm');
}

function request(body: string, to = '+15550002222', from = '+15550001111') {
  return { messageId: 'msg_1', from, to, body, encoding: 'GSM-7' as const, segments: 1 };
}

describe('smpp settings via the registry', () => {
  const registry = new CarrierRegistry({
    sink: { receipt: async () => undefined, inbound: async () => undefined },
    clock: new ManualClock(),
    ids: uuidV7Ids,
  });
  const valid = { host: 'smsc.example', port: 2775, systemId: 'parley', password: 'secret' };

  function fieldOf(settings: Record<string, unknown>): string | undefined {
    try {
      registry.validate('smpp', settings);
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      return (error as AppError).field;
    }
  }

  it('accepts the contract fields', () => {
    expect(() =>
      registry.validate('smpp', {
        ...valid,
        systemType: 'cmt',
        bindMode: 'transceiver',
        tls: false,
        windowSize: 20,
        tps: 50,
        enquireLinkSeconds: 15,
        longMessages: 'sar',
        gsmCharset: 'gsm7-packed',
        nationalLanguages: ['turkish'],
        binds: 2,
      }),
    ).not.toThrow();
    expect(() =>
      registry.validate('smpp', { ...valid, bindMode: 'transmitter-receiver', tls: true, tlsCa: '-----BEGIN CERTIFICATE-----' }),
    ).not.toThrow();
    // A receiver alone could never send; a transmitter alone would never see receipts.
    expect(fieldOf({ ...valid, bindMode: 'receiver' })).toBe('bindMode');
    expect(fieldOf({ ...valid, bindMode: 'transmitter' })).toBe('bindMode');
    expect(CARRIER_TYPES.smpp).toBeDefined();
  });

  it('names the bad field', () => {
    const { host: _host, ...withoutHost } = valid;
    expect(CARRIER_TYPES.smpp?.validate(withoutHost)).toMatch(/^host: /);
    expect(CARRIER_TYPES.smpp?.validate({ ...valid, gsmCharset: 'utf8' })).toMatch(/^gsmCharset: /);
    expect(CARRIER_TYPES.smpp?.validate({ ...valid, port: 70000 })).toMatch(/^port: /);
    expect(CARRIER_TYPES.smpp?.validate({ ...valid, longMessages: 'split' })).toMatch(/^longMessages: /);
    expect(CARRIER_TYPES.smpp?.validate({ ...valid, extra: 1 })).not.toBeNull();
    expect(fieldOf(withoutHost)).toBe('host');
    expect(fieldOf({ ...valid, gsmCharset: 'utf8' })).toBe('gsmCharset');
  });

  it('never echoes the password and redacts it when presented', () => {
    const problem = CARRIER_TYPES.smpp?.validate({ ...valid, password: 'waytoolongsecret' }) ?? '';
    expect(problem).toMatch(/^password: /);
    expect(problem).not.toContain('waytoolongsecret');
    const presented = presentCarrier({
      id: 'car_1',
      workspaceId: 'ws_1',
      type: 'smpp',
      name: 'operator',
      settings: valid,
      createdAt: '2026-01-01T00:00:00.000Z',
      status: 'down',
      lastError: null,
    });
    expect(JSON.stringify(presented)).not.toContain('secret');
    expect(presented.settings).toMatchObject({ host: 'smsc.example', systemId: 'parley' });
  });
});

describe('SmppCarrier status', () => {
  it('goes connecting → bound, and down after stop', async () => {
    const h = await harness();
    expect(h.carrier.status()).toBe('down');
    await h.carrier.start();
    expect(h.carrier.status()).toBe('connecting');
    await waitFor(() => h.carrier.status() === 'bound');
    await h.carrier.stop();
    expect(h.carrier.status()).toBe('down');
    expect(h.peer.received.some((pdu) => pdu.command === 'unbind')).toBe(true);
  });

  it('reports auth_failed for a wrong password', async () => {
    const h = await harness({
      script: (pdu, connection) => {
        if (pdu.command !== 'bind_transceiver') return false;
        connection.send({
          command: 'bind_transceiver_resp',
          sequenceNumber: pdu.sequenceNumber,
          status: COMMAND_STATUS.ESME_RINVPASWD,
          tlvs: [],
          systemId: '',
        });
        return true;
      },
    });
    await h.carrier.start();
    await waitFor(() => h.carrier.status() === 'auth_failed');
    expect(h.carrier.lastError()).toContain('ESME_RINVPASWD');
  });

  it('does not throw on start when the SMSC is down', async () => {
    const h = await harness();
    await h.peer.close();
    await expect(h.carrier.start()).resolves.toBeUndefined();
    await waitFor(() => h.carrier.status() === 'down');
    await expect(h.carrier.submit(request('hi'))).rejects.toMatchObject({ code: 'carrier_unavailable', retryable: true });
  });
});

describe('SmppCarrier submit', () => {
  it('sends a single GSM-7 part unpacked, TON/NPI 1/1, receipts requested', async () => {
    const h = await bound();
    const result = await h.carrier.submit(request('Hello @ world'));
    expect(result.carrierMessageIds).toEqual(['1']);
    const [pdu] = submits(h.peer);
    expect(pdu).toMatchObject({
      sourceAddrTon: 1,
      sourceAddrNpi: 1,
      sourceAddr: '15550001111',
      destAddrTon: 1,
      destAddrNpi: 1,
      destinationAddr: '15550002222',
      esmClass: 0,
      dataCoding: 0,
      registeredDelivery: 1,
    });
    // '@' is GSM septet 0x00: proof the bytes are GSM 03.38, one septet per octet.
    expect([...(pdu?.shortMessage ?? [])]).toEqual([...Buffer.from('Hello ', 'latin1'), 0x00, ...Buffer.from(' world', 'latin1')]);
  });

  it('sends an alphanumeric sender as TON 5', async () => {
    const h = await bound();
    await h.carrier.submit(request('hi', '+15550002222', 'Parley'));
    expect(submits(h.peer)[0]).toMatchObject({ sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'Parley' });
  });

  it('sends a short code as TON/NPI 3/0 by default, or as the carrier configures', async () => {
    const h = await bound();
    await h.carrier.submit(request('hi', '+15550002222', '72345'));
    expect(submits(h.peer)[0]).toMatchObject({ sourceAddrTon: 3, sourceAddrNpi: 0, sourceAddr: '72345' });
    const configured = await bound({ settings: { shortCodeTon: 0, shortCodeNpi: 1 } });
    await configured.carrier.submit(request('hi', '+15550002222', '72345'));
    expect(submits(configured.peer)[0]).toMatchObject({ sourceAddrTon: 0, sourceAddrNpi: 1, sourceAddr: '72345' });
  });

  it('sends UCS-2 with data_coding 8', async () => {
    const h = await bound();
    await h.carrier.submit(request('Привет 😀'));
    const [pdu] = submits(h.peer);
    expect(pdu?.dataCoding).toBe(8);
    expect(Buffer.from(pdu?.shortMessage ?? []).swap16().toString('utf16le')).toBe('Привет 😀');
  });

  it('uses the latin1 charset when configured', async () => {
    const h = await bound({ settings: { gsmCharset: 'latin1' } });
    await h.carrier.submit(request('café'));
    const [pdu] = submits(h.peer);
    expect(pdu?.dataCoding).toBe(3);
    expect(Buffer.from(pdu?.shortMessage ?? []).toString('latin1')).toBe('café');
  });

  it('packs GSM-7 when configured', async () => {
    const h = await bound({ settings: { gsmCharset: 'gsm7-packed' } });
    await h.carrier.submit(request('hello'));
    const [pdu] = submits(h.peer);
    expect(pdu?.dataCoding).toBe(0);
    expect([...(pdu?.shortMessage ?? [])]).toEqual([0xe8, 0x32, 0x9b, 0xfd, 0x06]);
  });

  it('announces a national shift table in the UDH when the carrier allows it', async () => {
    const h = await bound({ settings: { nationalLanguages: ['turkish'] } });
    await h.carrier.submit(request('Merhaba ğ'));
    const [pdu] = submits(h.peer);
    expect(pdu?.dataCoding).toBe(0);
    expect((pdu?.esmClass ?? 0) & 0x40).toBe(0x40);
    const parsed = parseUdh(pdu?.shortMessage ?? new Uint8Array(0));
    expect(parsed.ok && parsed.elements.some((element) => element.type.startsWith('national'))).toBe(true);
  });

  it('splits a long message with a UDH: UDHI, one reference, sequence 1..3, ids in order', async () => {
    const h = await bound();
    const body = 'x'.repeat(153 * 2 + 10);
    const result = await h.carrier.submit(request(body));
    expect(result.carrierMessageIds).toEqual(['1', '2', '3']);
    const pdus = submits(h.peer);
    expect(pdus).toHaveLength(3);
    const headers = pdus.map((pdu) => {
      expect(pdu.esmClass & 0x40).toBe(0x40);
      const parsed = parseUdh(pdu.shortMessage);
      if (!parsed.ok) throw new Error(parsed.message);
      const concat = parsed.elements.find((element) => element.type === 'concatenation-8');
      if (concat?.type !== 'concatenation-8') throw new Error('no concatenation IE');
      return concat;
    });
    expect(new Set(headers.map((header) => header.reference)).size).toBe(1);
    expect(headers.map((header) => [header.sequence, header.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('uses SAR TLVs in sar mode', async () => {
    const h = await bound({ settings: { longMessages: 'sar' } });
    const result = await h.carrier.submit(request('y'.repeat(200)));
    expect(result.carrierMessageIds).toHaveLength(2);
    const pdus = submits(h.peer);
    const refs = pdus.map((pdu) => findTlv(pdu.tlvs, 'sar_msg_ref_num'));
    expect(refs[0]).toBeDefined();
    expect(refs[1]).toBe(refs[0]);
    expect(pdus.map((pdu) => findTlv(pdu.tlvs, 'sar_total_segments'))).toEqual([2, 2]);
    expect(pdus.map((pdu) => findTlv(pdu.tlvs, 'sar_segment_seqnum'))).toEqual([1, 2]);
    expect(pdus.map((pdu) => pdu.esmClass)).toEqual([0, 0]);
    expect(Buffer.from(pdus.flatMap((pdu) => [...pdu.shortMessage])).toString('latin1')).toBe('y'.repeat(200));
  });

  it('sends the whole body in message_payload in payload mode', async () => {
    const h = await bound({ settings: { longMessages: 'payload' } });
    const result = await h.carrier.submit(request('z'.repeat(400)));
    expect(result.carrierMessageIds).toEqual(['1']);
    const [pdu] = submits(h.peer);
    expect(submits(h.peer)).toHaveLength(1);
    expect(pdu?.shortMessage.length).toBe(0);
    expect(Buffer.from(findTlv(pdu?.tlvs ?? [], 'message_payload') ?? []).toString('latin1')).toBe('z'.repeat(400));
  });

  it('maps a permanent status to a non-retryable error naming it', async () => {
    const h = await bound({
      script: (pdu, connection) => {
        if (pdu.command !== 'submit_sm') return false;
        connection.send({
          command: 'submit_sm_resp',
          sequenceNumber: pdu.sequenceNumber,
          status: COMMAND_STATUS.ESME_RINVDSTADR,
          tlvs: [],
          messageId: '',
        });
        return true;
      },
    });
    const error = await h.carrier.submit(request('hi')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CarrierError);
    expect(error).toMatchObject({ code: 'smpp_esme_rinvdstadr', retryable: false });
    expect((error as CarrierError).message).toContain('ESME_RINVDSTADR');
  });

  it('maps a transient status to a retryable error', async () => {
    const h = await bound({
      script: (pdu, connection) => {
        if (pdu.command !== 'submit_sm') return false;
        connection.send({ command: 'submit_sm_resp', sequenceNumber: pdu.sequenceNumber, status: COMMAND_STATUS.ESME_RSYSERR, tlvs: [], messageId: '' });
        return true;
      },
    });
    await expect(h.carrier.submit(request('hi'))).rejects.toMatchObject({ code: 'smpp_esme_rsyserr', retryable: true });
  });

  it('treats a missing response as an unknown outcome, never retried', async () => {
    const h = await bound({ script: (pdu) => pdu.command === 'submit_sm' });
    await expect(h.carrier.submit(request('hi'))).rejects.toMatchObject({ code: 'submit_outcome_unknown', retryable: false });
  });

  it('fails a multipart message whose later part is refused, keeping the accepted ids', async () => {
    let count = 0;
    const h = await bound({
      script: (pdu, connection) => {
        if (pdu.command !== 'submit_sm') return false;
        count += 1;
        if (count < 2) return false;
        connection.send({ command: 'submit_sm_resp', sequenceNumber: pdu.sequenceNumber, status: COMMAND_STATUS.ESME_RSYSERR, tlvs: [], messageId: '' });
        return true;
      },
    });
    const error = await h.carrier.submit(request('w'.repeat(200))).catch((e: unknown) => e);
    // Transient on its own, but retrying would resend part 1.
    expect(error).toMatchObject({ code: 'smpp_esme_rsyserr', retryable: false });
    expect((error as CarrierError).message).toContain('ids 1');
  });
});

describe('SmppCarrier deliver_sm', () => {
  function deliver(h: Harness, pdu: Pdu): void {
    const connection = h.peer.connections.at(-1);
    if (!connection) throw new Error('no connection');
    connection.send(pdu);
  }

  function deliverResponses(h: Harness): Pdu[] {
    return h.peer.received.filter((pdu) => pdu.command === 'deliver_sm_resp');
  }

  it('hands a final receipt to the sink and acknowledges it', async () => {
    const h = await bound();
    deliver(h, {
      ...deliverSm(7, 'id:ABC123 sub:001 dlvrd:001 submit date:2601011200 done date:2601011201 stat:DELIVRD err:000 text:hi'),
      esmClass: 0x04,
    });
    await waitFor(() => deliverResponses(h).length === 1);
    expect(h.receipts).toMatchObject([{ carrierId: 'car_1', carrierMessageId: 'ABC123', status: 'delivered', errorCode: null }]);
    expect(deliverResponses(h)[0]).toMatchObject({ sequenceNumber: 7, status: 0 });
    expect(h.inbound).toEqual([]);
  });

  it('prefers the receipt TLVs and acknowledges non-final states without reporting them', async () => {
    const h = await bound();
    deliver(h, { ...deliverSm(8, 'id:X stat:ENROUTE'), esmClass: 0x04 });
    deliver(h, {
      ...deliverSm(9, ''),
      esmClass: 0x04,
      tlvs: [tlv('receipted_message_id', 'FF01'), tlv('message_state', 5)],
    });
    await waitFor(() => deliverResponses(h).length === 2);
    expect(h.receipts).toMatchObject([{ carrierMessageId: 'FF01', status: 'undelivered' }]);
  });

  it('turns a text from a handset into an inbound message', async () => {
    const h = await bound();
    deliver(h, { ...deliverSm(10, 'Hi there'), destAddrTon: 1, destinationAddr: '15550001111' });
    await waitFor(() => h.inbound.length === 1);
    expect(h.inbound[0]).toMatchObject({
      carrierId: 'car_1',
      from: '+15550001111',
      to: '+15550001111',
      body: 'Hi there',
      carrierMessageId: null,
    });
    expect(h.inbound[0]?.concat).toBeUndefined();
  });

  it('reads data_coding 0 as the configured SMSC default alphabet', async () => {
    // "Café" in Latin-1: é is 0xE9, which GSM 03.38 would read as something else entirely.
    const latin1 = Uint8Array.from([0x43, 0x61, 0x66, 0xe9]);
    const gsm = await bound();
    deliver(gsm, { ...deliverSm(20, ''), dataCoding: 0, shortMessage: Uint8Array.from([0x43, 0x61, 0x66, 0x05]) });
    await waitFor(() => gsm.inbound.length === 1);
    expect(gsm.inbound[0]?.body).toBe('Café');
    const h = await bound({ settings: { smscDefaultAlphabet: 'latin1' } });
    deliver(h, { ...deliverSm(21, ''), dataCoding: 0, shortMessage: latin1 });
    await waitFor(() => h.inbound.length === 1);
    expect(h.inbound[0]?.body).toBe('Café');
  });

  it('reads a UDH part, a SAR part and a message_payload text', async () => {
    const h = await bound();
    const udh = [0x05, 0x00, 0x03, 0x2a, 0x02, 0x01];
    deliver(h, { ...deliverSm(11, ''), esmClass: 0x40, shortMessage: Uint8Array.from([...udh, ...Buffer.from('part one')]) });
    await waitFor(() => h.inbound.length === 1);
    deliver(h, {
      ...deliverSm(12, 'sar part'),
      tlvs: [tlv('sar_msg_ref_num', 300), tlv('sar_total_segments', 2), tlv('sar_segment_seqnum', 2)],
    });
    await waitFor(() => h.inbound.length === 2);
    deliver(h, { ...deliverSm(13, ''), dataCoding: 8, tlvs: [tlv('message_payload', Buffer.from('ok ✓', 'utf16le').swap16())] });
    await waitFor(() => h.inbound.length === 3);
    expect(h.inbound.map((sms) => [sms.body, sms.concat])).toEqual([
      ['part one', { reference: 0x2a, total: 2, sequence: 1 }],
      ['sar part', { reference: 300, total: 2, sequence: 2 }],
      ['ok ✓', undefined],
    ]);
  });

  it('answers 0x64 when the sink throws, so the SMSC redelivers', async () => {
    const h = await bound({ sinkFails: true });
    deliver(h, deliverSm(14, 'will fail'));
    await waitFor(() => deliverResponses(h).length === 1);
    expect(deliverResponses(h)[0]).toMatchObject({ sequenceNumber: 14, status: COMMAND_STATUS.ESME_RX_T_APPN });
  });
});
