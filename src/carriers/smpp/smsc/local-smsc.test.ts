import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeShortMessage, encodeForCarrier } from '../../../domain/sms-wire-codec.js';
import { COMMAND_STATUS, encodePdu, findTlv, submitSm as buildSubmitSm, tlv, type Pdu, type SubmitSm } from '../pdu/index.js';
import { LocalSmsc, type LocalSmscOptions } from './local-smsc.js';
import { RawEsme } from './raw-esme-client.js';

const S = COMMAND_STATUS;

function submitSm(sequenceNumber: number, overrides: Partial<SubmitSm> = {}): SubmitSm {
  return buildSubmitSm({
    sequenceNumber,
    sourceAddr: '12015550100',
    destinationAddr: '12015550123',
    shortMessage: encodeForCarrier('Hello from Parley', 'gsm7').bytes,
    ...overrides,
  });
}

let smsc: LocalSmsc;
const clients: RawEsme[] = [];

async function start(options: LocalSmscOptions = {}): Promise<number> {
  smsc = new LocalSmsc({ port: 0, receiptDelayMs: 20, ...options });
  return smsc.listen();
}

async function client(port: number): Promise<RawEsme> {
  const esme = await RawEsme.connect(port);
  clients.push(esme);
  return esme;
}

async function boundClient(port: number, mode: 'transmitter' | 'receiver' | 'transceiver' = 'transceiver'): Promise<RawEsme> {
  const esme = await client(port);
  const resp = await esme.bind(mode);
  expect(resp.status).toBe(0);
  return esme;
}

async function submit(esme: RawEsme, overrides: Partial<SubmitSm> = {}): Promise<Extract<Pdu, { command: 'submit_sm_resp' }>> {
  const seq = esme.sequence();
  esme.send(submitSm(seq, overrides));
  return esme.next('submit_sm_resp', seq);
}

function text(pdu: Extract<Pdu, { command: 'deliver_sm' }>): string {
  return decodeShortMessage(pdu.shortMessage, pdu.dataCoding, { udhi: (pdu.esmClass & 0x40) !== 0 }).text;
}

beforeEach(() => {
  clients.length = 0;
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await smsc.close();
});

describe('LocalSmsc binds', () => {
  it('accepts each bind mode with the right credentials and names itself', async () => {
    const port = await start();
    for (const mode of ['transmitter', 'receiver', 'transceiver'] as const) {
      const esme = await client(port);
      const resp = await esme.bind(mode);
      expect(resp.command).toBe(`bind_${mode}_resp`);
      expect(resp.status).toBe(0);
      expect(resp.systemId).toBe('parley-smsc');
      expect(findTlv(resp.tlvs, 'sc_interface_version')).toBe(0x34);
    }
    expect(smsc.boundSessions.map((s) => s.mode).sort()).toEqual(['receiver', 'transceiver', 'transmitter']);
  });

  it('refuses a wrong password with ESME_RINVPASWD and an unknown system id with ESME_RINVSYSID', async () => {
    const port = await start({ accounts: [{ systemId: 'acme', password: 'pw1' }] });
    const failures: number[] = [];
    smsc.on('bind_failed', (info) => failures.push(info.status));
    expect((await (await client(port)).bind('transceiver', 'acme', 'nope')).status).toBe(S.ESME_RINVPASWD);
    expect((await (await client(port)).bind('transceiver', 'parley', 'secret')).status).toBe(S.ESME_RINVSYSID);
    expect((await (await client(port)).bind('transceiver', 'acme', 'pw1')).status).toBe(0);
    expect(failures).toEqual([S.ESME_RINVPASWD, S.ESME_RINVSYSID]);
  });

  it('refuses a second bind on the same connection and submits before binding', async () => {
    const port = await start();
    const esme = await client(port);
    expect((await submit(esme)).status).toBe(S.ESME_RINVBNDSTS);
    await esme.bind('transceiver');
    expect((await esme.bind('transceiver')).status).toBe(S.ESME_RALYBND);
  });

  it('refuses submits on a receiver bind', async () => {
    const port = await start();
    const esme = await boundClient(port, 'receiver');
    expect((await submit(esme)).status).toBe(S.ESME_RINVBNDSTS);
  });

  it('answers enquire_link, and unbind with unbind_resp before closing', async () => {
    const port = await start();
    const esme = await boundClient(port);
    const seq = esme.sequence();
    esme.send({ command: 'enquire_link', sequenceNumber: seq, status: 0, tlvs: [] });
    expect((await esme.next('enquire_link_resp', seq)).status).toBe(0);
    const unbindSeq = esme.sequence();
    esme.send({ command: 'unbind', sequenceNumber: unbindSeq, status: 0, tlvs: [] });
    expect((await esme.next('unbind_resp', unbindSeq)).status).toBe(0);
    await esme.closed;
  });

  it('close() unbinds bound sessions and stops listening', async () => {
    const port = await start();
    const esme = await boundClient(port);
    const closing = smsc.close();
    const unbind = await esme.next('unbind');
    esme.send({ command: 'unbind_resp', sequenceNumber: unbind.sequenceNumber, status: 0, tlvs: [] });
    await closing;
    await esme.closed;
    await expect(RawEsme.connect(port)).rejects.toThrow();
  });
});

describe('LocalSmsc submits and receipts', () => {
  it('acknowledges a submit with a hex id, records it and sends a receipt that the ESME acknowledges', async () => {
    const port = await start({ firstMessageId: 0xabc0 });
    const esme = await boundClient(port);
    const resp = await submit(esme);
    expect(resp.status).toBe(0);
    expect(resp.messageId).toBe('abc0');

    const [message] = await smsc.waitForSubmits(1);
    expect(message).toMatchObject({
      messageId: 'abc0',
      sourceAddr: '12015550100',
      destinationAddr: '12015550123',
      dataCoding: 0,
      esmClass: 0,
      text: 'Hello from Parley',
      udh: null,
      sar: null,
      messagePayload: undefined,
    });

    const receipt = await esme.next('deliver_sm');
    expect(receipt.esmClass).toBe(0x04);
    expect(receipt.sourceAddr).toBe('12015550123');
    expect(receipt.destinationAddr).toBe('12015550100');
    expect(findTlv(receipt.tlvs, 'receipted_message_id')).toBe('abc0');
    expect(findTlv(receipt.tlvs, 'message_state')).toBe(2);
    expect(text(receipt)).toMatch(
      /^id:abc0 sub:001 dlvrd:001 submit date:\d{10} done date:\d{10} stat:DELIVRD err:000 text:Hello from Parley$/,
    );
    const [sent] = await smsc.waitForReceiptResponses(1);
    expect(sent?.responseStatus).toBe(0);
  });

  it('assigns decimal ids when configured', async () => {
    const port = await start({ messageIdFormat: 'decimal', firstMessageId: 500 });
    const esme = await boundClient(port);
    expect((await submit(esme)).messageId).toBe('500');
    expect((await submit(esme)).messageId).toBe('501');
  });

  it('sends no receipt when registered_delivery does not ask for one', async () => {
    const port = await start();
    const esme = await boundClient(port);
    await submit(esme, { registeredDelivery: 0 });
    expect(await esme.quietFor(100)).toBeUndefined();
  });

  it('reports a configured failure outcome, also to ESMEs that asked for failure receipts only', async () => {
    const port = await start({ receiptStat: 'UNDELIV' });
    const esme = await boundClient(port);
    const { messageId } = await submit(esme, { registeredDelivery: 2 });
    const receipt = await esme.next('deliver_sm');
    expect(findTlv(receipt.tlvs, 'message_state')).toBe(5);
    expect(text(receipt)).toMatch(new RegExp(`^id:${messageId} sub:001 dlvrd:000 .* stat:UNDELIV err:001 text:`));
  });

  it('sends the receipt to a receiver of the same system id, holding it until one binds', async () => {
    const port = await start({ receiptDelayMs: 0 });
    const tx = await boundClient(port, 'transmitter');
    const { messageId } = await submit(tx);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const rx = await boundClient(port, 'receiver');
    const receipt = await rx.next('deliver_sm');
    expect(findTlv(receipt.tlvs, 'receipted_message_id')).toBe(messageId);
    expect(await tx.quietFor(50)).toBeUndefined();
  });

  it('records UDH concatenation, SAR TLVs and message_payload, and treats data_sm like submit_sm', async () => {
    const port = await start();
    const esme = await boundClient(port);
    const udh = Uint8Array.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x01]);
    const part = encodeForCarrier('first part', 'gsm7').bytes;
    await submit(esme, { esmClass: 0x40, shortMessage: Uint8Array.from([...udh, ...part]) });
    await submit(esme, {
      shortMessage: encodeForCarrier('sar part', 'gsm7').bytes,
      tlvs: [tlv('sar_msg_ref_num', 7), tlv('sar_total_segments', 3), tlv('sar_segment_seqnum', 2)],
    });
    await submit(esme, { dataCoding: 8, shortMessage: new Uint8Array(0), tlvs: [tlv('message_payload', encodeForCarrier('¡Olé! ☺', 'ucs2').bytes)] });
    const seq = esme.sequence();
    esme.send({
      command: 'data_sm',
      sequenceNumber: seq,
      status: 0,
      tlvs: [tlv('message_payload', encodeForCarrier('data sm', 'gsm7').bytes)],
      serviceType: '',
      sourceAddrTon: 5,
      sourceAddrNpi: 0,
      sourceAddr: 'Parley',
      destAddrTon: 1,
      destAddrNpi: 1,
      destinationAddr: '12015550123',
      esmClass: 0,
      registeredDelivery: 0,
      dataCoding: 0,
    });
    const dataResp = await esme.next('data_sm_resp', seq);
    expect(dataResp.status).toBe(0);
    expect(dataResp.messageId).not.toBe('');

    const [udhMessage, sarMessage, payloadMessage, dataMessage] = await smsc.waitForSubmits(4);
    expect(udhMessage?.text).toBe('first part');
    expect(udhMessage?.concatenation).toMatchObject({ reference: 0x2a, total: 2, sequence: 1 });
    expect(sarMessage?.sar).toEqual({ reference: 7, total: 3, sequence: 2 });
    expect(payloadMessage?.text).toBe('¡Olé! ☺');
    expect(payloadMessage?.messagePayload).toBeInstanceOf(Uint8Array);
    expect(dataMessage).toMatchObject({ command: 'data_sm', text: 'data sm', sourceAddr: 'Parley', sourceAddrTon: 5 });
  });

  it('answers query_sm with the message state and cancels a message still en route', async () => {
    const port = await start({ receiptDelayMs: 200 });
    const esme = await boundClient(port);
    const first = await submit(esme);
    const cancelSeq = esme.sequence();
    esme.send({
      command: 'cancel_sm',
      sequenceNumber: cancelSeq,
      status: 0,
      tlvs: [],
      serviceType: '',
      messageId: first.messageId,
      sourceAddrTon: 1,
      sourceAddrNpi: 1,
      sourceAddr: '12015550100',
      destAddrTon: 1,
      destAddrNpi: 1,
      destinationAddr: '12015550123',
    });
    expect((await esme.next('cancel_sm_resp', cancelSeq)).status).toBe(0);

    const query = async (messageId: string): Promise<Extract<Pdu, { command: 'query_sm_resp' }>> => {
      const seq = esme.sequence();
      esme.send({ command: 'query_sm', sequenceNumber: seq, status: 0, tlvs: [], messageId, sourceAddrTon: 1, sourceAddrNpi: 1, sourceAddr: '12015550100' });
      return esme.next('query_sm_resp', seq);
    };
    expect(await query(first.messageId)).toMatchObject({ status: 0, messageState: 4 });
    expect((await query('nope')).status).toBe(S.ESME_RQUERYFAIL);

    const second = await submit(esme);
    expect((await query(second.messageId)).messageState).toBe(1);
    const receipt = await esme.next('deliver_sm', undefined, 2000);
    expect(findTlv(receipt.tlvs, 'receipted_message_id')).toBe(second.messageId);
    const delivered = await query(second.messageId);
    expect(delivered.messageState).toBe(2);
    expect(delivered.finalDate).toMatch(/^\d{13}00\+$/);
  });
});

describe('LocalSmsc handset (mobile-originated) messages', () => {
  it('sends a single GSM-7 text as one deliver_sm with data_coding 0', async () => {
    const port = await start();
    const esme = await boundClient(port);
    const sending = smsc.sendFromHandset({ from: '+12015550123', to: '+12015550100', text: 'Yes, see you at 5 @ the café' });
    const pdu = await esme.next('deliver_sm');
    expect(pdu).toMatchObject({ esmClass: 0, dataCoding: 0, sourceAddr: '12015550123', sourceAddrTon: 1, destinationAddr: '12015550100' });
    expect(text(pdu)).toBe('Yes, see you at 5 @ the café');
    expect(await sending).toMatchObject({ parts: 1, statuses: [0] });
  });

  it('splits a long UCS-2 text into UDH-concatenated parts that reassemble to the text', async () => {
    const port = await start();
    const esme = await boundClient(port, 'receiver');
    const body = 'Привет! '.repeat(20);
    const sending = smsc.sendFromHandset({ from: '+12015550123', to: '+12015550100', text: body });
    const result = await sending;
    expect(result.parts).toBeGreaterThan(1);
    expect(result.statuses.every((s) => s === 0)).toBe(true);
    const parts = [];
    for (let i = 0; i < result.parts; i++) {
      const pdu = await esme.next('deliver_sm');
      expect(pdu.esmClass & 0x40).toBe(0x40);
      expect(pdu.dataCoding).toBe(8);
      parts.push(decodeShortMessage(pdu.shortMessage, pdu.dataCoding, { udhi: true }));
    }
    parts.sort((a, b) => (a.concatenation?.sequence ?? 0) - (b.concatenation?.sequence ?? 0));
    expect(parts.map((p) => p.concatenation?.total)).toEqual(parts.map(() => result.parts));
    expect(parts.map((p) => p.text).join('')).toBe(body);
  });

  it('reports the ESME’s deliver_sm_resp status and refuses when no receiver is bound', async () => {
    const port = await start();
    await expect(smsc.sendFromHandset({ from: '+12015550123', to: '+12015550100', text: 'hi' })).rejects.toThrow(/no receiver/);
    await boundClient(port, 'transmitter');
    await expect(smsc.sendFromHandset({ from: '+12015550123', to: '+12015550100', text: 'hi' })).rejects.toThrow(/no receiver/);
    const rx = await boundClient(port, 'receiver');
    rx.ackStatus = S.ESME_RX_T_APPN;
    expect((await smsc.sendFromHandset({ from: '+12015550123', to: '+12015550100', text: 'hi' })).statuses).toEqual([S.ESME_RX_T_APPN]);
  });
});

describe('LocalSmsc fault injection', () => {
  it('throttles the next N submits with ESME_RTHROTTLED, then accepts', async () => {
    const port = await start();
    const esme = await boundClient(port);
    smsc.injectFault({ kind: 'throttle', count: 2 });
    expect((await submit(esme)).status).toBe(S.ESME_RTHROTTLED);
    expect((await submit(esme)).status).toBe(S.ESME_RTHROTTLED);
    expect((await submit(esme)).status).toBe(0);
    expect(smsc.attempts.map((m) => m.fault)).toEqual(['throttle', 'throttle', null]);
    expect(smsc.received).toHaveLength(1);
  });

  it('answers queue full and a chosen rejection status, in rule order', async () => {
    const port = await start();
    const esme = await boundClient(port);
    smsc.injectFault({ kind: 'queue_full' });
    smsc.injectFault({ kind: 'reject', status: S.ESME_RINVDSTADR });
    const first = await submit(esme);
    const second = await submit(esme);
    expect([first.status, second.status]).toEqual([S.ESME_RMSGQFUL, S.ESME_RINVDSTADR]);
    expect(first.messageId).toBe('');
    expect(await esme.quietFor(60)).toBeUndefined();
  });

  it('delays the response', async () => {
    const port = await start();
    const esme = await boundClient(port);
    smsc.injectFault({ kind: 'delay', ms: 150 });
    const started = Date.now();
    const resp = await submit(esme);
    expect(resp.status).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('drops the response but still accepts the message and sends its receipt', async () => {
    const port = await start();
    const esme = await boundClient(port);
    smsc.injectFault({ kind: 'drop_response' });
    const seq = esme.sequence();
    esme.send(submitSm(seq));
    const receipt = await esme.next('deliver_sm');
    const [message] = await smsc.waitForSubmits(1);
    expect(findTlv(receipt.tlvs, 'receipted_message_id')).toBe(message?.messageId);
    await expect(esme.next('submit_sm_resp', seq, 100)).rejects.toThrow();
  });

  it('drops the connection instead of answering', async () => {
    const port = await start();
    const esme = await boundClient(port);
    smsc.injectFault({ kind: 'drop_connection' });
    esme.send(submitSm(esme.sequence()));
    await esme.closed;
    expect(smsc.received).toHaveLength(0);
  });

  it('sends garbage bytes that break the ESME’s framing', async () => {
    const port = await start();
    const esme = await boundClient(port);
    smsc.injectFault({ kind: 'garbage' });
    esme.send(submitSm(esme.sequence()));
    const event = await esme.nextEvent();
    expect(event.type).toBe('fatal');
  });
});

describe('LocalSmsc invalid input', () => {
  it('answers an unknown command with generic_nack ESME_RINVCMDID', async () => {
    const port = await start();
    const esme = await boundClient(port);
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, 16);
    view.setUint32(4, 0x00000099);
    view.setUint32(12, 77);
    esme.sendBytes(bytes);
    const nack = await esme.next('generic_nack', 77);
    expect(nack.status).toBe(S.ESME_RINVCMDID);
    // The session survives a well-framed bad PDU.
    expect((await submit(esme)).status).toBe(0);
  });

  it('answers a malformed submit_sm with an error submit_sm_resp', async () => {
    const port = await start();
    const esme = await boundClient(port);
    const full = encodePdu(submitSm(55));
    const cut = full.slice(0, 20);
    new DataView(cut.buffer).setUint32(0, cut.length);
    esme.sendBytes(cut);
    const resp = await esme.next('submit_sm_resp', 55);
    expect(resp.status).not.toBe(0);
  });

  it('answers a framing error with generic_nack and closes the connection', async () => {
    const port = await start();
    const esme = await boundClient(port);
    esme.sendBytes(Uint8Array.from([0x00, 0x00, 0x00, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    const nack = await esme.next('generic_nack');
    expect(nack.status).toBe(S.ESME_RINVCMDLEN);
    await esme.closed;
  });
});
