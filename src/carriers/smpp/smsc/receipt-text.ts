import { encodeForCarrier } from '../../../domain/sms-wire-codec.js';
import { isGsm7 } from '../../../domain/sms-encoding.js';

/**
 * The delivery receipt text of SMPP 3.4 Appendix B, as most SMSCs write it. Dates are UTC:
 * the format carries no zone, and a fixed one keeps receipts reproducible in tests.
 */

export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'REJECTD';

/** message_state TLV values (§5.3.2.35) for each stat. */
export const MESSAGE_STATE_OF: Readonly<Record<ReceiptStat, number>> = {
  DELIVRD: 2,
  EXPIRED: 3,
  UNDELIV: 5,
  REJECTD: 8,
};

function two(value: number): string {
  return String(value).padStart(2, '0');
}

/** YYMMDDhhmm, the receipt text's date format. */
export function receiptDate(date: Date): string {
  return (
    two(date.getUTCFullYear() % 100) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes())
  );
}

/** SMPP absolute time "YYMMDDhhmmsstnnp" (§7.1.1) in UTC, for query_sm_resp final_date. */
export function smppAbsoluteTime(date: Date): string {
  return `${receiptDate(date)}${two(date.getUTCSeconds())}${Math.floor(date.getUTCMilliseconds() / 100)}00+`;
}

export interface ReceiptTextInput {
  messageId: string;
  submitDate: Date;
  doneDate: Date;
  stat: ReceiptStat;
  /** Three decimal digits in the text; 0 for none. */
  err: number;
  /** The original message; the receipt quotes its first 20 characters. */
  text: string;
}

export function formatReceiptText(input: ReceiptTextInput): string {
  const delivered = input.stat === 'DELIVRD' ? '001' : '000';
  // Characters GSM-7 cannot carry become '?': the quote is informational and the receipt
  // must stay one plain data_coding 0 short_message.
  const quote = [...input.text.slice(0, 20)].map((c) => (isGsm7(c) ? c : '?')).join('');
  return (
    `id:${input.messageId} sub:001 dlvrd:${delivered} submit date:${receiptDate(input.submitDate)} ` +
    `done date:${receiptDate(input.doneDate)} stat:${input.stat} err:${String(input.err).padStart(3, '0')} text:${quote}`
  );
}

/** The receipt text as a data_coding 0 (GSM-7, one septet per octet) short_message. */
export function encodeReceiptText(text: string): Uint8Array {
  return encodeForCarrier(text, 'gsm7').bytes;
}
