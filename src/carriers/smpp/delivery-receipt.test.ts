import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDeliveryReceipt, toDeliveryReceipt, type ParsedReceipt, type ReceiptPdu } from './delivery-receipt.js';

const RECEIPT = 0x04;

function parsed(pdu: Partial<ReceiptPdu> & { text: string }): ParsedReceipt {
  const result = parseDeliveryReceipt({ esmClass: RECEIPT, ...pdu });
  if (result.kind !== 'receipt') throw new Error(`expected a receipt, got ${JSON.stringify(result)}`);
  return result;
}

describe('parseDeliveryReceipt', () => {
  it('reads the de-facto format', () => {
    const text = 'id:0123456789 sub:001 dlvrd:001 submit date:2401311205 done date:2401311206 stat:DELIVRD err:000 text:Your appt';
    expect(parseDeliveryReceipt({ esmClass: RECEIPT, text })).toEqual({
      kind: 'receipt',
      messageType: 'smsc_delivery_receipt',
      messageId: '0123456789',
      state: 'delivered',
      final: true,
      errorCode: null,
      submitDate: '2024-01-31T12:05',
      doneDate: '2024-01-31T12:06',
      submitted: 1,
      delivered: 1,
      text: 'Your appt',
      raw: text,
    });
  });

  it('reads variations seen in the wild', () => {
    const variants: Array<[string, Partial<ParsedReceipt>]> = [
      ['ID:ABCDEF01 SUB:1 DLVRD:0 SUBMIT DATE:2401311205 DONE DATE:2401311305 STAT:UNDELIV ERR:011 TEXT:hi', {
        messageId: 'ABCDEF01', state: 'undelivered', final: true, errorCode: 'smpp_err_0x0b',
      }],
      ['id:  7e0f1c2a-1b2c-4d5e   sub:001  dlvrd:001   submit_date:240131120501 done_date:240131120559 stat:DELIVRD err:0', {
        messageId: '7e0f1c2a-1b2c-4d5e', state: 'delivered', submitDate: '2024-01-31T12:05:01', doneDate: '2024-01-31T12:05:59',
      }],
      ['id:42 stat:EXPIRED', { messageId: '42', state: 'expired', final: true, errorCode: null }],
      ['id:42 stat:DELETED err:0B', { state: 'deleted', final: true, errorCode: 'smpp_err_0x0b' }],
      ['id:42 stat:REJECTD err:001', { state: 'rejected', final: true, errorCode: 'smpp_err_0x01' }],
      ['id:42 stat:ACCEPTD', { state: 'accepted', final: false }],
      ['id:42 stat:ENROUTE', { state: 'enroute', final: false }],
      ['id:42 stat:UNKNOWN', { state: 'unknown', final: false }],
      ['id:42 stat:DELIVERED', { state: 'delivered', final: true }],
      ['id:42 stat:UNDELIVERABLE', { state: 'undelivered', final: true }],
      ['id:42 stat:2', { state: 'delivered', final: true }],
      ['id:42 stat:5', { state: 'undelivered', final: true }],
      ['id:42 stat:WHATEVER', { state: 'unknown', final: false }],
      ['id:42', { state: 'unknown', final: false }],
      ['id:42 submitdate:2413011205 done date:24013112', { submitDate: undefined, doneDate: undefined }],
      ['id:42 stat:DELIVRD Text:Meet at 10:30: bring id: card stat:UNDELIV', {
        state: 'delivered', text: 'Meet at 10:30: bring id: card stat:UNDELIV',
      }],
      ['stat:DELIVRD id:0x1F err:', { messageId: '0x1F', state: 'delivered', errorCode: null }],
    ];
    for (const [text, expected] of variants) {
      const result = parsed({ text });
      // undefined in `expected` means "absent": an out-of-range date is dropped, not guessed.
      for (const [key, value] of Object.entries(expected)) {
        expect(result[key as keyof ParsedReceipt], `${text} → ${key}`).toEqual(value);
      }
    }
  });

  it('prefers receipted_message_id and message_state TLVs over the text', () => {
    const result = parsed({
      text: 'id:1234 sub:001 dlvrd:000 submit date:2401311205 done date:2401311206 stat:DELIVRD err:000 text:x',
      tlvs: { receiptedMessageId: '4D2\0', messageState: 5, networkErrorCode: Uint8Array.of(3, 0x00, 0x22) },
    });
    expect(result).toMatchObject({ messageId: '4D2', state: 'undelivered', final: true, errorCode: 'gsm_err_0x0022' });
  });

  it('reads a receipt from TLVs alone, even with esm_class 0 and no text', () => {
    const result = parseDeliveryReceipt({ esmClass: 0, text: '', tlvs: { receiptedMessageId: 'abc', messageState: 2 } });
    expect(result).toMatchObject({ kind: 'receipt', messageId: 'abc', state: 'delivered', final: true, raw: '' });
  });

  it('recognises the receipt and acknowledgement message types of esm_class', () => {
    expect(parsed({ esmClass: 0x08, text: 'id:1 stat:DELIVRD' }).messageType).toBe('sme_delivery_ack');
    expect(parsed({ esmClass: 0x10, text: 'id:1 stat:DELIVRD' }).messageType).toBe('sme_manual_ack');
    // Mode bits (0–1) and GSM bits (6–7) do not change the type.
    expect(parsed({ esmClass: 0x04 | 0x40 | 0x03, text: 'id:1 stat:DELIVRD' }).messageType).toBe('smsc_delivery_receipt');
    // An intermediate notification is progress, never the outcome, whatever stat says.
    expect(parsed({ esmClass: 0x20, text: 'id:1 stat:DELIVRD' })).toMatchObject({
      messageType: 'intermediate_notification',
      state: 'delivered',
      final: false,
    });
  });

  it('says "not a receipt" for a handset\'s text, keeping it', () => {
    expect(parseDeliveryReceipt({ esmClass: 0, text: 'id:1 stat:DELIVRD' })).toEqual({
      kind: 'not_receipt',
      esmMessageType: 0,
      raw: 'id:1 stat:DELIVRD',
    });
    expect(parseDeliveryReceipt({ esmClass: 0x40, text: 'Yes please' })).toMatchObject({ kind: 'not_receipt' });
  });

  it('keeps a receipt that names no message as unparseable', () => {
    expect(parseDeliveryReceipt({ esmClass: RECEIPT, text: 'stat:DELIVRD err:000' })).toEqual({
      kind: 'unparseable_receipt',
      reason: 'no message id in the TLVs or the text',
      raw: 'stat:DELIVRD err:000',
    });
    expect(parseDeliveryReceipt({ esmClass: RECEIPT, text: 'id: sub:001', tlvs: { receiptedMessageId: '\0' } })).toMatchObject({
      kind: 'unparseable_receipt',
    });
  });

  it('never throws on garbage, and always keeps the raw text', () => {
    const field = fc.constantFrom('id:', 'ID: ', 'sub:', 'dlvrd:', 'submit date:', 'done_date:', 'stat:', 'err:', 'text:', ':', ' ');
    const garbage = fc.array(fc.oneof(field, fc.string({ maxLength: 12 })), { maxLength: 20 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        garbage,
        fc.option(fc.string({ maxLength: 70 }), { nil: undefined }),
        fc.option(fc.integer({ min: -1, max: 300 }), { nil: undefined }),
        fc.option(fc.uint8Array({ maxLength: 5 }), { nil: undefined }),
        (esmClass, text, receiptedMessageId, messageState, networkErrorCode) => {
          const tlvs: ReceiptPdu['tlvs'] = {};
          if (receiptedMessageId !== undefined) tlvs.receiptedMessageId = receiptedMessageId;
          if (messageState !== undefined) tlvs.messageState = messageState;
          if (networkErrorCode !== undefined) tlvs.networkErrorCode = networkErrorCode;
          const result = parseDeliveryReceipt({ esmClass, text, tlvs });
          expect(result.raw).toBe(text);
          if (result.kind === 'receipt') {
            expect(result.messageId.trim()).toBe(result.messageId);
            expect(result.messageId.length).toBeGreaterThan(0);
            if (result.final) expect(['delivered', 'undelivered', 'expired', 'deleted', 'rejected']).toContain(result.state);
          }
        },
      ),
    );
  });
});

describe('toDeliveryReceipt', () => {
  const at = new Date('2024-01-31T12:06:00Z');

  it('reports delivered and failed outcomes to the Carrier port', () => {
    expect(toDeliveryReceipt(parsed({ text: 'id:A1 stat:DELIVRD err:000' }), 'c1', at)).toEqual({
      carrierId: 'c1',
      carrierMessageId: 'A1',
      status: 'delivered',
      errorCode: null,
      raw: 'id:A1 stat:DELIVRD err:000',
      at,
    });
    expect(toDeliveryReceipt(parsed({ text: 'id:A1 stat:UNDELIV err:011' }), 'c1', at)).toMatchObject({
      status: 'undelivered',
      errorCode: 'smpp_err_0x0b',
    });
    expect(toDeliveryReceipt(parsed({ text: 'id:A1 stat:UNDELIV err:000' }), 'c1', at)).toMatchObject({
      status: 'undelivered',
      errorCode: null,
    });
    expect(toDeliveryReceipt(parsed({ text: 'id:A1 stat:EXPIRED' }), 'c1', at)).toMatchObject({
      status: 'undelivered',
      errorCode: 'validity_expired',
    });
    expect(toDeliveryReceipt(parsed({ text: 'id:A1 stat:REJECTD' }), 'c1', at)).toMatchObject({ errorCode: 'carrier_rejected' });
    expect(toDeliveryReceipt(parsed({ text: 'id:A1 stat:DELETED' }), 'c1', at)).toMatchObject({ errorCode: 'carrier_deleted' });
  });

  it('reports nothing for states that are not an outcome yet', () => {
    for (const stat of ['ENROUTE', 'ACCEPTD', 'UNKNOWN', '1', '6', '7']) {
      expect(toDeliveryReceipt(parsed({ text: `id:A1 stat:${stat}` }), 'c1', at), stat).toBeNull();
    }
    expect(toDeliveryReceipt(parsed({ esmClass: 0x20, text: 'id:A1 stat:DELIVRD' }), 'c1', at)).toBeNull();
  });
});
