/**
 * SMPP 3.4 optional parameters (TLVs, spec §5.3). Known tags decode to typed values; any other
 * tag is kept as raw bytes and re-encoded unchanged, because the spec requires a peer to ignore
 * (not reject) parameters it does not understand, and an SMSC's vendor TLVs must survive a
 * decode → encode trip (the local SMSC and tests rely on that).
 */
import { COMMAND_STATUS } from './command-status.js';

type TlvType =
  | { readonly kind: 'u8' }
  | { readonly kind: 'u16' }
  | { readonly kind: 'u32' }
  /** NUL-terminated text; `max` counts the NUL, as the spec's sizes do. */
  | { readonly kind: 'cstr'; readonly max: number }
  | { readonly kind: 'octets'; readonly max: number }
  /** network_error_code: network type (1 octet) + error code (2 octets). */
  | { readonly kind: 'network_error' };

const U8 = { kind: 'u8' } as const;
const U16 = { kind: 'u16' } as const;
const U32 = { kind: 'u32' } as const;

/** The TLVs of SMPP 3.4 §5.3.2 with their value types; tags not listed here stay raw. */
export const TLV_DEFINITIONS = {
  dest_addr_subunit: { tag: 0x0005, type: U8 },
  dest_network_type: { tag: 0x0006, type: U8 },
  dest_bearer_type: { tag: 0x0007, type: U8 },
  dest_telematics_id: { tag: 0x0008, type: U16 },
  source_addr_subunit: { tag: 0x000d, type: U8 },
  source_network_type: { tag: 0x000e, type: U8 },
  source_bearer_type: { tag: 0x000f, type: U8 },
  source_telematics_id: { tag: 0x0010, type: U8 },
  qos_time_to_live: { tag: 0x0017, type: U32 },
  payload_type: { tag: 0x0019, type: U8 },
  additional_status_info_text: { tag: 0x001d, type: { kind: 'cstr', max: 256 } },
  receipted_message_id: { tag: 0x001e, type: { kind: 'cstr', max: 65 } },
  ms_msg_wait_facilities: { tag: 0x0030, type: U8 },
  privacy_indicator: { tag: 0x0201, type: U8 },
  source_subaddress: { tag: 0x0202, type: { kind: 'octets', max: 23 } },
  dest_subaddress: { tag: 0x0203, type: { kind: 'octets', max: 23 } },
  user_message_reference: { tag: 0x0204, type: U16 },
  user_response_code: { tag: 0x0205, type: U8 },
  source_port: { tag: 0x020a, type: U16 },
  destination_port: { tag: 0x020b, type: U16 },
  sar_msg_ref_num: { tag: 0x020c, type: U16 },
  language_indicator: { tag: 0x020d, type: U8 },
  sar_total_segments: { tag: 0x020e, type: U8 },
  sar_segment_seqnum: { tag: 0x020f, type: U8 },
  sc_interface_version: { tag: 0x0210, type: U8 },
  callback_num_pres_ind: { tag: 0x0302, type: U8 },
  callback_num_atag: { tag: 0x0303, type: { kind: 'octets', max: 65 } },
  number_of_messages: { tag: 0x0304, type: U8 },
  callback_num: { tag: 0x0381, type: { kind: 'octets', max: 19 } },
  dpf_result: { tag: 0x0420, type: U8 },
  set_dpf: { tag: 0x0421, type: U8 },
  ms_availability_status: { tag: 0x0422, type: U8 },
  network_error_code: { tag: 0x0423, type: { kind: 'network_error' } },
  // Bounded only by the PDU: 0xFFFF is the TLV length field's own limit.
  message_payload: { tag: 0x0424, type: { kind: 'octets', max: 0xffff } },
  delivery_failure_reason: { tag: 0x0425, type: U8 },
  more_messages_to_send: { tag: 0x0426, type: U8 },
  message_state: { tag: 0x0427, type: U8 },
  ussd_service_op: { tag: 0x0501, type: U8 },
  display_time: { tag: 0x1201, type: U8 },
  sms_signal: { tag: 0x1203, type: U16 },
  ms_validity: { tag: 0x1204, type: U8 },
  its_reply_type: { tag: 0x1380, type: U8 },
  its_session_info: { tag: 0x1383, type: U16 },
} as const satisfies Record<string, { tag: number; type: TlvType }>;

export type KnownTlvName = keyof typeof TLV_DEFINITIONS;

export interface NetworkErrorCode {
  /** 1 = ANSI-136, 2 = IS-95, 3 = GSM, 4 = reserved… (spec §5.3.2.31). */
  networkType: number;
  errorCode: number;
}

type ValueOfType<T extends TlvType> = T extends { kind: 'u8' | 'u16' | 'u32' }
  ? number
  : T extends { kind: 'cstr' }
    ? string
    : T extends { kind: 'octets' }
      ? Uint8Array
      : T extends { kind: 'network_error' }
        ? NetworkErrorCode
        : never;

export type TlvValue<N extends KnownTlvName> = ValueOfType<(typeof TLV_DEFINITIONS)[N]['type']>;

export type KnownTlv = { [N in KnownTlvName]: { name: N; value: TlvValue<N> } }[KnownTlvName];

/** A TLV whose tag we do not interpret; kept byte for byte. */
export interface RawTlv {
  name: 'raw';
  tag: number;
  value: Uint8Array;
}

export type Tlv = KnownTlv | RawTlv;

const NAME_BY_TAG = new Map<number, KnownTlvName>(
  (Object.keys(TLV_DEFINITIONS) as KnownTlvName[]).map((name) => [TLV_DEFINITIONS[name].tag, name]),
);

/** The first TLV of that name, typed; SMPP does not repeat known TLVs in one PDU. */
export function findTlv<N extends KnownTlvName>(tlvs: readonly Tlv[], name: N): TlvValue<N> | undefined {
  for (const tlv of tlvs) {
    if (tlv.name === name) return tlv.value as TlvValue<N>;
  }
  return undefined;
}

/** Builds a typed TLV; saves callers spelling out the union member. */
export function tlv<N extends KnownTlvName>(name: N, value: TlvValue<N>): KnownTlv {
  return { name, value } as KnownTlv;
}

// ---------------------------------------------------------------------------------------------
// Encoding

export class PduEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PduEncodeError';
  }
}

function typeOf(tlvItem: Tlv): TlvType | undefined {
  return tlvItem.name === 'raw' ? undefined : TLV_DEFINITIONS[tlvItem.name].type;
}

/** Latin-1 byte length of a C-octet string including its NUL; throws on characters SMPP cannot carry. */
export function cStringByteLength(value: string, field: string): number {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    // A NUL inside would end the string early on the wire and shift every later field.
    if (code === 0 || code > 0xff) {
      throw new PduEncodeError(`${field}: character U+${code.toString(16).padStart(4, '0')} cannot be sent in a C-Octet String`);
    }
  }
  return value.length + 1;
}

function tlvValueLength(item: Tlv): number {
  const type = typeOf(item);
  if (type === undefined) return (item as RawTlv).value.length;
  switch (type.kind) {
    case 'u8':
      return 1;
    case 'u16':
      return 2;
    case 'u32':
      return 4;
    case 'network_error':
      return 3;
    case 'cstr': {
      const len = cStringByteLength(item.value as string, item.name);
      if (len > type.max) throw new PduEncodeError(`${item.name}: ${len} octets exceed the maximum of ${type.max}`);
      return len;
    }
    case 'octets': {
      const len = (item.value as Uint8Array).length;
      if (len > type.max) throw new PduEncodeError(`${item.name}: ${len} octets exceed the maximum of ${type.max}`);
      return len;
    }
  }
}

/** Octets the TLVs take on the wire (tag + length + value each). Validates as it goes. */
export function tlvsByteLength(tlvs: readonly Tlv[]): number {
  let total = 0;
  for (const item of tlvs) {
    if (item.name === 'raw' && (!Number.isInteger(item.tag) || item.tag < 0 || item.tag > 0xffff)) {
      throw new PduEncodeError(`raw TLV tag ${item.tag} is not a 16-bit integer`);
    }
    const len = tlvValueLength(item);
    if (len > 0xffff) throw new PduEncodeError(`TLV ${item.name}: ${len} octets do not fit a 16-bit length`);
    total += 4 + len;
  }
  return total;
}

export function checkInteger(value: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    // DataView would silently wrap an out-of-range value into a different, valid-looking one.
    throw new PduEncodeError(`${field}: ${value} is not an integer in 0..${max}`);
  }
}

/** Writes TLVs at `offset`; returns the offset after them. Call tlvsByteLength first. */
export function writeTlvs(view: DataView, bytes: Uint8Array, offset: number, tlvs: readonly Tlv[]): number {
  let pos = offset;
  for (const item of tlvs) {
    const type = typeOf(item);
    const tag = item.name === 'raw' ? item.tag : TLV_DEFINITIONS[item.name].tag;
    view.setUint16(pos, tag);
    const lengthAt = pos + 2;
    pos += 4;
    if (type === undefined) {
      const raw = (item as RawTlv).value;
      bytes.set(raw, pos);
      pos += raw.length;
    } else {
      switch (type.kind) {
        case 'u8':
          checkInteger(item.value as number, 0xff, item.name);
          view.setUint8(pos, item.value as number);
          pos += 1;
          break;
        case 'u16':
          checkInteger(item.value as number, 0xffff, item.name);
          view.setUint16(pos, item.value as number);
          pos += 2;
          break;
        case 'u32':
          checkInteger(item.value as number, 0xffffffff, item.name);
          view.setUint32(pos, item.value as number);
          pos += 4;
          break;
        case 'network_error': {
          const v = item.value as NetworkErrorCode;
          checkInteger(v.networkType, 0xff, `${item.name}.networkType`);
          checkInteger(v.errorCode, 0xffff, `${item.name}.errorCode`);
          view.setUint8(pos, v.networkType);
          view.setUint16(pos + 1, v.errorCode);
          pos += 3;
          break;
        }
        case 'cstr':
          pos = writeCString(bytes, pos, item.value as string);
          break;
        case 'octets': {
          const v = item.value as Uint8Array;
          bytes.set(v, pos);
          pos += v.length;
          break;
        }
      }
    }
    view.setUint16(lengthAt, pos - lengthAt - 2);
  }
  return pos;
}

/** Writes `value` as Latin-1 + NUL (already validated by cStringByteLength). */
export function writeCString(bytes: Uint8Array, offset: number, value: string): number {
  let pos = offset;
  for (let i = 0; i < value.length; i++) bytes[pos++] = value.charCodeAt(i);
  bytes[pos++] = 0;
  return pos;
}

// ---------------------------------------------------------------------------------------------
// Decoding

export type TlvDecodeResult =
  | { ok: true; tlvs: Tlv[] }
  | { ok: false; status: number; message: string; field: string };

/**
 * Latin-1 decoding by hand: TextDecoder('latin1') is really windows-1252 and would not
 * give back the bytes we read, breaking byte-exact re-encoding.
 */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i] as number);
  return out;
}

/** Decodes the TLVs in bytes[start, end). Linear in the span; never reads outside it. */
export function decodeTlvs(bytes: Uint8Array, view: DataView, start: number, end: number): TlvDecodeResult {
  const tlvs: Tlv[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 4) {
      return { ok: false, status: COMMAND_STATUS.ESME_RINVOPTPARSTREAM, message: `${end - pos} stray octets after the last TLV`, field: 'tlvs' };
    }
    const tag = view.getUint16(pos);
    const length = view.getUint16(pos + 2);
    const valueStart = pos + 4;
    const valueEnd = valueStart + length;
    if (valueEnd > end) {
      return {
        ok: false,
        status: COMMAND_STATUS.ESME_RINVOPTPARSTREAM,
        message: `TLV 0x${tag.toString(16).padStart(4, '0')} claims ${length} octets but only ${end - valueStart} remain`,
        field: 'tlvs',
      };
    }
    const name = NAME_BY_TAG.get(tag);
    if (name === undefined) {
      tlvs.push({ name: 'raw', tag, value: bytes.slice(valueStart, valueEnd) });
    } else {
      const decoded = decodeKnown(name, bytes, view, valueStart, length);
      if (typeof decoded === 'string') {
        return { ok: false, status: COMMAND_STATUS.ESME_RINVPARLEN, message: decoded, field: name };
      }
      tlvs.push(decoded);
    }
    pos = valueEnd;
  }
  return { ok: true, tlvs };
}

/** Returns the typed TLV, or a message saying why its length is wrong for its type. */
function decodeKnown(name: KnownTlvName, bytes: Uint8Array, view: DataView, at: number, length: number): KnownTlv | string {
  const type: TlvType = TLV_DEFINITIONS[name].type;
  const fixed = type.kind === 'u8' ? 1 : type.kind === 'u16' ? 2 : type.kind === 'u32' ? 4 : type.kind === 'network_error' ? 3 : -1;
  if (fixed !== -1 && length !== fixed) return `${name}: length ${length}, expected ${fixed}`;
  switch (type.kind) {
    case 'u8':
      return { name, value: view.getUint8(at) } as KnownTlv;
    case 'u16':
      return { name, value: view.getUint16(at) } as KnownTlv;
    case 'u32':
      return { name, value: view.getUint32(at) } as KnownTlv;
    case 'network_error':
      return { name, value: { networkType: view.getUint8(at), errorCode: view.getUint16(at + 1) } } as KnownTlv;
    case 'cstr': {
      if (length > type.max) return `${name}: length ${length} exceeds the maximum of ${type.max}`;
      // Lenient on purpose: several SMSCs send receipted_message_id without its NUL. The text
      // ends at the first NUL or at the end of the value, whichever comes first.
      let stop = at;
      const end = at + length;
      while (stop < end && bytes[stop] !== 0) stop++;
      return { name, value: latin1(bytes, at, stop) } as KnownTlv;
    }
    case 'octets':
      if (length > type.max) return `${name}: length ${length} exceeds the maximum of ${type.max}`;
      return { name, value: bytes.slice(at, at + length) } as KnownTlv;
  }
}
