/**
 * Encoding and decoding of single SMPP 3.4 PDUs. Framing a byte stream into PDUs is the
 * reader's job (pdu-reader.ts); here a PDU is exactly command_length octets.
 *
 * Decoding never throws: a bad body becomes a PduDecodeError that says which command_status to
 * answer with, because the session must reply generic_nack (or an error response) and go on,
 * not crash or drop the connection over one bad PDU.
 */
import { COMMAND_STATUS, commandStatusName } from './command-status.js';
import { type CommandName, type FieldSpec, type Pdu, PDU_DEFINITIONS, commandNameOf, isResponseId } from './pdu-definitions.js';
import { PduEncodeError, type Tlv, cStringByteLength, checkInteger, decodeTlvs, latin1, tlvsByteLength, writeCString, writeTlvs } from './tlv.js';

export const HEADER_LENGTH = 16;

/** short_message is limited by sm_length, an Integer 1, and the spec reserves 255 (§5.2.21). */
export const MAX_SHORT_MESSAGE_LENGTH = 254;

export interface PduDecodeError {
  kind: 'decode';
  /** Machine-readable cause, for logs and tests. */
  reason: 'unknown_command' | 'truncated' | 'field_too_long' | 'invalid_sm_length' | 'invalid_tlv' | 'length_mismatch';
  message: string;
  commandId: number;
  /** Set when the id is one we know, e.g. to avoid nacking a malformed response with a nack. */
  command: CommandName | undefined;
  sequenceNumber: number;
  /** What to answer with (generic_nack or the matching *_resp), per §5.1.3. */
  commandStatus: number;
  /** The body field at fault, in our camelCase naming, or 'tlvs' / a TLV name. */
  field?: string;
}

export type DecodeResult = { ok: true; pdu: Pdu } | { ok: false; error: PduDecodeError };

// ---------------------------------------------------------------------------------------------
// Encoding

type FieldRecord = Record<string, unknown>;

function fieldsOf(command: CommandName): readonly FieldSpec[] {
  return PDU_DEFINITIONS[command].fields;
}

/** Body length of the mandatory fields; validates every value so the write cannot fail half-way. */
function mandatoryLength(pdu: Pdu): number {
  const record = pdu as unknown as FieldRecord;
  let total = 0;
  for (const field of fieldsOf(pdu.command)) {
    const value = record[field.key];
    const where = `${pdu.command}.${field.key}`;
    switch (field.kind) {
      case 'u8':
        checkInteger(value as number, 0xff, where);
        total += 1;
        break;
      case 'cstr': {
        if (typeof value !== 'string') throw new PduEncodeError(`${where}: expected a string`);
        const len = cStringByteLength(value, where);
        if (len > field.max) throw new PduEncodeError(`${where}: ${len - 1} characters exceed the maximum of ${field.max - 1}`);
        total += len;
        break;
      }
      case 'sm': {
        if (!(value instanceof Uint8Array)) throw new PduEncodeError(`${where}: expected a Uint8Array`);
        if (value.length > MAX_SHORT_MESSAGE_LENGTH) {
          throw new PduEncodeError(`${where}: ${value.length} octets exceed ${MAX_SHORT_MESSAGE_LENGTH}; send longer text in message_payload`);
        }
        total += 1 + value.length;
        break;
      }
    }
  }
  return total;
}

/**
 * Encodes a PDU to its wire bytes, command_length included. Throws PduEncodeError on values
 * that cannot be represented (a field too long, a NUL in a C-Octet String, an integer out of
 * range): those are bugs in the caller, and sending them would get the bind's PDUs rejected.
 */
export function encodePdu(pdu: Pdu): Uint8Array {
  const definition = PDU_DEFINITIONS[pdu.command] as { id: number; fields: readonly FieldSpec[] } | undefined;
  if (definition === undefined) throw new PduEncodeError(`unknown command ${String(pdu.command)}`);
  checkInteger(pdu.sequenceNumber, 0xffffffff, 'sequenceNumber');
  checkInteger(pdu.status, 0xffffffff, 'status');
  const tlvs: readonly Tlv[] = pdu.tlvs;
  const length = HEADER_LENGTH + mandatoryLength(pdu) + tlvsByteLength(tlvs);
  if (length > 0xffffffff) throw new PduEncodeError(`PDU of ${length} octets is too long`);

  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, length);
  view.setUint32(4, definition.id);
  view.setUint32(8, pdu.status);
  view.setUint32(12, pdu.sequenceNumber);

  const record = pdu as unknown as FieldRecord;
  let pos = HEADER_LENGTH;
  for (const field of definition.fields) {
    const value = record[field.key];
    switch (field.kind) {
      case 'u8':
        bytes[pos++] = value as number;
        break;
      case 'cstr':
        pos = writeCString(bytes, pos, value as string);
        break;
      case 'sm': {
        const message = value as Uint8Array;
        bytes[pos++] = message.length;
        bytes.set(message, pos);
        pos += message.length;
        break;
      }
    }
  }
  writeTlvs(view, bytes, pos, tlvs);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Decoding

function emptyValue(field: FieldSpec): unknown {
  switch (field.kind) {
    case 'u8':
      return 0;
    case 'cstr':
      return '';
    case 'sm':
      return new Uint8Array(0);
  }
}

/**
 * Decodes one complete PDU. `bytes` must hold exactly one PDU (its command_length octets);
 * a mismatch is reported, not thrown. Time is linear in bytes.length.
 */
export function decodePdu(bytes: Uint8Array): DecodeResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length;
  const commandId = end >= 8 ? view.getUint32(4) : 0;
  const status = end >= 12 ? view.getUint32(8) : 0;
  const sequenceNumber = end >= HEADER_LENGTH ? view.getUint32(12) : 0;
  const command = commandNameOf(commandId);

  const fail = (reason: PduDecodeError['reason'], commandStatus: number, message: string, field?: string): DecodeResult => ({
    ok: false,
    error: {
      kind: 'decode',
      reason,
      message,
      commandId,
      command,
      sequenceNumber,
      commandStatus,
      ...(field === undefined ? {} : { field }),
    },
  });

  if (end < HEADER_LENGTH || view.getUint32(0) !== end) {
    const declared = end >= 4 ? view.getUint32(0) : 0;
    return fail('length_mismatch', COMMAND_STATUS.ESME_RINVCMDLEN, `command_length ${declared} does not match the ${end} octets given`);
  }
  if (command === undefined) {
    return fail('unknown_command', COMMAND_STATUS.ESME_RINVCMDID, `unknown command_id 0x${commandId.toString(16).padStart(8, '0')}`);
  }

  const fields = PDU_DEFINITIONS[command].fields as readonly FieldSpec[];
  const out: FieldRecord = { command, sequenceNumber, status };

  // An SMSC may omit the body of a failed response (§4.1.2, §4.4.2, …); an empty body then
  // means "no values", not a malformed PDU we would have to nack.
  if (end === HEADER_LENGTH && isResponseId(commandId) && status !== COMMAND_STATUS.ESME_ROK) {
    for (const field of fields) out[field.key] = emptyValue(field);
    out['tlvs'] = [];
    return { ok: true, pdu: out as unknown as Pdu };
  }

  let pos = HEADER_LENGTH;
  for (const field of fields) {
    switch (field.kind) {
      case 'u8':
        if (pos >= end) return fail('truncated', COMMAND_STATUS.ESME_RINVCMDLEN, `${command} ends before ${field.key}`, field.key);
        out[field.key] = bytes[pos++];
        break;
      case 'cstr': {
        // Scan at most `max` octets: a missing NUL costs bounded time, never a walk to the end.
        const limit = Math.min(end, pos + field.max);
        let nul = pos;
        while (nul < limit && bytes[nul] !== 0) nul++;
        if (nul === limit) {
          if (limit === end && end - pos < field.max) {
            return fail('truncated', COMMAND_STATUS.ESME_RINVCMDLEN, `${command}.${field.key} has no NUL before the end of the PDU`, field.key);
          }
          return fail('field_too_long', field.status, `${command}.${field.key} is longer than ${field.max - 1} characters`, field.key);
        }
        out[field.key] = latin1(bytes, pos, nul);
        pos = nul + 1;
        break;
      }
      case 'sm': {
        if (pos >= end) return fail('truncated', COMMAND_STATUS.ESME_RINVCMDLEN, `${command} ends before sm_length`, 'smLength');
        const smLength = bytes[pos++] as number;
        if (smLength > MAX_SHORT_MESSAGE_LENGTH || pos + smLength > end) {
          return fail(
            'invalid_sm_length',
            COMMAND_STATUS.ESME_RINVMSGLEN,
            `${command}: sm_length ${smLength} but ${end - pos} octets remain`,
            field.key,
          );
        }
        out[field.key] = bytes.slice(pos, pos + smLength);
        pos += smLength;
        break;
      }
    }
  }

  const tlvs = decodeTlvs(bytes, view, pos, end);
  if (!tlvs.ok) return fail('invalid_tlv', tlvs.status, `${command}: ${tlvs.message}`, tlvs.field);
  out['tlvs'] = tlvs.tlvs;
  return { ok: true, pdu: out as unknown as Pdu };
}

/** One line for logs: command, sequence, status name. */
export function describePdu(pdu: Pdu): string {
  const status = pdu.status === 0 ? '' : ` status=${commandStatusName(pdu.status)}`;
  return `${pdu.command} seq=${pdu.sequenceNumber}${status}`;
}
