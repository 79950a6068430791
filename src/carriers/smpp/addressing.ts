import { CarrierError } from '../carrier.js';

/**
 * Type of number and numbering plan for SMPP addresses (SMPP 3.4 §5.2.5–5.2.6). Pure: the
 * adapter asks this module how to write Parley's numbers into submit_sm and how to read
 * a deliver_sm's source back into what handleInbound expects.
 */
export const TON = {
  unknown: 0,
  international: 1,
  national: 2,
  networkSpecific: 3,
  subscriber: 4,
  alphanumeric: 5,
  abbreviated: 6,
} as const;

export const NPI = {
  unknown: 0,
  isdn: 1, // E.163 / E.164
  data: 3,
  telex: 4,
  landMobile: 6,
  national: 8,
  private: 9,
  ermes: 10,
  internet: 14,
  wapClient: 18,
} as const;

export interface SmppAddress {
  ton: number;
  npi: number;
  /** As written in the PDU: digits without '+', or the alphanumeric sender. */
  address: string;
}

export interface AddressingOptions {
  /**
   * TON/NPI for short codes. There is no standard: network specific (3/0) is the most
   * common choice, others want unknown/ISDN (0/1) or abbreviated (6/0). A carrier setting
   * will feed this.
   */
  shortCode?: { ton: number; npi: number };
}

const DEFAULT_SHORT_CODE = { ton: TON.networkSpecific, npi: NPI.unknown };
/** E.164: a country code that does not start with 0, at most 15 digits in all. */
const E164 = /^\+([1-9]\d{1,14})$/;
/** Same rule as the phone-number module: short codes are 3–8 digits. */
const SHORT_CODE = /^\d{3,8}$/;
/** An alphanumeric sender id (TP-OA) holds at most 11 characters (3GPP TS 23.040 §9.1.2.5). */
const MAX_ALPHANUMERIC = 11;
/** Printable ASCII: source_addr is a C-octet string, and handsets show little else. */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const LETTER = /[A-Za-z]/;

/**
 * The source address for a sender: E.164 → 1/1, short code → 3/0 (or the carrier's
 * choice), alphanumeric sender → 5/0. Throws a non-retryable CarrierError
 * `invalid_sender` for anything else, so the message fails with a reason instead of the
 * SMSC guessing.
 */
export function sourceAddress(sender: string, options: AddressingOptions = {}): SmppAddress {
  const text = sender.trim();
  const numeric = numericAddress(text, options);
  if (numeric) return numeric;
  if (text.length === 0) throw invalid('invalid_sender', 'the sender is empty');
  if (LETTER.test(text) && PRINTABLE_ASCII.test(text)) {
    if (text.length > MAX_ALPHANUMERIC) {
      throw invalid(
        'invalid_sender',
        `alphanumeric sender "${text}" has ${text.length} characters; handsets show at most ${MAX_ALPHANUMERIC}`,
      );
    }
    return { ton: TON.alphanumeric, npi: NPI.unknown, address: text };
  }
  throw invalid('invalid_sender', `sender "${text}" is neither an E.164 number, a 3–8 digit short code nor an alphanumeric id`);
}

/** The destination address: E.164 or a short code only; a handset has no alphanumeric address. */
export function destinationAddress(recipient: string, options: AddressingOptions = {}): SmppAddress {
  const text = recipient.trim();
  const numeric = numericAddress(text, options);
  if (numeric) return numeric;
  throw invalid('invalid_number', `recipient "${text}" is neither an E.164 number nor a 3–8 digit short code`);
}

function numericAddress(text: string, options: AddressingOptions): SmppAddress | null {
  const e164 = E164.exec(text);
  if (e164?.[1]) return { ton: TON.international, npi: NPI.isdn, address: e164[1] };
  if (SHORT_CODE.test(text)) return { ...(options.shortCode ?? DEFAULT_SHORT_CODE), address: text };
  return null;
}

function invalid(code: string, message: string): CarrierError {
  return new CarrierError(code, message, false);
}

/**
 * An inbound address as handleInbound expects it: an international number becomes
 * '+digits' (E.164); anything else is passed on as written — national digits are read in
 * the workspace's country by the app, short codes stay digits, alphanumeric senders stay
 * text. Never throws: an inbound text is kept whatever its address looks like.
 */
export function readInboundAddress(address: SmppAddress): string {
  const text = address.address.replace(/\0+$/, '').trim();
  if (address.ton === TON.alphanumeric) return text;
  // Some SMSCs format numbers for display ("+1 201-555-0123"); the TON says what they are.
  const digits = text.replace(/[\s\-().]/g, '').replace(/^\+/, '');
  if (address.ton === TON.international && /^\d{1,15}$/.test(digits)) return `+${digits}`;
  // TON unknown with a leading '+' is international too, as written.
  if (/^\+\d{1,15}$/.test(text.replace(/[\s\-().]/g, ''))) return `+${digits}`;
  return text;
}
