/**
 * Splits a TCP byte stream into SMPP PDUs. TCP gives no message boundaries: one chunk may hold
 * half a PDU or several, so the reader buffers and frames by command_length.
 *
 * Guarantees the session relies on:
 * - push() never throws, whatever the bytes.
 * - Work is linear in the bytes pushed: every octet is copied at most a constant number of
 *   times (amortised buffer growth), and each PDU is decoded once, when complete.
 * - A command_length that cannot be right (< 16 or > maxPduLength) is fatal: framing is lost
 *   and no later byte can be trusted, so the reader stops and the session closes the
 *   connection. Waiting for a 4 GiB "PDU" instead would be an unbounded buffer.
 * - A well-framed PDU with a bad body is reported with the status to answer with; reading
 *   continues with the next PDU.
 */
import { COMMAND_STATUS } from './command-status.js';
import { type PduDecodeError, HEADER_LENGTH, decodePdu } from './pdu-codec.js';
import type { Pdu } from './pdu-definitions.js';

export const DEFAULT_MAX_PDU_LENGTH = 64 * 1024;

export interface PduFramingError {
  kind: 'framing';
  message: string;
  commandLength: number;
  /** Known when the 16-octet header had arrived, so a generic_nack can echo it. */
  sequenceNumber: number | undefined;
  commandStatus: number;
}

export type PduReadEvent =
  | { type: 'pdu'; pdu: Pdu }
  | { type: 'invalid'; error: PduDecodeError }
  | { type: 'fatal'; error: PduFramingError };

export interface PduReaderOptions {
  /** Largest command_length accepted; default 64 KiB (a message_payload PDU fits easily). */
  maxPduLength?: number;
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

export class PduReader {
  readonly maxPduLength: number;
  /** The start of one incomplete PDU, never more: complete PDUs are decoded as they arrive. */
  private pending = new Uint8Array(HEADER_LENGTH);
  private pendingLength = 0;
  private fatal = false;

  constructor(options: PduReaderOptions = {}) {
    const max = options.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH;
    // A configuration mistake, caught at construction rather than as odd framing later.
    if (!Number.isInteger(max) || max < HEADER_LENGTH || max > 0xffffffff) {
      throw new RangeError(`maxPduLength must be an integer in ${HEADER_LENGTH}..${0xffffffff}, got ${max}`);
    }
    this.maxPduLength = max;
  }

  /** True once a framing error was reported; further input is ignored. */
  get failed(): boolean {
    return this.fatal;
  }

  /** Octets of an incomplete PDU waiting for more input. */
  get bufferedLength(): number {
    return this.pendingLength;
  }

  /** Feeds a chunk; returns what became complete, in stream order. */
  push(chunk: Uint8Array): PduReadEvent[] {
    const events: PduReadEvent[] = [];
    if (this.fatal) return events;
    let offset = 0;

    if (this.pendingLength > 0) {
      // Finish the PDU already started, taking from the chunk only the octets it still needs,
      // so a large chunk is never copied just because a PDU straddled its start.
      if (this.pendingLength < 4) {
        offset = this.take(chunk, offset, 4 - this.pendingLength);
        if (this.pendingLength < 4) return events;
      }
      const length = readUint32(this.pending, 0);
      if (!this.validLength(length)) return this.fail(events, length, undefined);
      offset = this.take(chunk, offset, length - this.pendingLength);
      if (this.pendingLength < length) return events;
      events.push(this.decode(this.pending.subarray(0, length)));
      this.pendingLength = 0;
    }

    // Frame the rest of the chunk in place.
    while (chunk.length - offset >= 4) {
      const length = readUint32(chunk, offset);
      if (!this.validLength(length)) {
        const sequenceNumber = chunk.length - offset >= HEADER_LENGTH ? readUint32(chunk, offset + 12) : undefined;
        return this.fail(events, length, sequenceNumber);
      }
      if (chunk.length - offset < length) break;
      events.push(this.decode(chunk.subarray(offset, offset + length)));
      offset += length;
    }
    if (offset < chunk.length) this.take(chunk, offset, chunk.length - offset);
    return events;
  }

  private validLength(length: number): boolean {
    return length >= HEADER_LENGTH && length <= this.maxPduLength;
  }

  private decode(bytes: Uint8Array): PduReadEvent {
    // decodePdu copies what it keeps (strings, slices), so reusing `pending` afterwards is safe.
    const result = decodePdu(bytes);
    return result.ok ? { type: 'pdu', pdu: result.pdu } : { type: 'invalid', error: result.error };
  }

  private fail(events: PduReadEvent[], length: number, sequenceNumber: number | undefined): PduReadEvent[] {
    this.fatal = true;
    this.pending = new Uint8Array(0);
    this.pendingLength = 0;
    events.push({
      type: 'fatal',
      error: {
        kind: 'framing',
        message: `command_length ${length} is outside ${HEADER_LENGTH}..${this.maxPduLength}`,
        commandLength: length,
        sequenceNumber,
        commandStatus: COMMAND_STATUS.ESME_RINVCMDLEN,
      },
    });
    return events;
  }

  /** Copies up to `count` octets of chunk[offset..] into `pending`; returns the new offset. */
  private take(chunk: Uint8Array, offset: number, count: number): number {
    const n = Math.min(count, chunk.length - offset);
    const needed = this.pendingLength + n;
    if (needed > this.pending.length) {
      // `needed` never exceeds the PDU's validated command_length, so doubling capped at
      // maxPduLength keeps memory bounded and the copying amortised-linear.
      const next = new Uint8Array(Math.max(needed, Math.min(this.pending.length * 2, this.maxPduLength)));
      next.set(this.pending.subarray(0, this.pendingLength));
      this.pending = next;
    }
    this.pending.set(chunk.subarray(offset, offset + n), this.pendingLength);
    this.pendingLength += n;
    return offset + n;
  }
}
