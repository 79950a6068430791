import type { DeliveryReceipt } from '../carrier.js';

/**
 * Delivery receipts carried by deliver_sm / data_sm. Pure: the SMPP adapter maps a PDU to
 * `ReceiptPdu` and hands the result to the app's sink.
 *
 * The receipt text format is only an example in SMPP 3.4 (Appendix B), so every SMSC
 * writes it a little differently: any case, missing fields, extra spaces, "submit_date",
 * dates with seconds, ids in hex or with dashes, "Text:" holding colons, numeric states.
 * We read what is there and prefer the TLVs (receipted_message_id, message_state,
 * network_error_code), which are typed and unambiguous, when the SMSC sends them.
 */

/** What the adapter passes in: the parts of a deliver_sm / data_sm that a receipt uses. */
export interface ReceiptPdu {
  esmClass: number;
  /** short_message or message_payload, already decoded per data_coding. */
  text: string;
  tlvs?: {
    /** receipted_message_id (0x001E), a C-octet string. */
    receiptedMessageId?: string;
    /** message_state (0x0427). */
    messageState?: number;
    /** network_error_code (0x0423): network type (1 octet) + error code (2 octets). */
    networkErrorCode?: Uint8Array;
  };
}

export type ReceiptState =
  | 'delivered'
  | 'undelivered'
  | 'expired'
  | 'deleted'
  | 'rejected'
  | 'accepted'
  | 'enroute'
  | 'unknown';

/** esm_class bits 2–5 (SMPP 3.4 §5.2.12) of a deliver_sm that is not a text from a handset. */
export type ReceiptMessageType =
  | 'smsc_delivery_receipt' // 0x04
  | 'sme_delivery_ack' // 0x08
  | 'sme_manual_ack' // 0x10
  | 'intermediate_notification'; // 0x20

export interface ParsedReceipt {
  kind: 'receipt';
  messageType: ReceiptMessageType;
  /** The SMSC's id for the submitted message (or part); match it with carrierMessageIdKeys. */
  messageId: string;
  state: ReceiptState;
  /** True only for outcomes that will not change: delivered, undelivered, expired, deleted, rejected. */
  final: boolean;
  /** `smpp_err_0x0b` from the text's err field, or `gsm_err_0x0022` from network_error_code; null for none. */
  errorCode: string | null;
  /** The SMSC's local time ("2024-01-31T12:05" or with seconds); it does not say its zone. */
  submitDate?: string;
  doneDate?: string;
  submitted?: number;
  delivered?: number;
  /** The start of the original message, as the SMSC quotes it. */
  text?: string;
  raw: string;
}

export type ReceiptParseResult =
  | ParsedReceipt
  /** A text from a handset (or another message type): the adapter treats it as inbound. */
  | { kind: 'not_receipt'; esmMessageType: number; raw: string }
  /** Marked as a receipt but naming no message; kept so it can be reported. */
  | { kind: 'unparseable_receipt'; reason: string; raw: string };

const MESSAGE_TYPE_MASK = 0x3c;
const MESSAGE_TYPES: ReadonlyMap<number, ReceiptMessageType> = new Map([
  [0x04, 'smsc_delivery_receipt'],
  [0x08, 'sme_delivery_ack'],
  [0x10, 'sme_manual_ack'],
  [0x20, 'intermediate_notification'],
]);

/** message_state values, SMPP 3.4 §5.3.2.35; some SMSCs write these numbers in stat: too. */
const MESSAGE_STATES: ReadonlyMap<number, ReceiptState> = new Map([
  [1, 'enroute'],
  [2, 'delivered'],
  [3, 'expired'],
  [4, 'deleted'],
  [5, 'undelivered'],
  [6, 'accepted'],
  [7, 'unknown'],
  [8, 'rejected'],
]);

const FINAL: ReadonlySet<ReceiptState> = new Set(['delivered', 'undelivered', 'expired', 'deleted', 'rejected']);

/**
 * Text stat values by prefix, so both the 7-letter forms (DELIVRD, UNDELIV, ACCEPTD…) and
 * spelled-out ones (DELIVERED, UNDELIVERABLE, ACCEPTED…) are read. Order matters:
 * "UNDELIV" before "DELIV".
 */
const STAT_PREFIXES: ReadonlyArray<[string, ReceiptState]> = [
  ['UNDEL', 'undelivered'],
  ['FAIL', 'undelivered'],
  ['DELIV', 'delivered'],
  ['EXPIR', 'expired'],
  ['DELET', 'deleted'],
  ['REJEC', 'rejected'],
  ['ACCEP', 'accepted'],
  ['ENROU', 'enroute'],
  ['UNKNO', 'unknown'],
];

/** Field names as SMSCs write them; "submit date" also as submit_date / submitdate. */
const FIELD = /(?<![a-z0-9_])(id|sub|dlvrd|submit[ _]*date|done[ _]*date|stat|err|text)\s*:/gi;

export function parseDeliveryReceipt(pdu: ReceiptPdu): ReceiptParseResult {
  const raw = typeof pdu.text === 'string' ? pdu.text : '';
  try {
    return parse(pdu, raw);
  } catch (error) {
    // Pure code over strings should not throw; if it ever does, the receipt is still kept.
    return { kind: 'unparseable_receipt', reason: `parser error: ${String(error)}`, raw };
  }
}

function parse(pdu: ReceiptPdu, raw: string): ReceiptParseResult {
  const esmMessageType = (pdu.esmClass & MESSAGE_TYPE_MASK) >>> 0;
  const tlvs = pdu.tlvs ?? {};
  const tlvId = cleanId(tlvs.receiptedMessageId);
  // Some SMSCs leave esm_class at 0 on receipts; receipted_message_id only ever names a receipt.
  const messageType = MESSAGE_TYPES.get(esmMessageType) ?? (esmMessageType === 0 && tlvId ? 'smsc_delivery_receipt' : null);
  if (!messageType) return { kind: 'not_receipt', esmMessageType, raw };

  const fields = readFields(raw);
  const messageId = tlvId ?? cleanId(firstToken(fields.get('id')));
  if (!messageId) return { kind: 'unparseable_receipt', reason: 'no message id in the TLVs or the text', raw };

  const state =
    (tlvs.messageState !== undefined ? MESSAGE_STATES.get(tlvs.messageState) : undefined) ??
    statFromText(firstToken(fields.get('stat'))) ??
    'unknown';
  // An intermediate notification reports progress, never the outcome.
  const final = FINAL.has(state) && messageType !== 'intermediate_notification';

  const result: ParsedReceipt = {
    kind: 'receipt',
    messageType,
    messageId,
    state,
    final,
    errorCode: networkError(tlvs.networkErrorCode) ?? textError(firstToken(fields.get('err'))),
    raw,
  };
  const submitDate = smscDate(firstToken(fields.get('submitdate')));
  if (submitDate) result.submitDate = submitDate;
  const doneDate = smscDate(firstToken(fields.get('donedate')));
  if (doneDate) result.doneDate = doneDate;
  const submitted = count(firstToken(fields.get('sub')));
  if (submitted !== undefined) result.submitted = submitted;
  const delivered = count(firstToken(fields.get('dlvrd')));
  if (delivered !== undefined) result.delivered = delivered;
  const text = fields.get('text');
  if (text !== undefined) result.text = text;
  return result;
}

/**
 * Field values by lower-case name (spaces and underscores removed). `text:` is the last
 * field and runs to the end, colons and all; the first occurrence of a field wins.
 */
function readFields(raw: string): Map<string, string> {
  const fields = new Map<string, string>();
  const matches = [...raw.matchAll(FIELD)];
  for (let i = 0; i < matches.length; i++) {
    const match = matches[i];
    if (!match || match.index === undefined) continue;
    const name = (match[1] ?? '').toLowerCase().replace(/[ _]/g, '');
    const start = match.index + match[0].length;
    if (name === 'text') {
      if (!fields.has(name)) fields.set(name, raw.slice(start).replace(/^\s+/, ''));
      break;
    }
    const end = matches[i + 1]?.index ?? raw.length;
    if (!fields.has(name)) fields.set(name, raw.slice(start, end).trim());
  }
  return fields;
}

function firstToken(value: string | undefined): string | undefined {
  const token = value?.trim().split(/\s+/)[0];
  return token ? token : undefined;
}

function cleanId(value: string | undefined): string | undefined {
  // A C-octet string may arrive with its NUL; some SMSCs pad with spaces.
  const id = value?.replace(/\0+$/g, '').trim();
  return id ? id : undefined;
}

function statFromText(value: string | undefined): ReceiptState | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return MESSAGE_STATES.get(Number(value)) ?? 'unknown';
  const upper = value.toUpperCase();
  for (const [prefix, state] of STAT_PREFIXES) if (upper.startsWith(prefix)) return state;
  return 'unknown';
}

/**
 * The text's err field: usually three decimal digits ("err:011"), sometimes hex ("err:0B").
 * 0 means no error.
 */
function textError(value: string | undefined): string | null {
  if (!value) return null;
  let code: number;
  if (/^\d{1,9}$/.test(value)) code = Number(value);
  else if (/^(0x)?[0-9a-f]{1,8}$/i.test(value)) code = Number.parseInt(value.replace(/^0x/i, ''), 16);
  else return null;
  return code === 0 ? null : `smpp_err_0x${code.toString(16).padStart(2, '0')}`;
}

const NETWORK_TYPES: ReadonlyMap<number, string> = new Map([
  [1, 'ansi136'],
  [2, 'is95'],
  [3, 'gsm'],
  [4, 'ansi41'],
]);

function networkError(bytes: Uint8Array | undefined): string | null {
  if (!bytes || bytes.length < 3) return null;
  const type = bytes[0] ?? 0;
  const code = ((bytes[1] ?? 0) << 8) | (bytes[2] ?? 0);
  if (code === 0) return null;
  const name = NETWORK_TYPES.get(type) ?? `network${type}`;
  return `${name}_err_0x${code.toString(16).padStart(4, '0')}`;
}

/** YYMMDDhhmm or YYMMDDhhmmss, checked for range; two-digit years are 20YY. */
function smscDate(value: string | undefined): string | undefined {
  const match = value ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(value) : null;
  if (!match) return undefined;
  const [, yy, mm, dd, hh, mi, ss] = match;
  const month = Number(mm);
  const day = Number(dd);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(hh) > 23 || Number(mi) > 59 || Number(ss ?? 0) > 59) {
    return undefined;
  }
  return `20${yy}-${mm}-${dd}T${hh}:${mi}${ss === undefined ? '' : `:${ss}`}`;
}

function count(value: string | undefined): number | undefined {
  return value && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** Default error codes when a final, failed receipt carries none of its own. */
const STATE_ERROR: Partial<Record<ReceiptState, string>> = {
  expired: 'validity_expired',
  deleted: 'carrier_deleted',
  rejected: 'carrier_rejected',
};

/**
 * The Carrier port's receipt for a parsed one, or null when it reports no outcome yet
 * (ENROUTE, ACCEPTD, UNKNOWN, intermediate notifications): the message stays `sent`.
 */
export function toDeliveryReceipt(parsed: ParsedReceipt, carrierId: string, at: Date): DeliveryReceipt | null {
  if (!parsed.final) return null;
  const delivered = parsed.state === 'delivered';
  return {
    carrierId,
    carrierMessageId: parsed.messageId,
    status: delivered ? 'delivered' : 'undelivered',
    errorCode: delivered ? null : (parsed.errorCode ?? STATE_ERROR[parsed.state] ?? null),
    raw: parsed.raw,
    at,
  };
}
