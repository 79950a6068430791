import { DEFAULT_GSM_CHARSET, ESCAPE_SEPTET, type GsmCharset } from './gsm-alphabet.js';
import {
  NATIONAL_LANGUAGE_IDS,
  gsmCharsetFor,
  gsmTableName,
  hasNationalLockingTable,
  type GsmTableName,
  type NationalLanguage,
} from './gsm-national-tables.js';

/**
 * Exact GSM 03.38 / UCS-2 analysis of an SMS body: which encoding it needs,
 * how many parts (billed segments) it is sent as, and what each part holds.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** The national language tables a GSM-7 analysis chose, as the UDH will announce them. */
export interface GsmCharsetChoice {
  /** Locking shift table ('default' = the GSM 03.38 alphabet, no IEI 0x25). */
  locking: GsmTableName;
  /** Single shift table ('default' = the GSM 03.38 extension table, no IEI 0x24). */
  singleShift: GsmTableName;
  /** Value of IEI 0x25 in every part's UDH; 0 = IE absent. */
  lockingId: number;
  /** Value of IEI 0x24 in every part's UDH; 0 = IE absent. */
  singleShiftId: number;
}

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
  /**
   * Present only when the body is GSM-7 thanks to a national language table (it is absent for
   * plain GSM 03.38 and for UCS-2). Every part then carries the shift IEs in its UDH.
   */
  charset?: GsmCharsetChoice;
}

export interface AnalyzeBodyOptions {
  /**
   * National language tables the carrier accepts (opt-in per carrier: only Rel-8 handsets
   * decode them). They are tried only when the body is not plain GSM 03.38. Default: none.
   */
  nationalLanguages?: readonly NationalLanguage[];
  /**
   * Width of the concatenation reference (IEI 0x00 = 8-bit, 0x08 = 16-bit). The 16-bit form
   * costs one more UDH octet in every part of a multipart message. Default: 8.
   */
  concatReference?: 8 | 16;
}

/** TP-User-Data is 140 octets whatever the encoding; the UDH, when present, comes out of it. */
const USER_DATA_OCTETS = 140;
/** IEI 0x00: IEI, length, reference, total, sequence. IEI 0x08 has a 2-octet reference. */
const CONCAT_IE_OCTETS: Readonly<Record<8 | 16, number>> = { 8: 5, 16: 6 };
/** IEI 0x24 / 0x25: IEI, length, language identifier. */
const NATIONAL_IE_OCTETS = 3;

/**
 * Octets of user data header every part carries, including the UDHL octet; 0 when there is
 * no header at all (a single part with no national table). A national-language IE is needed
 * in every part, single ones included, because each part is decoded on its own.
 */
export function userDataHeaderOctets(header: {
  concatenated: boolean;
  concatReference?: 8 | 16;
  /** How many national shift IEs (0x24, 0x25) the parts carry: 0, 1 or 2. */
  nationalShiftIes?: number;
}): number {
  const ies =
    (header.concatenated ? CONCAT_IE_OCTETS[header.concatReference ?? 8] : 0) +
    NATIONAL_IE_OCTETS * (header.nationalShiftIes ?? 0);
  return ies === 0 ? 0 : 1 + ies;
}

/**
 * Septets (GSM-7) or UTF-16 code units (UCS-2) that fit in one part after `udhOctets` of
 * header. GSM-7 text starts on a septet boundary, so the fill bits after the header are lost:
 * flooring the bit count handles both.
 */
export function partCapacity(encoding: SmsEncoding, udhOctets: number): number {
  const bits = (USER_DATA_OCTETS - udhOctets) * 8;
  return Math.floor(bits / (encoding === 'GSM-7' ? 7 : 16));
}

/** How many national shift IEs (0x25 locking, 0x24 single shift) each part carries. */
type NationalIeCount = 0 | 1 | 2;
type ByIeCount = readonly [number, number, number];

/** Capacities indexed by national IE count, computed once: analysis is on the hot path. */
interface Capacities {
  single: ByIeCount;
  multi: Readonly<Record<8 | 16, ByIeCount>>;
}

function capacities(encoding: SmsEncoding): Capacities {
  const byIeCount = (concatenated: boolean, concatReference: 8 | 16): ByIeCount => {
    const capacity = (nationalShiftIes: NationalIeCount): number =>
      partCapacity(encoding, userDataHeaderOctets({ concatenated, concatReference, nationalShiftIes }));
    return [capacity(0), capacity(1), capacity(2)];
  };
  return { single: byIeCount(false, 8), multi: { 8: byIeCount(true, 8), 16: byIeCount(true, 16) } };
}

// GSM-7: 160 / 153 / 152 septets with no national IE; UCS-2: 70 / 67 / 66 code units.
const GSM_CAPACITY = capacities('GSM-7');
const UCS2_CAPACITY = capacities('UCS-2');

// One shared instance: constructing a segmenter loads ICU data, and bodies are
// analysed on every compose keystroke and every send.
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Septets per UTF-16 code unit under a charset (0 = not representable). Every character of
 * the TS 23.038 tables is a single BMP code unit, so a flat table makes the hot loops array
 * reads instead of Map lookups. Built once per charset object and kept, never per call.
 */
const septetTables = new WeakMap<GsmCharset, Uint8Array>();

function septetTable(charset: GsmCharset): Uint8Array {
  let table = septetTables.get(charset);
  if (table !== undefined) return table;
  table = new Uint8Array(0x10000);
  // Single shift first, locking second: a character in both tables (Portuguese ^ \ | ~ €)
  // is sent as its one-septet locking code, so that is what it costs.
  for (const [code, char] of charset.singleShift) {
    if (code !== ESCAPE_SEPTET && char.length === 1) table[char.charCodeAt(0)] = 2;
  }
  charset.locking.forEach((char, septet) => {
    if (septet !== ESCAPE_SEPTET && char.length === 1) table[char.charCodeAt(0)] = 1;
  });
  septetTables.set(charset, table);
  return table;
}

/** The default alphabet's table, held directly so the common path skips the WeakMap. */
const SEPTETS = septetTable(DEFAULT_GSM_CHARSET);

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
 * Septets needed to send `text` under `charset` (default: GSM 03.38), counting 2 for each
 * single-shift (ESC + code) character; undefined when some character is in neither table.
 * This is the length the wire encoder packs, fill bits and UDH excluded.
 */
export function gsmSeptetCost(text: string, charset: GsmCharset = DEFAULT_GSM_CHARSET): number | undefined {
  return septetLength(text, charset === DEFAULT_GSM_CHARSET ? SEPTETS : septetTable(charset));
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
 *
 * With `options.nationalLanguages`, a body that is not plain GSM 03.38 but fits some allowed
 * pair of (locking, single shift) tables is sent as GSM-7 with that pair; see
 * `chooseNationalCharset` for how the pair is picked.
 */
export function analyzeBody(body: string, options?: AnalyzeBodyOptions): BodyAnalysis {
  const characters = countCodePoints(body);
  const concatReference = options?.concatReference === 16 ? 16 : 8;

  // One pass both decides GSM-7 and measures it.
  const septets = septetLength(body, SEPTETS);
  if (septets !== undefined) {
    const parts =
      septets <= GSM_CAPACITY.single[0] ? [body] : splitGsm(body, GSM_CAPACITY.multi[concatReference][0], SEPTETS);
    return { encoding: 'GSM-7', segments: parts.length, characters, parts, unicodeCharacters: [] };
  }

  const languages = options?.nationalLanguages;
  if (languages !== undefined && languages.length > 0) {
    const national = chooseNationalCharset(body, languages, concatReference);
    if (national !== undefined) {
      const { parts, charset } = national;
      return { encoding: 'GSM-7', segments: parts.length, characters, parts, unicodeCharacters: [], charset };
    }
  }

  // UCS-2 on the wire is UTF-16 in practice: astral characters travel as surrogate pairs,
  // so the JS string length is exactly the unit count.
  const parts =
    body.length <= UCS2_CAPACITY.single[0] ? [body] : splitUcs2(body, UCS2_CAPACITY.multi[concatReference][0]);
  return { encoding: 'UCS-2', segments: parts.length, characters, parts, unicodeCharacters: findUnicodeClusters(body) };
}

interface NationalCandidate {
  parts: string[];
  charset: GsmCharsetChoice;
  udhOctets: number;
}

/**
 * Tries every allowed (locking, single shift) pair other than (default, default) and keeps the
 * one with the fewest parts. Ties go to the default locking table, because a handset that
 * lacks the national tables then garbles only the shifted letters instead of every character,
 * and then to the smaller header; remaining ties keep the caller's order of languages.
 *
 * UCS-2 is not a contender: every character here is one BMP unit costing at most 2 septets,
 * and a GSM-7 part holds at least 145 septets (≥ 72 characters) against UCS-2's 70 / 67
 * units, so a representable body never needs more parts in GSM-7.
 */
function chooseNationalCharset(
  body: string,
  languages: readonly NationalLanguage[],
  concatReference: 8 | 16,
): NationalCandidate | undefined {
  const lockingIds = [0];
  const singleShiftIds = [0];
  for (const language of languages) {
    const id = NATIONAL_LANGUAGE_IDS[language];
    if (hasNationalLockingTable(language) && !lockingIds.includes(id)) lockingIds.push(id);
    if (!singleShiftIds.includes(id)) singleShiftIds.push(id);
  }

  let best: NationalCandidate | undefined;
  for (const lockingId of lockingIds) {
    for (const singleShiftId of singleShiftIds) {
      if (lockingId === 0 && singleShiftId === 0) continue; // plain GSM 03.38 already failed
      const charset = gsmCharsetFor(lockingId, singleShiftId);
      if (charset === undefined) continue;
      const costs = septetTable(charset);
      const septets = septetLength(body, costs);
      if (septets === undefined) continue;

      const ies = nationalIeCount(lockingId, singleShiftId);
      const single = septets <= GSM_CAPACITY.single[ies];
      const parts = single ? [body] : splitGsm(body, GSM_CAPACITY.multi[concatReference][ies], costs);
      const udhOctets = userDataHeaderOctets({ concatenated: !single, concatReference, nationalShiftIes: ies });
      if (best !== undefined && !isBetter(parts.length, lockingId, udhOctets, best)) continue;
      best = {
        parts,
        udhOctets,
        charset: {
          locking: gsmTableName(lockingId) ?? 'default',
          singleShift: gsmTableName(singleShiftId) ?? 'default',
          lockingId,
          singleShiftId,
        },
      };
    }
  }
  return best;
}

function nationalIeCount(lockingId: number, singleShiftId: number): NationalIeCount {
  if (lockingId === 0) return singleShiftId === 0 ? 0 : 1;
  return singleShiftId === 0 ? 1 : 2;
}

function isBetter(segments: number, lockingId: number, udhOctets: number, than: NationalCandidate): boolean {
  if (segments !== than.parts.length) return segments < than.parts.length;
  const usesLocking = lockingId !== 0;
  const thanUsesLocking = than.charset.lockingId !== 0;
  if (usesLocking !== thanUsesLocking) return !usesLocking;
  return udhOctets < than.udhOctets;
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

/** Septets for `text` under a septet table, or undefined when a character is not in it. */
function septetLength(text: string, costs: Uint8Array): number | undefined {
  let septets = 0;
  for (let i = 0; i < text.length; i++) {
    const cost = costs[text.charCodeAt(i)] ?? 0;
    if (cost === 0) return undefined;
    septets += cost;
  }
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
 * escape pair (one code unit costing 2 septets) is indivisible by construction. `costs` is
 * the septet table of the charset in use; every character of `body` is in it.
 */
function splitGsm(body: string, capacity: number, costs: Uint8Array): string[] {
  const parts: string[] = [];
  let start = 0;
  let used = 0;
  for (let i = 0; i < body.length; i++) {
    const cost = costs[body.charCodeAt(i)] ?? 0;
    if (used + cost > capacity) {
      // Keep CR LF together: move the CR to the next part with its LF.
      const movesCr = body.charCodeAt(i) === LF && body.charCodeAt(i - 1) === CR && i - 1 > start;
      const cut = movesCr ? i - 1 : i;
      parts.push(body.slice(start, cut));
      used = movesCr ? (costs[CR] ?? 0) : 0;
      start = cut;
    }
    used += cost;
  }
  parts.push(body.slice(start));
  return parts;
}

const CR = 0x0d;
const LF = 0x0a;

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
    } else if (isLowSurrogate(body.charCodeAt(cut)) && isHighSurrogate(body.charCodeAt(cut - 1))) {
      // Only a real pair moves back: stepping back over a lone low surrogate (malformed
      // input) would cut the pair before it instead.
      cut -= 1;
    }
    parts.push(body.slice(start, cut));
    start = cut;
  }
  parts.push(body.slice(start));
  return parts;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
