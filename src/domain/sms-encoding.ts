import { GSM_BASIC_CHARACTERS, GSM_EXTENSION_CHARACTERS } from './gsm-alphabet.js';

/**
 * Exact GSM 03.38 / UCS-2 analysis of an SMS body: which encoding it needs,
 * how many parts (billed segments) it is sent as, and what each part holds.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface BodyAnalysis {
  encoding: SmsEncoding;
  /** Number of SMS parts; carriers bill per part. */
  segments: number;
  /** Unicode code points in the body ('😀' is 1, although it is 2 UTF-16 units). */
  characters: number;
  /** Text of each part, in order; `parts.join('') === body`. */
  parts: string[];
  /**
   * Distinct grapheme clusters that contain a character outside GSM 03.38 and
   * so forced UCS-2, in order of first appearance; [] for GSM-7. Whole
   * clusters are reported (a flag rather than its two regional indicators) so
   * the sender sees what to change.
   */
  unicodeCharacters: string[];
}

/** Capacity of a lone SMS, in septets (GSM-7) or UTF-16 code units (UCS-2). */
const SINGLE_PART_CAPACITY: Readonly<Record<SmsEncoding, number>> = {
  'GSM-7': 160,
  'UCS-2': 70,
};

/**
 * Capacity of each part of a concatenated SMS. The 6-octet user data header
 * (8-bit reference concatenation) eats 48 bits of the 140-octet payload:
 * 7 septets for GSM-7 (with fill bits) and 3 UCS-2 code units.
 */
const MULTI_PART_CAPACITY: Readonly<Record<SmsEncoding, number>> = {
  'GSM-7': 153,
  'UCS-2': 67,
};

// One shared instance: constructing a segmenter loads ICU data, and bodies are
// analysed on every compose keystroke and every send.
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Septets needed to send `char` in GSM-7: 1 for the basic table, 2 for the
 * extension table (ESC + code). Returns 0 — rather than throwing — when `char`
 * is not exactly one GSM 03.38 character (including '', a multi-character
 * string, or a character that needs UCS-2), so callers can use it as a
 * membership test without try/catch.
 */
export function gsmSeptetLength(char: string): number {
  if (GSM_BASIC_CHARACTERS.has(char)) return 1;
  if (GSM_EXTENSION_CHARACTERS.has(char)) return 2;
  return 0;
}

/** True when every character of `body` is in the GSM 03.38 basic or extension table ('' is GSM-7). */
export function isGsm7(body: string): boolean {
  for (const char of body) {
    if (gsmSeptetLength(char) === 0) return false;
  }
  return true;
}

/**
 * Analyses an SMS body exactly as it will be encoded and split.
 *
 * An empty body is reported as GSM-7, 1 segment, 0 characters, parts [''],
 * because carriers still deliver (and bill) one empty SMS for it.
 *
 * Splitting never breaks a GSM escape pair or a UTF-16 surrogate pair, and
 * keeps each grapheme cluster (ZWJ emoji sequence, flag, skin-tone modifier,
 * base + combining marks, CR LF) whole by moving it to the next part; handsets
 * that show parts separately would otherwise render broken glyphs. Only a
 * cluster too big for any part is split, at code point boundaries.
 */
export function analyzeBody(body: string): BodyAnalysis {
  const characters = countCodePoints(body);
  const encoding: SmsEncoding = isGsm7(body) ? 'GSM-7' : 'UCS-2';
  const unicodeCharacters = encoding === 'UCS-2' ? findUnicodeClusters(body) : [];

  const parts =
    encodedLength(body, encoding) <= SINGLE_PART_CAPACITY[encoding]
      ? [body]
      : splitIntoParts(body, encoding, MULTI_PART_CAPACITY[encoding]);

  return { encoding, segments: parts.length, characters, parts, unicodeCharacters };
}

function countCodePoints(text: string): number {
  let count = 0;
  for (const _char of text) count++;
  return count;
}

/** Septets (GSM-7) or UTF-16 code units (UCS-2) needed for `text`. */
function encodedLength(text: string, encoding: SmsEncoding): number {
  // UCS-2 on the wire is UTF-16 in practice: astral characters travel as
  // surrogate pairs, so the JS string length is exactly the unit count.
  if (encoding === 'UCS-2') return text.length;
  let septets = 0;
  for (const char of text) septets += gsmSeptetLength(char);
  return septets;
}

function graphemeClusters(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (s) => s.segment);
}

function findUnicodeClusters(body: string): string[] {
  const seen = new Set<string>();
  for (const cluster of graphemeClusters(body)) {
    if (!isGsm7(cluster)) seen.add(cluster);
  }
  return [...seen];
}

/**
 * Greedy packing of whole grapheme clusters into parts of `capacity` units.
 * Cost is measured per code point, so an escape pair (one code point, 2
 * septets) or a surrogate pair (one code point, 2 units) is indivisible even
 * in the oversized-cluster fallback.
 */
function splitIntoParts(body: string, encoding: SmsEncoding, capacity: number): string[] {
  const parts: string[] = [];
  let current = '';
  let used = 0;

  for (const cluster of graphemeClusters(body)) {
    const cost = encodedLength(cluster, encoding);
    if (used + cost <= capacity) {
      current += cluster;
      used += cost;
      continue;
    }
    if (cost <= capacity) {
      // `used` is > 0 here (the cluster alone fits), so no empty part is pushed.
      parts.push(current);
      current = cluster;
      used = cost;
      continue;
    }
    // A cluster larger than a whole part cannot be kept intact anywhere, so
    // fill the current part and continue it across parts code point by code
    // point; starting it on a fresh part would only waste space.
    for (const char of cluster) {
      const charCost = encodedLength(char, encoding);
      if (used + charCost > capacity) {
        parts.push(current);
        current = '';
        used = 0;
      }
      current += char;
      used += charCost;
    }
  }

  if (current !== '') parts.push(current);
  return parts;
}
