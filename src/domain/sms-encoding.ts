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
 * Septets per UTF-16 code unit (0 = not in GSM 03.38). Every GSM character is a single
 * BMP code unit, so a flat table makes the hot loops array reads instead of Set lookups.
 */
const SEPTETS = new Uint8Array(0x10000);
for (const char of GSM_BASIC_CHARACTERS) SEPTETS[char.charCodeAt(0)] = 1;
for (const char of GSM_EXTENSION_CHARACTERS) SEPTETS[char.charCodeAt(0)] = 2;

/**
 * Septets needed to send `char` in GSM-7: 1 for the basic table, 2 for the
 * extension table (ESC + code). Returns 0 — rather than throwing — when `char`
 * is not exactly one GSM 03.38 character (including '', a multi-character
 * string, or a character that needs UCS-2), so callers can use it as a
 * membership test without try/catch.
 */
export function gsmSeptetLength(char: string): number {
  if (char.length !== 1) return 0;
  return SEPTETS[char.charCodeAt(0)] ?? 0;
}

/** True when every character of `body` is in the GSM 03.38 basic or extension table ('' is GSM-7). */
export function isGsm7(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    if (SEPTETS[body.charCodeAt(i)] === 0) return false;
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

  let parts: string[];
  if (encodedLength(body, encoding) <= SINGLE_PART_CAPACITY[encoding]) parts = [body];
  else if (encoding === 'GSM-7') parts = splitGsm(body, MULTI_PART_CAPACITY['GSM-7']);
  else parts = splitUcs2(body, MULTI_PART_CAPACITY['UCS-2']);

  return { encoding, segments: parts.length, characters, parts, unicodeCharacters };
}

function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point; count it once.
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** Septets (GSM-7) or UTF-16 code units (UCS-2) needed for `text`. */
function encodedLength(text: string, encoding: SmsEncoding): number {
  // UCS-2 on the wire is UTF-16 in practice: astral characters travel as
  // surrogate pairs, so the JS string length is exactly the unit count.
  if (encoding === 'UCS-2') return text.length;
  let septets = 0;
  for (let i = 0; i < text.length; i++) septets += SEPTETS[text.charCodeAt(i)] ?? 0;
  return septets;
}

/**
 * Distinct clusters holding a non-GSM character. `containing()` asks ICU for just the
 * cluster around each such character instead of segmenting the whole body, which is
 * what keeps long bodies cheap.
 */
function findUnicodeClusters(body: string): string[] {
  const segments = graphemeSegmenter.segment(body);
  const seen = new Set<string>();
  let coveredUntil = 0;
  for (let i = 0; i < body.length; i++) {
    if (i < coveredUntil || SEPTETS[body.charCodeAt(i)] !== 0) continue;
    const cluster = segments.containing(i);
    if (!cluster) continue;
    seen.add(cluster.segment);
    coveredUntil = cluster.index + cluster.segment.length;
  }
  return [...seen];
}

/**
 * GSM-7 text is single BMP code units, so the only cluster to keep whole is CR LF, and an
 * escape pair (one code unit costing 2 septets) is indivisible by construction.
 */
function splitGsm(body: string, capacity: number): string[] {
  const parts: string[] = [];
  let start = 0;
  let used = 0;
  for (let i = 0; i < body.length; i++) {
    const cost = SEPTETS[body.charCodeAt(i)] ?? 0;
    if (used + cost > capacity) {
      // Keep CR LF together: move the CR to the next part with its LF.
      const cut = body[i] === '\n' && body[i - 1] === '\r' && i - 1 > start ? i - 1 : i;
      parts.push(body.slice(start, cut));
      used = encodedLength(body.slice(cut, i), 'GSM-7');
      start = cut;
    }
    used += cost;
  }
  parts.push(body.slice(start));
  return parts;
}

/**
 * Greedy packing into parts of `capacity` UTF-16 units. A cut that would fall inside a
 * surrogate pair or a grapheme cluster moves back to the cluster's start, so the cluster
 * opens the next part; a cluster bigger than a whole part is cut at a code point boundary.
 */
function splitUcs2(body: string, capacity: number): string[] {
  const segments = graphemeSegmenter.segment(body);
  const parts: string[] = [];
  let start = 0;
  while (body.length - start > capacity) {
    let cut = start + capacity;
    const cluster = segments.containing(cut);
    if (cluster && cluster.index < cut && cluster.index > start && cluster.segment.length <= capacity) {
      cut = cluster.index;
    } else if (isLowSurrogate(body.charCodeAt(cut))) {
      cut -= 1;
    }
    parts.push(body.slice(start, cut));
    start = cut;
  }
  parts.push(body.slice(start));
  return parts;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
