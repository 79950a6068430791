import {
  DEFAULT_GSM_CHARSET,
  DEFAULT_LOCKING_TABLE,
  ESCAPE_SEPTET,
  lockingShiftIdOf,
  singleShiftIdOf,
  type GsmCharset,
} from './gsm-alphabet.js';
import {
  buildUdh,
  concatenationInfo,
  nationalLanguageInfo,
  parseUdh,
  type ConcatenationInfo,
  type NationalLanguageInfo,
  type UdhElement,
} from './udh.js';

/**
 * SMS text on the wire: the bytes the SMPP adapter puts in short_message (and reads out of
 * deliver_sm), for each charset a carrier may want, plus the data_coding that labels them.
 *
 * Encoding is strict — a character the charset cannot carry is an error naming it, so the
 * caller can fall back to UCS-2 instead of sending '?'. Decoding is tolerant — the bytes
 * come from a carrier, so anything invalid becomes U+FFFD (counted) and nothing throws.
 *
 * Packed GSM-7 and the CR padding rule (TS 23.038 §6.1.2.3.1): SMPP's sm_length counts
 * octets, not septets, so a reader must infer the septet count, and when a message leaves
 * exactly 7 spare bits in its last octet those bits would read as one more septet — '@'
 * if zero. We follow the spec on both sides:
 * - writing, 7 spare bits are filled with CR (0x0D) instead of zeros; and a message whose
 *   last character is a CR and that ends exactly on an octet boundary gets a second CR,
 *   so a reader cannot mistake the wanted CR for padding (CR CR displays as CR). The
 *   second CR is skipped when it would push the part past 140 octets; that CR may then be
 *   read as padding and dropped — a lost trailing CR is better than a lost part.
 * - reading, when the octet count leaves room for one septet more than a sender could have
 *   meant (8·octets − fill is a multiple of 7), a final standalone CR is taken as padding
 *   and dropped. A final '@' is kept: the spec says padding is CR, and '@' is real text.
 * `packSeptets` / `unpackSeptets` with an explicit septet count (a TPDU's TP-UDL) are
 * exact; only the octet-count path above has the ambiguity.
 */

const REPLACEMENT = '\uFFFD';
const CR = 0x0d;

/** TP-User-Data on the air interface: 140 octets, UDH included. */
export const MAX_USER_DATA_OCTETS = 140;
/** SMPP 3.4 sm_length is one octet; longer texts go in message_payload. */
export const MAX_SHORT_MESSAGE_OCTETS = 254;

/** How a carrier wants GSM-7-able text (or UCS-2 text) laid out in short_message. */
export type WireCharset = 'gsm7' | 'gsm7-packed' | 'latin1' | 'ascii' | 'ucs2';

/** SMPP 3.4 §5.2.19 data_coding values Parley sends or reads. */
export const DATA_CODING = {
  /** SMSC default alphabet; GSM 03.38 for us (configurable on read). */
  smscDefault: 0x00,
  ia5: 0x01,
  binary: 0x02,
  latin1: 0x03,
  binary4: 0x04,
  cyrillic: 0x06,
  hebrew: 0x07,
  ucs2: 0x08,
  iso2022jp: 0x0a,
  ksc5601: 0x0e,
} as const;

const DATA_CODING_FOR: Readonly<Record<WireCharset, number>> = {
  gsm7: DATA_CODING.smscDefault,
  'gsm7-packed': DATA_CODING.smscDefault,
  latin1: DATA_CODING.latin1,
  ascii: DATA_CODING.ia5,
  ucs2: DATA_CODING.ucs2,
};

export type WireEncodingErrorReason = 'unrepresentable' | 'too-long' | 'too-many-parts' | 'invalid-option';

/**
 * Thrown by the encoders. `unrepresentable` means "try another charset" (the SMPP
 * adapter falls back to UCS-2); the other reasons are bugs or limits to report.
 */
export class WireEncodingError extends Error {
  readonly reason: WireEncodingErrorReason;
  /** UTF-16 index of the offending character in the text given (the whole body, for parts). */
  readonly index: number | undefined;
  readonly character: string | undefined;

  constructor(
    reason: WireEncodingErrorReason,
    message: string,
    details: { index?: number; character?: string } = {},
  ) {
    super(message);
    this.name = 'WireEncodingError';
    this.reason = reason;
    this.index = details.index;
    this.character = details.character;
  }
}

// ---------------------------------------------------------------------------------------
// GSM 7-bit septets

/**
 * Reverse lookup for one charset: UTF-16 code unit → septet + 1 (basic table) or
 * 0x8000 | code (single shift table); 0 = not representable. A flat 64 Ki table makes
 * encoding an array read per character. Table entries outside the BMP (none in TS 23.038,
 * but the interface allows them) go in `astral`.
 */
interface GsmEncodeTable {
  readonly bmp: Uint16Array;
  readonly astral: ReadonlyMap<number, number>;
}

/** Septet → text, with TS 23.038's fallbacks for unknown codes already resolved. */
interface GsmDecodeTable {
  readonly basic: readonly string[];
  readonly shifted: readonly string[];
}

const SHIFTED = 0x8000;
const encodeTables = new WeakMap<GsmCharset, GsmEncodeTable>();
const decodeTables = new WeakMap<GsmCharset, GsmDecodeTable>();

function encodeTableFor(charset: GsmCharset): GsmEncodeTable {
  const cached = encodeTables.get(charset);
  if (cached) return cached;
  const bmp = new Uint16Array(0x10000);
  const astral = new Map<number, number>();
  const add = (char: string, value: number): void => {
    const codePoint = char.codePointAt(0);
    // Only single code points can be looked up one character at a time; first entry wins.
    if (codePoint === undefined || String.fromCodePoint(codePoint) !== char) return;
    if (codePoint < 0x10000) {
      if (bmp[codePoint] === 0) bmp[codePoint] = value;
    } else if (!astral.has(codePoint)) {
      astral.set(codePoint, value);
    }
  };
  // Basic table first: a character in both tables costs one septet instead of two.
  charset.locking.forEach((char, septet) => {
    if (septet !== ESCAPE_SEPTET && septet < 0x80) add(char, septet + 1);
  });
  const shifted = [...charset.singleShift].sort(([a], [b]) => a - b);
  for (const [code, char] of shifted) {
    if (code !== ESCAPE_SEPTET && code >= 0 && code < 0x80) add(char, SHIFTED | code);
  }
  const table = { bmp, astral };
  encodeTables.set(charset, table);
  return table;
}

function decodeTableFor(charset: GsmCharset): GsmDecodeTable {
  const cached = decodeTables.get(charset);
  if (cached) return cached;
  const basic: string[] = [];
  const shifted: string[] = [];
  for (let septet = 0; septet < 0x80; septet++) {
    // A hole in a national table shows the default table's character (TS 23.038 §6.2.1).
    basic.push(charset.locking[septet] || DEFAULT_LOCKING_TABLE[septet] || REPLACEMENT);
  }
  for (let code = 0; code < 0x80; code++) {
    const char = charset.singleShift.get(code);
    if (char !== undefined && char !== '') shifted.push(char);
    // ESC ESC is reserved for a further extension table; the spec says show a space.
    else if (code === ESCAPE_SEPTET) shifted.push(' ');
    // An unknown extension code shows the basic (or national locking) table's character.
    else shifted.push(basic[code] ?? REPLACEMENT);
  }
  const table = { basic, shifted };
  decodeTables.set(charset, table);
  return table;
}

/**
 * Text → septets, one per element; an extension character is ESC (0x1B) + its code.
 * Throws WireEncodingError('unrepresentable') naming the first character the charset
 * cannot carry and its UTF-16 index.
 */
export function encodeGsmSeptets(text: string, charset: GsmCharset = DEFAULT_GSM_CHARSET): Uint8Array {
  const { bmp, astral } = encodeTableFor(charset);
  const out = new Uint8Array(text.length * 2);
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    let value = bmp[text.charCodeAt(i)] ?? 0;
    if (value === 0 && astral.size > 0) {
      const codePoint = text.codePointAt(i) ?? 0;
      value = astral.get(codePoint) ?? 0;
      if (value !== 0 && codePoint > 0xffff) i++;
    }
    if (value === 0) throw unrepresentable(text, i, `GSM 7-bit (${charset.name} table)`);
    if (value & SHIFTED) {
      out[length++] = ESCAPE_SEPTET;
      out[length++] = value & 0x7f;
    } else {
      out[length++] = value - 1;
    }
  }
  return out.slice(0, length);
}

/**
 * Septets → text, never throwing. A septet over 0x7F becomes U+FFFD; ESC + an unknown
 * code shows the basic table's character for that code (TS 23.038); ESC ESC shows a
 * space; a lone ESC at the very end is dropped (it introduces nothing).
 */
export function decodeGsmSeptets(septets: ArrayLike<number>, charset: GsmCharset = DEFAULT_GSM_CHARSET): string {
  return decodeSeptetsCounting(septets, septets.length, charset).text;
}

function decodeSeptetsCounting(
  septets: ArrayLike<number>,
  count: number,
  charset: GsmCharset,
): { text: string; replaced: number } {
  const { basic, shifted } = decodeTableFor(charset);
  let text = '';
  let replaced = 0;
  for (let i = 0; i < count; i++) {
    const septet = septets[i] ?? -1;
    let char: string | undefined;
    if (septet === ESCAPE_SEPTET) {
      if (i + 1 >= count) break;
      char = shifted[septets[++i] ?? -1];
    } else {
      char = basic[septet];
    }
    if (char === undefined) {
      replaced++;
      text += REPLACEMENT;
    } else {
      text += char;
    }
  }
  return { text, replaced };
}

// ---------------------------------------------------------------------------------------
// Packing

/**
 * Fill bits between a UDH of `udhOctets` octets (UDHL included) and packed GSM-7 text,
 * so the text starts on a septet boundary: 6 octets → 1, 7 → 0, 12 → 2.
 */
export function fillBitsForUdh(udhOctets: number): number {
  return (7 - ((udhOctets * 8) % 7)) % 7;
}

/** Octets that `septetCount` septets after `fillBits` fill bits take when packed. */
export function packedLength(septetCount: number, fillBits = 0): number {
  return septetCount === 0 ? 0 : Math.ceil((fillBits + septetCount * 7) / 8);
}

/**
 * Packs septets LSB-first into octets (TS 23.038 §6.1.2.1.1) after `fillBits` zero bits.
 * When the last octet has exactly 7 spare bits they are set to CR, not zeros (see top).
 */
export function packSeptets(septets: ArrayLike<number>, fillBits = 0): Uint8Array {
  checkFillBits(fillBits);
  const count = septets.length;
  const out = new Uint8Array(packedLength(count, fillBits));
  for (let i = 0; i < count; i++) {
    const septet = septets[i] ?? -1;
    if (!Number.isInteger(septet) || septet < 0 || septet > 0x7f) {
      throw new RangeError(`septet ${i} is ${septet}; septets are 0–127`);
    }
    orSeptet(out, fillBits + i * 7, septet);
  }
  const usedBits = fillBits + count * 7;
  if (count > 0 && out.length * 8 - usedBits === 7) orSeptet(out, usedBits, CR);
  return out;
}

function orSeptet(out: Uint8Array, bit: number, septet: number): void {
  const index = bit >> 3;
  const shift = bit & 7;
  out[index] = (out[index] ?? 0) | ((septet << shift) & 0xff);
  if (shift > 1) out[index + 1] = (out[index + 1] ?? 0) | (septet >> (8 - shift));
}

/**
 * Unpacks `septetCount` septets that follow `fillBits` fill bits. Asking for more septets
 * than the octets hold returns only those they hold (carrier input: never throws on it).
 */
export function unpackSeptets(bytes: Uint8Array, septetCount: number, fillBits = 0): Uint8Array {
  checkFillBits(fillBits);
  const available = septetsIn(bytes.length, fillBits);
  const count = Number.isFinite(septetCount) ? Math.max(0, Math.min(Math.floor(septetCount), available)) : 0;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = fillBits + i * 7;
    const index = bit >> 3;
    const shift = bit & 7;
    let value = (bytes[index] ?? 0) >> shift;
    if (shift > 1) value |= (bytes[index + 1] ?? 0) << (8 - shift);
    out[i] = value & 0x7f;
  }
  return out;
}

function septetsIn(octets: number, fillBits: number): number {
  return Math.max(0, Math.floor((octets * 8 - fillBits) / 7));
}

function checkFillBits(fillBits: number): void {
  if (!Number.isInteger(fillBits) || fillBits < 0 || fillBits > 6) {
    throw new RangeError(`fillBits must be 0–6, got ${fillBits}`);
  }
}

/** True when the last of `count` septets is a CR on its own (not the code after an ESC). */
function endsWithStandaloneCr(septets: Uint8Array, count: number): boolean {
  if (count === 0 || septets[count - 1] !== CR) return false;
  let i = 0;
  while (i < count - 1) i += septets[i] === ESCAPE_SEPTET ? 2 : 1;
  return i === count - 1;
}

/** Packs a whole text's septets with the CR rules described at the top of this file. */
function packGsmText(septets: Uint8Array, fillBits: number, maxOctets: number): Uint8Array {
  const count = septets.length;
  const endsOnBoundary = (fillBits + count * 7) % 8 === 0;
  if (endsOnBoundary && endsWithStandaloneCr(septets, count) && packedLength(count + 1, fillBits) <= maxOctets) {
    const doubled = new Uint8Array(count + 1);
    doubled.set(septets);
    doubled[count] = CR;
    return packSeptets(doubled, fillBits);
  }
  return packSeptets(septets, fillBits);
}

/** Septets in packed bytes whose count is not transmitted, dropping CR padding. */
function unpackGsmText(bytes: Uint8Array, fillBits: number): Uint8Array {
  const count = septetsIn(bytes.length, fillBits);
  const septets = unpackSeptets(bytes, count, fillBits);
  const ambiguous = (bytes.length * 8 - fillBits) % 7 === 0;
  return ambiguous && endsWithStandaloneCr(septets, count) ? septets.subarray(0, count - 1) : septets;
}

// ---------------------------------------------------------------------------------------
// Carrier charsets

export interface EncodeOptions {
  /** GSM table pair for gsm7 / gsm7-packed; default alphabet if absent. */
  readonly gsmCharset?: GsmCharset;
  /** gsm7-packed only: fill bits before the first septet (after a UDH); default 0. */
  readonly fillBits?: number;
}

export interface EncodedText {
  readonly bytes: Uint8Array;
  readonly dataCoding: number;
}

/**
 * Encodes `text` as the carrier's charset expects, with the data_coding that names it.
 * Throws WireEncodingError('unrepresentable') naming the first character the charset
 * cannot carry; UCS-2 carries everything except a lone surrogate, which is not text.
 */
export function encodeForCarrier(text: string, charset: WireCharset, options: EncodeOptions = {}): EncodedText {
  return { bytes: encodeText(text, charset, options, Number.POSITIVE_INFINITY), dataCoding: DATA_CODING_FOR[charset] };
}

function encodeText(text: string, charset: WireCharset, options: EncodeOptions, maxOctets: number): Uint8Array {
  switch (charset) {
    case 'gsm7':
      return encodeGsmSeptets(text, options.gsmCharset);
    case 'gsm7-packed': {
      const fillBits = options.fillBits ?? 0;
      checkFillBits(fillBits);
      return packGsmText(encodeGsmSeptets(text, options.gsmCharset), fillBits, maxOctets);
    }
    case 'latin1':
      return encodeSingleByte(text, 0xff, 'Latin-1 (ISO-8859-1)');
    case 'ascii':
      return encodeSingleByte(text, 0x7f, 'IA5/ASCII');
    case 'ucs2':
      return encodeUtf16Be(text);
  }
}

function encodeSingleByte(text: string, max: number, name: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit > max) throw unrepresentable(text, i, name);
    out[i] = unit;
  }
  return out;
}

/** UTF-16BE: what every SMSC means by "UCS-2" in practice; astral characters as surrogate pairs. */
function encodeUtf16Be(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (isHighSurrogate(unit) && isLowSurrogate(text.charCodeAt(i + 1))) {
      out[2 * i] = unit >> 8;
      out[2 * i + 1] = unit & 0xff;
      i++;
      const low = text.charCodeAt(i);
      out[2 * i] = low >> 8;
      out[2 * i + 1] = low & 0xff;
      continue;
    }
    if (isHighSurrogate(unit) || isLowSurrogate(unit)) {
      throw new WireEncodingError(
        'unrepresentable',
        `Lone surrogate U+${hex4(unit)} at index ${i} is not a character and cannot be sent as UCS-2`,
        { index: i, character: text[i] ?? '' },
      );
    }
    out[2 * i] = unit >> 8;
    out[2 * i + 1] = unit & 0xff;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Decoding

export type MessageClass = 0 | 1 | 2 | 3;

/** What a data_coding value says the bytes are. */
export type TextAlphabet =
  | 'gsm7'
  | 'ascii'
  | 'latin1'
  | 'ucs2'
  | 'binary'
  | 'iso-8859-5'
  | 'iso-8859-8'
  | 'iso-2022-jp'
  | 'euc-kr'
  | 'unknown';

export interface DataCodingInfo {
  readonly alphabet: TextAlphabet;
  readonly messageClass: MessageClass | null;
}

/**
 * Reads a data_coding octet. 0x00–0x0F use SMPP 3.4's own table. SMPP marks most of the
 * rest reserved, but SMSCs pass GSM TS 23.038 coding schemes through, so those groups are
 * read per 23.038: general (0x00–0x3F with class/compression bits) and automatic deletion
 * (0x40–0x7F), message waiting (0xC0–0xDF GSM-7, 0xE0–0xEF UCS-2) and message class
 * (0xF0–0xFF: bit 2 picks GSM-7 or 8-bit). Compressed text (bit 5) cannot be read, so it
 * counts as binary. Anything else is 'unknown'.
 */
export function interpretDataCoding(
  dataCoding: number,
  smscDefaultAlphabet: SmscDefaultAlphabet = 'gsm7',
): DataCodingInfo {
  if (!Number.isInteger(dataCoding) || dataCoding < 0 || dataCoding > 0xff) return info('unknown');
  if (dataCoding <= 0x0f) return info(SMPP_ALPHABETS[dataCoding] ?? 'unknown', null, smscDefaultAlphabet);
  const group = dataCoding >> 4;
  if (group <= 0x7) {
    if (dataCoding & 0x20) return info('binary', classOf(dataCoding));
    const alphabet = GENERAL_ALPHABETS[(dataCoding >> 2) & 0x3] ?? 'unknown';
    return info(alphabet, classOf(dataCoding));
  }
  if (group === 0xc || group === 0xd) return info('gsm7');
  if (group === 0xe) return info('ucs2');
  if (group === 0xf) return info(dataCoding & 0x04 ? 'binary' : 'gsm7', messageClassBits(dataCoding));
  return info('unknown');
}

export type SmscDefaultAlphabet = 'gsm7' | 'latin1' | 'ascii';

const SMPP_ALPHABETS: readonly (TextAlphabet | 'default')[] = [
  'default', // 0x00 SMSC default alphabet
  'ascii', // 0x01 IA5
  'binary', // 0x02 octet unspecified
  'latin1', // 0x03
  'binary', // 0x04 octet unspecified
  'unknown', // 0x05 JIS X 0208 (raw, no decoder we trust)
  'iso-8859-5', // 0x06 Cyrillic
  'iso-8859-8', // 0x07 Latin/Hebrew
  'ucs2', // 0x08
  'unknown', // 0x09 pictogram
  'iso-2022-jp', // 0x0A
  'unknown', // 0x0B reserved
  'unknown', // 0x0C reserved
  'unknown', // 0x0D extended kanji JIS X 0212
  'euc-kr', // 0x0E KS C 5601
  'unknown', // 0x0F reserved
];

/** TS 23.038 general group, bits 3–2 (0b11 is reserved). */
const GENERAL_ALPHABETS: readonly TextAlphabet[] = ['gsm7', 'binary', 'ucs2', 'unknown'];

function info(
  alphabet: TextAlphabet | 'default',
  messageClass: MessageClass | null = null,
  smscDefault: SmscDefaultAlphabet = 'gsm7',
): DataCodingInfo {
  return { alphabet: alphabet === 'default' ? smscDefault : alphabet, messageClass };
}

/** General group: bit 4 says whether bits 1–0 are a message class. */
function classOf(dataCoding: number): MessageClass | null {
  return dataCoding & 0x10 ? messageClassBits(dataCoding) : null;
}

function messageClassBits(dataCoding: number): MessageClass {
  return (dataCoding & 0x3) as MessageClass;
}

export interface DecodeOptions {
  /** How GSM-7 arrives from this carrier; SMPP's usual is one septet per octet. Default 'unpacked'. */
  readonly gsm7Packing?: 'packed' | 'unpacked';
  readonly gsmCharset?: GsmCharset;
  /** Packed GSM-7 only: fill bits before the first septet (after a UDH). Default 0. */
  readonly fillBits?: number;
  /** What data_coding 0 means at this SMSC. Default 'gsm7'. */
  readonly smscDefaultAlphabet?: SmscDefaultAlphabet;
}

export interface DecodedText {
  /** The text; for binary data, the octets as uppercase hex (lossless and printable). */
  readonly text: string;
  /** What the bytes were read as ('latin1' when the data_coding was unknown). */
  readonly alphabet: Exclude<TextAlphabet, 'unknown'>;
  readonly messageClass: MessageClass | null;
  /** Invalid bytes or septets that became U+FFFD. */
  readonly replaced: number;
  /** data_coding was reserved or unsupported, and the text is a best-effort Latin-1 reading. */
  readonly unknownDataCoding: boolean;
  /** data_coding said 8-bit data (or compressed): `text` is hex, not a message. */
  readonly binary: boolean;
}

/**
 * Decodes carrier bytes per data_coding. Never throws on the bytes or the data_coding:
 * invalid input is replaced with U+FFFD and counted, unknown codings read as Latin-1 and
 * flagged, 8-bit data comes back as hex.
 */
export function decodeFromCarrier(bytes: Uint8Array, dataCoding: number, options: DecodeOptions = {}): DecodedText {
  const { alphabet, messageClass } = interpretDataCoding(dataCoding, options.smscDefaultAlphabet);
  const result = (
    read: { text: string; replaced: number },
    as: DecodedText['alphabet'] = alphabet === 'unknown' ? 'latin1' : alphabet,
  ): DecodedText => ({
    text: read.text,
    alphabet: as,
    messageClass,
    replaced: read.replaced,
    unknownDataCoding: alphabet === 'unknown',
    binary: as === 'binary',
  });
  switch (alphabet) {
    case 'gsm7':
      return result(decodeGsmBytes(bytes, options));
    case 'ascii':
      return result(decodeSingleByte(bytes, 0x7f));
    case 'latin1':
    case 'unknown':
      return result(decodeSingleByte(bytes, 0xff));
    case 'ucs2':
      return result(decodeUtf16Be(bytes));
    case 'binary':
      return result({ text: toHex(bytes), replaced: 0 });
    case 'iso-8859-5':
    case 'iso-8859-8':
    case 'iso-2022-jp':
    case 'euc-kr': {
      const decoded = decodeWithTextDecoder(bytes, alphabet);
      // Without ICU data for the label, Latin-1 at least keeps every byte visible.
      return decoded ? result(decoded) : { ...result(decodeSingleByte(bytes, 0xff), 'latin1'), unknownDataCoding: true };
    }
  }
}

function decodeGsmBytes(bytes: Uint8Array, options: DecodeOptions): { text: string; replaced: number } {
  const charset = options.gsmCharset ?? DEFAULT_GSM_CHARSET;
  if (options.gsm7Packing === 'packed') {
    const septets = unpackGsmText(bytes, options.fillBits ?? 0);
    return decodeSeptetsCounting(septets, septets.length, charset);
  }
  return decodeSeptetsCounting(bytes, bytes.length, charset);
}

function decodeSingleByte(bytes: Uint8Array, max: number): { text: string; replaced: number } {
  const units = new Uint16Array(bytes.length);
  let replaced = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    if (byte > max) {
      units[i] = 0xfffd;
      replaced++;
    } else {
      units[i] = byte;
    }
  }
  return { text: unitsToString(units, units.length), replaced };
}

/** UTF-16BE, tolerant: lone surrogates and an odd final octet become U+FFFD. */
function decodeUtf16Be(bytes: Uint8Array): { text: string; replaced: number } {
  const count = bytes.length >> 1;
  const units = new Uint16Array(count + 1);
  let length = 0;
  let replaced = 0;
  const unitAt = (i: number): number => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0);
  for (let i = 0; i < count; i++) {
    const unit = unitAt(i);
    if (isHighSurrogate(unit) && i + 1 < count && isLowSurrogate(unitAt(i + 1))) {
      units[length++] = unit;
      units[length++] = unitAt(++i);
    } else if (isHighSurrogate(unit) || isLowSurrogate(unit)) {
      units[length++] = 0xfffd;
      replaced++;
    } else {
      units[length++] = unit;
    }
  }
  if (bytes.length % 2 === 1) {
    units[length++] = 0xfffd;
    replaced++;
  }
  return { text: unitsToString(units, length), replaced };
}

/** The one method we use; @types/node declares TextDecoder as a value only. */
interface BytesDecoder {
  decode(bytes: Uint8Array): string;
}

// Built lazily and kept: constructing a decoder loads ICU conversion data.
const textDecoders = new Map<string, BytesDecoder | null>();

function decodeWithTextDecoder(bytes: Uint8Array, label: string): { text: string; replaced: number } | null {
  let decoder = textDecoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label, { fatal: false });
    } catch {
      decoder = null;
    }
    textDecoders.set(label, decoder);
  }
  if (decoder === null) return null;
  const text = decoder.decode(bytes);
  let replaced = 0;
  for (let i = text.indexOf(REPLACEMENT); i !== -1; i = text.indexOf(REPLACEMENT, i + 1)) replaced++;
  return { text, replaced };
}

// ---------------------------------------------------------------------------------------
// Short messages with a UDH (inbound)

export interface DecodeShortMessageOptions extends Omit<DecodeOptions, 'fillBits'> {
  /** esm_class has UDHI (0x40) set: short_message starts with a UDH. */
  readonly udhi: boolean;
  /**
   * GSM tables for the national language ids the UDH announces; return undefined when
   * not supported (the message is then read with `gsmCharset` and flagged).
   */
  readonly resolveGsmCharset?: (languages: NationalLanguageInfo) => GsmCharset | undefined;
}

export interface DecodedShortMessage extends DecodedText {
  /** Elements of the UDH, or null when there is none (or it could not be parsed). */
  readonly udh: UdhElement[] | null;
  /** Why a UDH announced by UDHI could not be parsed; null otherwise. */
  readonly udhError: string | null;
  readonly concatenation: ConcatenationInfo | null;
  /** The UDH asked for national language tables we could not resolve. */
  readonly unsupportedNationalLanguage: boolean;
}

/**
 * Decodes a deliver_sm / data_sm short_message: splits off the UDH when UDHI is set,
 * applies the fill bits packed GSM-7 needs after it and any national language tables it
 * announces, then decodes the text. Never throws. A UDH whose elements are malformed is
 * skipped by its length octet; one whose length overruns the message means UDHI was
 * probably set by mistake, so the whole short_message is read as text.
 */
export function decodeShortMessage(
  shortMessage: Uint8Array,
  dataCoding: number,
  options: DecodeShortMessageOptions,
): DecodedShortMessage {
  let text = shortMessage;
  let elements: UdhElement[] | null = null;
  let udhError: string | null = null;
  let headerLength = 0;
  if (options.udhi) {
    const parsed = parseUdh(shortMessage);
    if (parsed.ok) {
      elements = parsed.elements;
      headerLength = parsed.headerLength;
    } else {
      udhError = parsed.message;
      if (parsed.error === 'element-overrun') headerLength = (shortMessage[0] ?? 0) + 1;
    }
    text = shortMessage.subarray(headerLength);
  }

  let gsmCharset = options.gsmCharset;
  let unsupportedNationalLanguage = false;
  const languages = nationalLanguageInfo(elements ?? []);
  if (languages.locking !== undefined || languages.singleShift !== undefined) {
    const resolved = options.resolveGsmCharset?.(languages);
    if (resolved) gsmCharset = resolved;
    else unsupportedNationalLanguage = true;
  }

  const decoded = decodeFromCarrier(text, dataCoding, {
    ...options,
    gsmCharset: gsmCharset ?? DEFAULT_GSM_CHARSET,
    fillBits: options.gsm7Packing === 'packed' ? fillBitsForUdh(headerLength) : 0,
  });
  return {
    ...decoded,
    udh: elements,
    udhError,
    concatenation: elements ? concatenationInfo(elements) : null,
    unsupportedNationalLanguage,
  };
}

// ---------------------------------------------------------------------------------------
// Parts for the wire (outbound)

export interface EncodePartsOptions {
  readonly charset: WireCharset;
  /** Concatenation reference width for multipart messages. Default 8. */
  readonly concatReference?: 8 | 16;
  /** From ConcatReferenceAllocator; 0–255 for 8-bit, 0–65535 for 16-bit. */
  readonly reference: number;
  readonly gsmCharset?: GsmCharset;
  /**
   * National language ids to announce in every part's UDH. When absent they come from
   * `gsmCharset` (`lockingShiftIdOf` / `singleShiftIdOf`; 0 = default table, no IE).
   */
  readonly nationalLanguageIds?: NationalLanguageInfo;
}

export interface WirePart {
  /** UDH with its UDHL octet, or null (single part, no national tables): send esm_class UDHI iff non-null. */
  readonly udh: Uint8Array | null;
  /** The encoded text of this part. */
  readonly payload: Uint8Array;
  /** udh + payload: submit_sm short_message. */
  readonly shortMessage: Uint8Array;
  readonly dataCoding: number;
  /**
   * TP-User-Data octets once the SMSC sends this part over the air, UDH included (≤ 140).
   * Equal to shortMessage.length for gsm7-packed and ucs2. For gsm7 (unpacked), latin1 and
   * ascii the SMSC packs the text into GSM-7, so it is measured in septets: a 160-character
   * single part is a 160-octet short_message but 140 octets on the air.
   */
  readonly airOctets: number;
}

/**
 * Encodes the parts of one message (e.g. `analyzeBody(body).parts`) as submit_sm
 * short_messages. A single part without national tables has no UDH; otherwise every part
 * carries the concatenation IE (when there are several parts) and the national language
 * IEs. Throws WireEncodingError when a character cannot be encoded ('unrepresentable',
 * with its index in the whole body), when a part would exceed 140 octets on the air or
 * 254 in short_message ('too-long'), or for more than 255 parts.
 */
export function encodePartsForCarrier(parts: readonly string[], options: EncodePartsOptions): WirePart[] {
  const { charset } = options;
  if (parts.length === 0) throw new WireEncodingError('invalid-option', 'no parts to encode (an empty body is [""])');
  if (parts.length > 255) {
    throw new WireEncodingError('too-many-parts', `${parts.length} parts; a concatenated SMS has at most 255`);
  }
  const bits = options.concatReference ?? 8;
  const maxReference = bits === 8 ? 0xff : 0xffff;
  if (!Number.isInteger(options.reference) || options.reference < 0 || options.reference > maxReference) {
    throw new WireEncodingError(
      'invalid-option',
      `reference ${options.reference} does not fit a ${bits}-bit concatenation reference (0–${maxReference})`,
    );
  }
  const isGsm = charset === 'gsm7' || charset === 'gsm7-packed';
  const languages = nationalLanguagesFor(options);
  if (!isGsm && (languages.locking !== undefined || languages.singleShift !== undefined)) {
    throw new WireEncodingError(
      'invalid-option',
      `national language tables apply to GSM-7 only, not to the ${charset} charset`,
    );
  }
  const national: UdhElement[] = [];
  if (languages.locking !== undefined) national.push({ type: 'national-locking-shift', languageId: languages.locking });
  if (languages.singleShift !== undefined) {
    national.push({ type: 'national-single-shift', languageId: languages.singleShift });
  }

  const dataCoding = DATA_CODING_FOR[charset];
  const total = parts.length;
  let bodyOffset = 0;
  return parts.map((text, index) => {
    const sequence = index + 1;
    const elements: UdhElement[] =
      total > 1
        ? [
            bits === 8
              ? { type: 'concatenation-8', reference: options.reference, total, sequence }
              : { type: 'concatenation-16', reference: options.reference, total, sequence },
            ...national,
          ]
        : national;
    const udh = elements.length > 0 ? buildUdh(elements) : null;
    const udhLength = udh?.length ?? 0;
    const fillBits = udh ? fillBitsForUdh(udhLength) : 0;
    const where = total > 1 ? `part ${sequence} of ${total}` : 'message';

    let payload: Uint8Array;
    try {
      payload = encodeText(
        text,
        charset,
        { fillBits, gsmCharset: options.gsmCharset },
        MAX_USER_DATA_OCTETS - udhLength,
      );
    } catch (error) {
      if (!(error instanceof WireEncodingError) || error.index === undefined) throw error;
      const index = bodyOffset + error.index;
      throw new WireEncodingError(error.reason, `${where}: ${error.message} (index ${index} in the body)`, {
        index,
        ...(error.character === undefined ? {} : { character: error.character }),
      });
    }
    bodyOffset += text.length;

    const airOctets = udhLength + airTextOctets(charset, text, payload, fillBits);
    if (airOctets > MAX_USER_DATA_OCTETS) {
      throw new WireEncodingError(
        'too-long',
        `${where} needs ${airOctets} octets of user data (UDH ${udhLength} + text ${airOctets - udhLength}); an SMS carries ${MAX_USER_DATA_OCTETS}`,
      );
    }
    const shortMessage = new Uint8Array(udhLength + payload.length);
    if (udh) shortMessage.set(udh);
    shortMessage.set(payload, udhLength);
    if (shortMessage.length > MAX_SHORT_MESSAGE_OCTETS) {
      throw new WireEncodingError(
        'too-long',
        `${where} is ${shortMessage.length} octets; short_message holds ${MAX_SHORT_MESSAGE_OCTETS}`,
      );
    }
    return { udh, payload, shortMessage, dataCoding, airOctets };
  });
}

function airTextOctets(charset: WireCharset, text: string, payload: Uint8Array, fillBits: number): number {
  switch (charset) {
    case 'gsm7-packed':
    case 'ucs2':
      return payload.length;
    case 'gsm7':
      return packedLength(payload.length, fillBits);
    case 'latin1':
    case 'ascii':
      return packedLength(transcodedSeptets(text), fillBits);
  }
}

/**
 * Septets an SMSC needs for Latin-1 / IA5 text it transcodes to the GSM default alphabet:
 * 2 for extension characters, 1 otherwise. A character outside GSM (e.g. 'á') is counted
 * as the 1-septet substitute SMSCs use; this charset is meant for GSM-7 bodies anyway.
 */
function transcodedSeptets(text: string): number {
  const { bmp } = encodeTableFor(DEFAULT_GSM_CHARSET);
  let septets = 0;
  for (let i = 0; i < text.length; i++) septets += ((bmp[text.charCodeAt(i)] ?? 0) & SHIFTED) !== 0 ? 2 : 1;
  return septets;
}

function nationalLanguagesFor(options: EncodePartsOptions): NationalLanguageInfo {
  if (options.nationalLanguageIds) return options.nationalLanguageIds;
  const charset = options.gsmCharset;
  if (!charset) return {};
  // The charset says which table ids it announces; 0 means the default table and no IE.
  const locking = lockingShiftIdOf(charset);
  const singleShift = singleShiftIdOf(charset);
  return {
    ...(locking !== 0 ? { locking } : {}),
    ...(singleShift !== 0 ? { singleShift } : {}),
  };
}

// ---------------------------------------------------------------------------------------
// Helpers

function unrepresentable(text: string, index: number, charsetName: string): WireEncodingError {
  const codePoint = text.codePointAt(index) ?? 0;
  const character = String.fromCodePoint(codePoint);
  const shown = codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0) ? '' : ` "${character}"`;
  return new WireEncodingError(
    'unrepresentable',
    `Character${shown} (U+${hex4(codePoint)}) at index ${index} cannot be encoded in ${charsetName}`,
    { index, character },
  );
}

function unitsToString(units: Uint16Array, length: number): string {
  // fromCharCode takes arguments, so long messages (message_payload) go in chunks.
  let text = '';
  for (let start = 0; start < length; start += 8192) {
    text += String.fromCharCode(...units.subarray(start, Math.min(length, start + 8192)));
  }
  return text;
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += HEX_OCTETS[byte] ?? '';
  return hex;
}

const HEX_OCTETS: readonly string[] = Array.from({ length: 256 }, (_, byte) =>
  byte.toString(16).padStart(2, '0').toUpperCase(),
);

function hex4(value: number): string {
  return value.toString(16).toUpperCase().padStart(4, '0');
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
