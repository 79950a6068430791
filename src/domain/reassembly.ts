/**
 * Rules for putting a concatenated (multipart) inbound SMS back together.
 *
 * A sender's phone splits a long text into parts, each carrying (reference, total,
 * sequence) in a UDH (IEI 0x00 with an 8-bit reference, 0x08 with a 16-bit one) or in
 * SMPP SAR TLVs. Parts are keyed by (carrier, sender, recipient, reference, total): the
 * reference alone is not unique, since every phone picks its own and reuses them.
 *
 * Parts may arrive out of order, twice, or interleaved with other messages. A set is
 * complete when sequences 1..total are all present, and its body is the parts' texts in
 * sequence order. A set still incomplete when its timeout runs out is released anyway
 * with the parts it has, each run of missing parts shown by GAP_MARKER, so that nothing
 * a customer sent is held back forever and staff can see that something is missing.
 *
 * Pure: the store keeps the parts, the app decides when to look; this module only judges.
 */

/** Both the UDH IEs and the SAR TLV carry total and sequence in one octet. */
export const MAX_CONCAT_TOTAL = 255;
/** 16-bit references (UDH IEI 0x08, SAR sar_msg_ref_num); 8-bit ones fit inside. */
export const MAX_CONCAT_REFERENCE = 0xffff;

/** How long an incomplete set waits for its missing parts, unless configured otherwise. */
export const DEFAULT_REASSEMBLY_TIMEOUT_SECONDS = 300;

/**
 * How long a released set's parts are remembered. A carrier that never saw our
 * acknowledgement redelivers a part after the message was already built; recognising
 * it (same key, sequence and text) stops it from turning into a stray fragment. Kept
 * bounded because references roll over and the table should not grow without end.
 */
export const RELEASED_PART_RETENTION_SECONDS = 3600;

/**
 * Stands in for each run of missing parts. Visible and unlikely in real text. It is set
 * off by a space from the text on either side (unless that text already has whitespace
 * there), because a gap rarely falls on a word boundary: "Can I move my […] Friday".
 */
export const GAP_MARKER = '[…]';

/**
 * Which multipart message a part belongs to. The sender and recipient are kept exactly as
 * the carrier wrote them: every part of one message comes through the same carrier in the
 * same shape, and grouping must not depend on number parsing.
 */
export interface PartSetKey {
  carrierId: string;
  from: string;
  to: string;
  reference: number;
  total: number;
}

/** What a carrier parsed from a part's UDH or SAR TLVs. */
export interface ConcatInfo {
  reference: number;
  total: number;
  sequence: number;
}

export type ConcatCheck =
  /** A real part of a multipart message: store it and wait for the rest. */
  | { kind: 'part'; concat: ConcatInfo }
  /** No concatenation, or a "set" of one: the text is complete as it is. */
  | { kind: 'single' }
  /**
   * Values no sender should produce. The text is still a customer's words, so it is
   * delivered on its own rather than dropped or parked in a set that can never complete.
   */
  | { kind: 'invalid'; reason: string };

export function checkConcat(concat: ConcatInfo | undefined): ConcatCheck {
  if (concat === undefined) return { kind: 'single' };
  const { reference, total, sequence } = concat;
  if (!Number.isInteger(reference) || reference < 0 || reference > MAX_CONCAT_REFERENCE) {
    return { kind: 'invalid', reason: `reference ${reference} is not in 0..${MAX_CONCAT_REFERENCE}` };
  }
  if (!Number.isInteger(total) || total < 1 || total > MAX_CONCAT_TOTAL) {
    return { kind: 'invalid', reason: `total ${total} is not in 1..${MAX_CONCAT_TOTAL}` };
  }
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > total) {
    return { kind: 'invalid', reason: `sequence ${sequence} is not in 1..${total}` };
  }
  if (total === 1) return { kind: 'single' };
  return { kind: 'part', concat: { reference, total, sequence } };
}

/** One part's place and text. */
export interface PartText {
  sequence: number;
  body: string;
}

export type PartDecision =
  | { action: 'store' }
  /**
   * The set already holds this sequence. The first copy wins: it is already durable, and
   * choosing by arrival keeps the outcome independent of how many copies follow.
   * `conflicting` says the copies' texts differ (a carrier bug, or two messages sharing a
   * reference), which is worth a note because one text is being discarded.
   */
  | { action: 'ignore'; conflicting: boolean };

/** Decides what to do with an incoming part, given the parts its open set already holds. */
export function decidePart(held: readonly PartText[], incoming: PartText): PartDecision {
  const earlier = held.find((part) => part.sequence === incoming.sequence);
  if (!earlier) return { action: 'store' };
  return { action: 'ignore', conflicting: earlier.body !== incoming.body };
}

export interface Reassembled {
  /** The parts' texts in sequence order, with GAP_MARKER for each run of missing parts. */
  body: string;
  /** The same without markers: what the sender actually typed, as far as it arrived (for encoding). */
  text: string;
  complete: boolean;
  /** Sequences present, ascending. */
  present: number[];
  /** Sequences missing, ascending. */
  missing: number[];
}

/**
 * Joins a set's parts. Parts may come in any order; for a repeated sequence the first in
 * the list wins (callers pass arrival order); sequences outside 1..total are ignored.
 */
export function reassemble(total: number, parts: readonly PartText[]): Reassembled {
  const bySequence = new Map<number, string>();
  for (const part of parts) {
    if (part.sequence < 1 || part.sequence > total || bySequence.has(part.sequence)) continue;
    bySequence.set(part.sequence, part.body);
  }
  const present: number[] = [];
  const missing: number[] = [];
  let body = '';
  let text = '';
  let afterGap = false;
  for (let sequence = 1; sequence <= total; sequence++) {
    const part = bySequence.get(sequence);
    if (part === undefined) {
      if (missing.at(-1) !== sequence - 1) {
        body += body === '' || /\s$/u.test(body) ? GAP_MARKER : ` ${GAP_MARKER}`;
        afterGap = true;
      }
      missing.push(sequence);
      continue;
    }
    present.push(sequence);
    body += afterGap && !/^\s/u.test(part) ? ` ${part}` : part;
    text += part;
    afterGap = false;
  }
  return { body, text, complete: missing.length === 0, present, missing };
}

/** For the message's errorMessage and the log: which parts came and which never did. */
export function describeIncomplete(
  total: number,
  result: Pick<Reassembled, 'present' | 'missing'>,
  timeoutSeconds: number,
): string {
  const noun = result.missing.length === 1 ? 'part' : 'parts';
  return `${result.present.length} of ${total} parts arrived within ${timeoutSeconds} s; ${noun} ${formatRuns(result.missing)} missing`;
}

/** "2, 4-6, 9": short even when a 200-part message lost most of itself. */
function formatRuns(sequences: readonly number[]): string {
  const runs: string[] = [];
  let start = sequences[0];
  let previous = start;
  for (const sequence of [...sequences.slice(1), Number.NaN]) {
    if (start === undefined || previous === undefined) break;
    if (sequence === previous + 1) {
      previous = sequence;
      continue;
    }
    runs.push(start === previous ? `${start}` : `${start}-${previous}`);
    start = sequence;
    previous = sequence;
  }
  return runs.join(', ');
}

/** When a set whose first part arrived at `firstReceivedAt` is released incomplete. */
export function reassemblyDeadline(firstReceivedAt: Date, timeoutSeconds: number): Date {
  return new Date(firstReceivedAt.getTime() + timeoutSeconds * 1000);
}

/** The error code an inbound message carries when it was released with parts missing. */
export const INCOMPLETE_MESSAGE_CODE = 'incomplete_multipart';
