/**
 * User Data Header (3GPP TS 23.040 §9.2.3.24): the octets at the start of an SMS's user
 * data, announced by esm_class UDHI in SMPP, that tell the handset how to put parts back
 * together (concatenation) and which national language tables the text uses.
 *
 * Layout: UDHL (one octet: length of what follows), then information elements, each
 * IEI (one octet), IEDL (one octet), IED (IEDL octets).
 *
 * Parsing reads bytes that came from a carrier, so it never throws: a header that runs
 * past its bytes is a typed failure, and an element we do not know — or a known one with
 * the wrong length — is kept raw rather than dropped, so nothing a carrier sent is lost.
 */

export const IEI_CONCATENATION_8 = 0x00;
export const IEI_CONCATENATION_16 = 0x08;
export const IEI_NATIONAL_SINGLE_SHIFT = 0x24;
export const IEI_NATIONAL_LOCKING_SHIFT = 0x25;

/** Concatenated short message, 8-bit reference (IEI 0x00): 6 octets with UDHL. */
export interface Concatenation8Element {
  readonly type: 'concatenation-8';
  /** 0–255, the same in every part of one message. */
  readonly reference: number;
  /** Number of parts, 1–255. */
  readonly total: number;
  /** This part's position, 1-based. */
  readonly sequence: number;
}

/** Concatenated short message, 16-bit reference (IEI 0x08): 7 octets with UDHL. */
export interface Concatenation16Element {
  readonly type: 'concatenation-16';
  /** 0–65535. */
  readonly reference: number;
  readonly total: number;
  readonly sequence: number;
}

/** National language single shift (IEI 0x24): which table ESC + code reads from. */
export interface NationalSingleShiftElement {
  readonly type: 'national-single-shift';
  readonly languageId: number;
}

/** National language locking shift (IEI 0x25): which table replaces the basic table. */
export interface NationalLockingShiftElement {
  readonly type: 'national-locking-shift';
  readonly languageId: number;
}

/** Any other element (or a known IEI with an unexpected length), kept byte for byte. */
export interface RawElement {
  readonly type: 'raw';
  readonly iei: number;
  readonly data: Uint8Array;
}

export type UdhElement =
  | Concatenation8Element
  | Concatenation16Element
  | NationalSingleShiftElement
  | NationalLockingShiftElement
  | RawElement;

export type UdhParseError =
  /** No octets at all, so not even a UDHL. */
  | 'empty'
  /** UDHL claims more octets than there are. */
  | 'truncated'
  /** An element's header or data runs past the end of the UDH. */
  | 'element-overrun';

export type UdhParseResult =
  | {
      readonly ok: true;
      readonly elements: UdhElement[];
      /** Octets the header occupies, UDHL included (the text starts at this offset). */
      readonly headerLength: number;
    }
  | { readonly ok: false; readonly error: UdhParseError; readonly message: string };

/** User data on the air interface is at most 140 octets, so no header can be longer. */
export const MAX_UDH_OCTETS = 140;

/**
 * Builds a UDH, UDHL included. Elements are written in the order given (the spec sets no
 * order). Throws a RangeError for values that do not fit their fields — that is a bug in
 * the caller, not bad input from a carrier.
 */
export function buildUdh(elements: readonly UdhElement[]): Uint8Array {
  const body: number[] = [];
  for (const element of elements) {
    switch (element.type) {
      case 'concatenation-8':
        checkOctet(element.reference, 'concatenation reference (8-bit)');
        checkOctet(element.total, 'concatenation total');
        checkOctet(element.sequence, 'concatenation sequence');
        body.push(IEI_CONCATENATION_8, 3, element.reference, element.total, element.sequence);
        break;
      case 'concatenation-16':
        checkInteger(element.reference, 0, 0xffff, 'concatenation reference (16-bit)');
        checkOctet(element.total, 'concatenation total');
        checkOctet(element.sequence, 'concatenation sequence');
        body.push(
          IEI_CONCATENATION_16,
          4,
          element.reference >> 8,
          element.reference & 0xff,
          element.total,
          element.sequence,
        );
        break;
      case 'national-single-shift':
        checkOctet(element.languageId, 'national language id');
        body.push(IEI_NATIONAL_SINGLE_SHIFT, 1, element.languageId);
        break;
      case 'national-locking-shift':
        checkOctet(element.languageId, 'national language id');
        body.push(IEI_NATIONAL_LOCKING_SHIFT, 1, element.languageId);
        break;
      case 'raw':
        checkOctet(element.iei, 'IEI');
        checkOctet(element.data.length, 'IE data length');
        body.push(element.iei, element.data.length, ...element.data);
        break;
    }
  }
  if (body.length + 1 > MAX_UDH_OCTETS) {
    throw new RangeError(`UDH would be ${body.length + 1} octets; an SMS carries at most ${MAX_UDH_OCTETS}`);
  }
  const header = new Uint8Array(body.length + 1);
  header[0] = body.length;
  header.set(body, 1);
  return header;
}

/**
 * Parses the UDH at the start of `bytes` (the short_message of a PDU with UDHI set). The
 * octets after `headerLength` are the text and are not looked at.
 */
export function parseUdh(bytes: Uint8Array): UdhParseResult {
  const udhl = bytes[0];
  if (udhl === undefined) return failure('empty', 'no octets: a UDH needs at least its length octet');
  const headerLength = udhl + 1;
  if (headerLength > bytes.length) {
    return failure('truncated', `UDHL says ${udhl} octets follow but only ${bytes.length - 1} do`);
  }
  const elements: UdhElement[] = [];
  let offset = 1;
  while (offset < headerLength) {
    const iei = bytes[offset];
    const length = bytes[offset + 1];
    if (iei === undefined || length === undefined || offset + 2 > headerLength) {
      return failure('element-overrun', `element at octet ${offset} has no length octet inside the UDH`);
    }
    const start = offset + 2;
    const end = start + length;
    if (end > headerLength) {
      return failure(
        'element-overrun',
        `element 0x${hex(iei)} at octet ${offset} claims ${length} octets, past the UDH's end at ${headerLength}`,
      );
    }
    elements.push(readElement(iei, bytes.subarray(start, end)));
    offset = end;
  }
  return { ok: true, elements, headerLength };
}

export interface ConcatenationInfo {
  readonly reference: number;
  readonly total: number;
  readonly sequence: number;
  /** Width of the reference: two messages with equal numbers but different widths are distinct. */
  readonly referenceBits: 8 | 16;
}

/**
 * The concatenation this part belongs to, or null for a standalone message. TS 23.040
 * says to ignore an element whose total or sequence is 0 or whose sequence exceeds the
 * total, and that a repeated element's last occurrence wins; both are followed here.
 */
export function concatenationInfo(elements: readonly UdhElement[]): ConcatenationInfo | null {
  let found: ConcatenationInfo | null = null;
  for (const element of elements) {
    if (element.type !== 'concatenation-8' && element.type !== 'concatenation-16') continue;
    const { reference, total, sequence } = element;
    if (total === 0 || sequence === 0 || sequence > total) continue;
    found = { reference, total, sequence, referenceBits: element.type === 'concatenation-8' ? 8 : 16 };
  }
  return found;
}

export interface NationalLanguageInfo {
  readonly locking?: number;
  readonly singleShift?: number;
}

/** National language tables the UDH announces (last occurrence of each wins). */
export function nationalLanguageInfo(elements: readonly UdhElement[]): NationalLanguageInfo {
  let locking: number | undefined;
  let singleShift: number | undefined;
  for (const element of elements) {
    if (element.type === 'national-locking-shift') locking = element.languageId;
    else if (element.type === 'national-single-shift') singleShift = element.languageId;
  }
  return {
    ...(locking === undefined ? {} : { locking }),
    ...(singleShift === undefined ? {} : { singleShift }),
  };
}

function readElement(iei: number, data: Uint8Array): UdhElement {
  // Known IEIs are typed only at their specified length; anything else stays raw so a
  // malformed element neither breaks the parse nor gets silently reinterpreted.
  if (iei === IEI_CONCATENATION_8 && data.length === 3) {
    return { type: 'concatenation-8', reference: at(data, 0), total: at(data, 1), sequence: at(data, 2) };
  }
  if (iei === IEI_CONCATENATION_16 && data.length === 4) {
    return {
      type: 'concatenation-16',
      reference: (at(data, 0) << 8) | at(data, 1),
      total: at(data, 2),
      sequence: at(data, 3),
    };
  }
  if (iei === IEI_NATIONAL_SINGLE_SHIFT && data.length === 1) {
    return { type: 'national-single-shift', languageId: at(data, 0) };
  }
  if (iei === IEI_NATIONAL_LOCKING_SHIFT && data.length === 1) {
    return { type: 'national-locking-shift', languageId: at(data, 0) };
  }
  // Copy: the caller's buffer may be reused by the transport after parsing.
  return { type: 'raw', iei, data: data.slice() };
}

function at(data: Uint8Array, index: number): number {
  return data[index] ?? 0;
}

function failure(error: UdhParseError, message: string): UdhParseResult {
  return { ok: false, error, message };
}

function checkOctet(value: number, what: string): void {
  checkInteger(value, 0, 0xff, what);
}

function checkInteger(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer ${min}–${max}, got ${value}`);
  }
}

function hex(value: number): string {
  return value.toString(16).padStart(2, '0').toUpperCase();
}
