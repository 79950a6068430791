import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_STATUS } from './command-status.js';
import { decodePdu, encodePdu } from './pdu-codec.js';
import { COMMAND_IDS, type Pdu, type SubmitSm } from './pdu-definitions.js';
import { COMMAND_NAMES, pduArb } from './pdu-arbitraries.js';
import { PduEncodeError, findTlv, tlv } from './tlv.js';

/** "00 00 00 10 …" → bytes; the vectors below are written by hand from the spec's layouts. */
function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function decodeOk(bytes: Uint8Array): Pdu {
  const result = decodePdu(bytes);
  if (!result.ok) throw new Error(`expected a PDU, got ${result.error.message}`);
  return result.pdu;
}

function decodeErr(bytes: Uint8Array) {
  const result = decodePdu(bytes);
  if (result.ok) throw new Error(`expected an error, got ${result.pdu.command}`);
  return result.error;
}

const submitSm: SubmitSm = {
  command: 'submit_sm',
  sequenceNumber: 2,
  status: 0,
  serviceType: '',
  sourceAddrTon: 5,
  sourceAddrNpi: 0,
  sourceAddr: 'Parley',
  destAddrTon: 1,
  destAddrNpi: 1,
  destinationAddr: '15551234567',
  esmClass: 0,
  protocolId: 0,
  priorityFlag: 0,
  scheduleDeliveryTime: '',
  validityPeriod: '',
  registeredDelivery: 1,
  replaceIfPresentFlag: 0,
  dataCoding: 0,
  smDefaultMsgId: 0,
  shortMessage: ascii('Hi'),
  tlvs: [],
};

const SUBMIT_SM_BYTES = hex(`
  00000034 00000004 00000000 00000002
  00
  05 00 506172 6c6579 00
  01 01 3135 3535 3132 3334 3536 37 00
  00 00 00
  00
  00
  01 00 00 00
  02 4869`);

describe('known byte vectors', () => {
  it('enquire_link', () => {
    const pdu: Pdu = { command: 'enquire_link', sequenceNumber: 1, status: 0, tlvs: [] };
    const bytes = hex('00000010 00000015 00000000 00000001');
    expect(encodePdu(pdu)).toEqual(bytes);
    expect(decodeOk(bytes)).toEqual(pdu);
  });

  it('enquire_link_resp and generic_nack carry the response bit', () => {
    expect(encodePdu({ command: 'enquire_link_resp', sequenceNumber: 7, status: 0, tlvs: [] })).toEqual(
      hex('00000010 80000015 00000000 00000007'),
    );
    expect(encodePdu({ command: 'generic_nack', sequenceNumber: 9, status: COMMAND_STATUS.ESME_RINVCMDID, tlvs: [] })).toEqual(
      hex('00000010 80000000 00000003 00000009'),
    );
  });

  it('bind_transceiver', () => {
    const bytes = hex(`
      00000023 00000009 00000000 00000001
      706172 6c6579 00
      736563 726574 00
      00
      34 00 00
      00`);
    const pdu: Pdu = {
      command: 'bind_transceiver',
      sequenceNumber: 1,
      status: 0,
      systemId: 'parley',
      password: 'secret',
      systemType: '',
      interfaceVersion: 0x34,
      addrTon: 0,
      addrNpi: 0,
      addressRange: '',
      tlvs: [],
    };
    expect(encodePdu(pdu)).toEqual(bytes);
    expect(decodeOk(bytes)).toEqual(pdu);
  });

  it('submit_sm with a 2-octet short_message', () => {
    expect(encodePdu(submitSm)).toEqual(SUBMIT_SM_BYTES);
    expect(decodeOk(SUBMIT_SM_BYTES)).toEqual(submitSm);
  });

  it('submit_sm_resp with a message id', () => {
    const bytes = hex('00000015 80000004 00000000 00000002 31613262 00');
    const pdu: Pdu = { command: 'submit_sm_resp', sequenceNumber: 2, status: 0, messageId: '1a2b', tlvs: [] };
    expect(encodePdu(pdu)).toEqual(bytes);
    expect(decodeOk(bytes)).toEqual(pdu);
  });

  it('deliver_sm receipt with receipted_message_id, message_state and network_error_code TLVs', () => {
    const bytes = hex(`
      00000039 00000005 00000000 0000000a
      00 01 01 3132 00 05 00 50 00
      04 00 00 00 00 00 00 00 00 00
      001e 0005 61626364 00
      0427 0001 02
      0423 0003 03 0001`);
    const pdu = decodeOk(bytes);
    expect(pdu).toMatchObject({ command: 'deliver_sm', sourceAddr: '12', destinationAddr: 'P', esmClass: 4, shortMessage: new Uint8Array(0) });
    expect(findTlv(pdu.tlvs, 'receipted_message_id')).toBe('abcd');
    expect(findTlv(pdu.tlvs, 'message_state')).toBe(2);
    expect(findTlv(pdu.tlvs, 'network_error_code')).toEqual({ networkType: 3, errorCode: 1 });
    expect(encodePdu(pdu)).toEqual(bytes);
  });

  it('keeps an unknown (vendor) TLV raw and re-encodes it unchanged', () => {
    // submit_sm_resp: message_id "" then vendor TLV 0x1401 with 4 octets.
    const bytes = hex('00000019 80000004 00000000 00000003 00 1401 0004 deadbeef');
    const pdu = decodeOk(bytes);
    expect(pdu.tlvs).toEqual([{ name: 'raw', tag: 0x1401, value: hex('deadbeef') }]);
    expect(encodePdu(pdu)).toEqual(bytes);
  });

  it('reads receipted_message_id sent without its NUL (a common SMSC habit)', () => {
    // data_sm_resp: message_id "" then receipted_message_id "abcd" with no terminator.
    const bytes = hex('00000019 80000103 00000000 00000004 00 001e 0004 61626364');
    expect(findTlv(decodeOk(bytes).tlvs, 'receipted_message_id')).toBe('abcd');
  });

  it('accepts a failed response without a body (§4.4.2)', () => {
    const pdu = decodeOk(hex('00000010 80000004 00000045 00000005'));
    expect(pdu).toEqual({ command: 'submit_sm_resp', sequenceNumber: 5, status: 0x45, messageId: '', tlvs: [] });
    const bind = decodeOk(hex('00000010 80000009 0000000e 00000001'));
    expect(bind).toMatchObject({ command: 'bind_transceiver_resp', status: COMMAND_STATUS.ESME_RINVPASWD, systemId: '' });
  });

  it('has the command ids of §5.1.2.1', () => {
    expect(COMMAND_IDS).toMatchObject({
      bind_receiver: 0x1,
      bind_transmitter: 0x2,
      query_sm: 0x3,
      submit_sm: 0x4,
      deliver_sm: 0x5,
      unbind: 0x6,
      cancel_sm: 0x8,
      bind_transceiver: 0x9,
      outbind: 0xb,
      enquire_link: 0x15,
      alert_notification: 0x102,
      data_sm: 0x103,
      generic_nack: 0x80000000,
      submit_sm_resp: 0x80000004,
      data_sm_resp: 0x80000103,
    });
  });
});

describe('malformed bodies become typed errors with the status to answer with', () => {
  function withLength(bytes: Uint8Array): Uint8Array {
    const copy = bytes.slice();
    new DataView(copy.buffer).setUint32(0, copy.length);
    return copy;
  }

  it('unknown command id → ESME_RINVCMDID with the sequence number', () => {
    const error = decodeErr(hex('00000010 00000099 00000000 0000002a'));
    expect(error).toMatchObject({ reason: 'unknown_command', commandStatus: COMMAND_STATUS.ESME_RINVCMDID, sequenceNumber: 42, commandId: 0x99 });
  });

  it('sm_length beyond the body → ESME_RINVMSGLEN', () => {
    const bytes = SUBMIT_SM_BYTES.slice();
    bytes[bytes.length - 3] = 3; // sm_length 3, only 2 octets follow
    expect(decodeErr(bytes)).toMatchObject({ reason: 'invalid_sm_length', commandStatus: COMMAND_STATUS.ESME_RINVMSGLEN, sequenceNumber: 2 });
  });

  it('a source_addr longer than 20 characters → ESME_RINVSRCADR', () => {
    const long = encodePdu({ ...submitSm, sourceAddr: 'x'.repeat(20) });
    const at = long.indexOf(0x78);
    const bytes = withLength(new Uint8Array([...long.subarray(0, at), 0x78, ...long.subarray(at)]));
    expect(decodeErr(bytes)).toMatchObject({ reason: 'field_too_long', field: 'sourceAddr', commandStatus: COMMAND_STATUS.ESME_RINVSRCADR });
  });

  it('a C-Octet String that runs off the end → ESME_RINVCMDLEN', () => {
    const bytes = withLength(hex('00000000 80000004 00000000 00000001 3132'));
    expect(decodeErr(bytes)).toMatchObject({ reason: 'truncated', field: 'messageId', commandStatus: COMMAND_STATUS.ESME_RINVCMDLEN });
  });

  it('a body that stops before a mandatory field → ESME_RINVCMDLEN', () => {
    const bytes = withLength(SUBMIT_SM_BYTES.subarray(0, 30));
    expect(decodeErr(bytes)).toMatchObject({ reason: 'truncated', commandStatus: COMMAND_STATUS.ESME_RINVCMDLEN });
  });

  it('a truncated TLV → ESME_RINVOPTPARSTREAM', () => {
    const bytes = withLength(new Uint8Array([...SUBMIT_SM_BYTES, 0x04, 0x24, 0x00, 0x10, 0x41]));
    expect(decodeErr(bytes)).toMatchObject({ reason: 'invalid_tlv', commandStatus: COMMAND_STATUS.ESME_RINVOPTPARSTREAM });
    const stray = withLength(new Uint8Array([...SUBMIT_SM_BYTES, 0x04, 0x24]));
    expect(decodeErr(stray)).toMatchObject({ reason: 'invalid_tlv', commandStatus: COMMAND_STATUS.ESME_RINVOPTPARSTREAM });
  });

  it('a known TLV of the wrong length → ESME_RINVPARLEN', () => {
    const bytes = withLength(new Uint8Array([...SUBMIT_SM_BYTES, 0x02, 0x0c, 0x00, 0x01, 0x07]));
    expect(decodeErr(bytes)).toMatchObject({ reason: 'invalid_tlv', field: 'sar_msg_ref_num', commandStatus: COMMAND_STATUS.ESME_RINVPARLEN });
  });

  it('a buffer whose length disagrees with command_length is reported, not thrown', () => {
    expect(decodeErr(hex('00000011 00000015 00000000 00000001'))).toMatchObject({ reason: 'length_mismatch' });
    expect(decodeErr(new Uint8Array(3))).toMatchObject({ reason: 'length_mismatch' });
  });
});

describe('encoding refuses what the wire cannot carry', () => {
  it.each([
    ['a field over its maximum', { ...submitSm, destinationAddr: '1'.repeat(21) }],
    ['a NUL inside a C-Octet String', { ...submitSm, sourceAddr: 'a\u0000b' }],
    ['a non-Latin-1 character', { ...submitSm, sourceAddr: 'Zoë€' }],
    ['an integer out of range', { ...submitSm, dataCoding: 256 }],
    ['a short_message over 254 octets', { ...submitSm, shortMessage: new Uint8Array(255) }],
    ['a sequence number over 32 bits', { ...submitSm, sequenceNumber: 2 ** 32 }],
    ['a TLV value out of range', { ...submitSm, tlvs: [tlv('sar_total_segments', 300)] }],
  ])('%s', (_label, pdu) => {
    expect(() => encodePdu(pdu as Pdu)).toThrow(PduEncodeError);
  });
});

describe('round trip: decode(encode(pdu)) equals pdu', () => {
  it.each(COMMAND_NAMES)('%s without TLVs', (command) => {
    fc.assert(
      fc.property(pduArb(command, { withTlvs: false }), (pdu) => {
        expect(decodeOk(encodePdu(pdu))).toEqual(pdu);
      }),
      { numRuns: 100 },
    );
  });

  it.each(COMMAND_NAMES)('%s with known and raw TLVs', (command) => {
    fc.assert(
      fc.property(pduArb(command), (pdu) => {
        const bytes = encodePdu(pdu);
        const decoded = decodeOk(bytes);
        expect(decoded).toEqual(pdu);
        // And byte-exact the other way: what we read we write back identically.
        expect(encodePdu(decoded)).toEqual(bytes);
      }),
      { numRuns: 100 },
    );
  });

  it('a submit_sm with SAR TLVs and a long message_payload', () => {
    const payload = new Uint8Array(2000).map((_, i) => i & 0xff);
    const pdu: Pdu = {
      ...submitSm,
      shortMessage: new Uint8Array(0),
      tlvs: [tlv('sar_msg_ref_num', 0xbeef), tlv('sar_total_segments', 3), tlv('sar_segment_seqnum', 2), tlv('message_payload', payload)],
    };
    const decoded = decodeOk(encodePdu(pdu));
    expect(decoded).toEqual(pdu);
    expect(findTlv(decoded.tlvs, 'message_payload')).toEqual(payload);
    expect(findTlv(decoded.tlvs, 'sar_msg_ref_num')).toBe(0xbeef);
  });
});
