import { GSM_BASIC_CHARACTERS, GSM_EXTENSION_CHARACTERS } from './gsm-alphabet.js';
import { countCharacters, MAX_BODY_CHARACTERS } from './message-body.js';
import { analyzeBody, type BodyAnalysis } from './sms-encoding.js';

/**
 * Smart encoding: replaces Unicode look-alikes (curly quotes, dashes, exotic spaces,
 * full-width forms, stray invisible characters…) with their GSM 03.38 equivalents, so a
 * body typed in a word processor or pasted from the web is sent as GSM-7 instead of UCS-2
 * (160 characters a segment instead of 70).
 *
 * The table is deliberately conservative: a character is replaced only when the
 * replacement reads the same to the recipient. Letters are never changed (á → a would
 * change Spanish words), legal marks are never spelled out, and nothing that is already
 * GSM is touched. docs/smart-encoding.md gives the reasoning entry by entry.
 */

export type SmartEncodingKind =
  | 'quote'
  | 'dash'
  | 'ellipsis'
  | 'space'
  | 'line-break'
  | 'bullet'
  | 'slash'
  | 'full-width'
  | 'canonical'
  | 'invisible'
  | 'joiner';

export interface SmartEncodingRule {
  /** The character replaced (always exactly one BMP code unit). */
  readonly from: string;
  readonly codePoint: number;
  /** GSM 03.38 text it becomes; '' means the character is removed. */
  readonly to: string;
  /** Unicode character name, for the documentation and for reviewers. */
  readonly name: string;
  readonly kind: SmartEncodingKind;
  /**
   * 'always': replaced wherever it appears.
   * 'beside-gsm': removed only when the characters on both sides of it (past other
   * invisible characters) end up GSM. Joiners and direction marks change how their
   * neighbours are shaped or ordered — a ZWJ glues 👨‍👩‍👧 into one family emoji, a ZWNJ
   * keeps Persian letters apart — so next to a character that stays non-GSM they carry
   * meaning, and that body is UCS-2 anyway, so removing them would save nothing.
   */
  readonly when: 'always' | 'beside-gsm';
}

type RuleSpec = readonly [codePoint: number, to: string, name: string, kind: SmartEncodingKind];

const ALWAYS: readonly RuleSpec[] = [
  // Quotation marks become the straight quote with the same number of strokes.
  [0x2018, "'", 'LEFT SINGLE QUOTATION MARK', 'quote'],
  [0x2019, "'", 'RIGHT SINGLE QUOTATION MARK', 'quote'],
  // A German/Czech opening quote, not a comma, although it looks like one.
  [0x201a, "'", 'SINGLE LOW-9 QUOTATION MARK', 'quote'],
  [0x201b, "'", 'SINGLE HIGH-REVERSED-9 QUOTATION MARK', 'quote'],
  [0x201c, '"', 'LEFT DOUBLE QUOTATION MARK', 'quote'],
  [0x201d, '"', 'RIGHT DOUBLE QUOTATION MARK', 'quote'],
  [0x201e, '"', 'DOUBLE LOW-9 QUOTATION MARK', 'quote'],
  [0x201f, '"', 'DOUBLE HIGH-REVERSED-9 QUOTATION MARK', 'quote'],
  // Guillemets are quotation marks (French, Swiss, Russian…): quotes, not < and >.
  [0x00ab, '"', 'LEFT-POINTING DOUBLE ANGLE QUOTATION MARK', 'quote'],
  [0x00bb, '"', 'RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK', 'quote'],
  [0x2039, "'", 'SINGLE LEFT-POINTING ANGLE QUOTATION MARK', 'quote'],
  [0x203a, "'", 'SINGLE RIGHT-POINTING ANGLE QUOTATION MARK', 'quote'],
  // Feet and inches, minutes and seconds: 5′10″ is written 5'10" in plain text.
  [0x2032, "'", 'PRIME', 'quote'],
  [0x2033, '"', 'DOUBLE PRIME', 'quote'],
  // Typed as apostrophes: ʼ by some keyboards, ` and ´ by mistake ("don´t"). The grave
  // accent is the one printable ASCII character GSM lacks.
  [0x02bc, "'", 'MODIFIER LETTER APOSTROPHE', 'quote'],
  [0x0060, "'", 'GRAVE ACCENT', 'quote'],
  [0x00b4, "'", 'ACUTE ACCENT', 'quote'],

  // One hyphen-minus each: '--' for an em dash would cost an extra septet for no meaning.
  [0x2010, '-', 'HYPHEN', 'dash'],
  [0x2011, '-', 'NON-BREAKING HYPHEN', 'dash'],
  [0x2012, '-', 'FIGURE DASH', 'dash'],
  [0x2013, '-', 'EN DASH', 'dash'],
  [0x2014, '-', 'EM DASH', 'dash'],
  [0x2015, '-', 'HORIZONTAL BAR', 'dash'],
  [0x2212, '-', 'MINUS SIGN', 'dash'],

  [0x2026, '...', 'HORIZONTAL ELLIPSIS', 'ellipsis'],

  // One space each: a phone renders proportional text, so width differences mean nothing.
  [0x0009, ' ', 'CHARACTER TABULATION', 'space'],
  [0x00a0, ' ', 'NO-BREAK SPACE', 'space'],
  [0x1680, ' ', 'OGHAM SPACE MARK', 'space'],
  [0x2000, ' ', 'EN QUAD', 'space'],
  [0x2001, ' ', 'EM QUAD', 'space'],
  [0x2002, ' ', 'EN SPACE', 'space'],
  [0x2003, ' ', 'EM SPACE', 'space'],
  [0x2004, ' ', 'THREE-PER-EM SPACE', 'space'],
  [0x2005, ' ', 'FOUR-PER-EM SPACE', 'space'],
  [0x2006, ' ', 'SIX-PER-EM SPACE', 'space'],
  [0x2007, ' ', 'FIGURE SPACE', 'space'],
  [0x2008, ' ', 'PUNCTUATION SPACE', 'space'],
  [0x2009, ' ', 'THIN SPACE', 'space'],
  [0x200a, ' ', 'HAIR SPACE', 'space'],
  [0x202f, ' ', 'NARROW NO-BREAK SPACE', 'space'],
  [0x205f, ' ', 'MEDIUM MATHEMATICAL SPACE', 'space'],
  [0x3000, ' ', 'IDEOGRAPHIC SPACE', 'space'],

  // They are line breaks; GSM has LF.
  [0x2028, '\n', 'LINE SEPARATOR', 'line-break'],
  [0x2029, '\n', 'PARAGRAPH SEPARATOR', 'line-break'],

  // '-' is the plain-text list marker every handset shows as a bullet; '*' would read as
  // a footnote mark ("*Terms apply") in marketing copy.
  [0x2022, '-', 'BULLET', 'bullet'],
  [0x2023, '-', 'TRIANGULAR BULLET', 'bullet'],
  [0x25e6, '-', 'WHITE BULLET', 'bullet'],
  [0x2043, '-', 'HYPHEN BULLET', 'bullet'],
  // The bullet operator is a multiplication dot: 2∙3 must not become the range 2-3.
  [0x2219, '*', 'BULLET OPERATOR', 'bullet'],

  [0x2044, '/', 'FRACTION SLASH', 'slash'],

  [0xffe1, '£', 'FULLWIDTH POUND SIGN', 'full-width'],
  [0xffe5, '¥', 'FULLWIDTH YEN SIGN', 'full-width'],

  // Canonical singletons: Unicode defines each as the very same character as its target
  // (NFC maps one to the other), so nothing about the text changes.
  [0x037e, ';', 'GREEK QUESTION MARK', 'canonical'],
  [0x2126, 'Ω', 'OHM SIGN', 'canonical'],
  [0x212a, 'K', 'KELVIN SIGN', 'canonical'],
  [0x212b, 'Å', 'ANGSTROM SIGN', 'canonical'],

  // Invisible characters that only hint at line breaking or byte order: removing them
  // changes no glyph.
  [0x00ad, '', 'SOFT HYPHEN', 'invisible'],
  [0x200b, '', 'ZERO WIDTH SPACE', 'invisible'],
  [0x2060, '', 'WORD JOINER', 'invisible'],
  [0xfeff, '', 'ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)', 'invisible'],
];

const BESIDE_GSM: readonly RuleSpec[] = [
  [0x200c, '', 'ZERO WIDTH NON-JOINER', 'joiner'],
  [0x200d, '', 'ZERO WIDTH JOINER', 'joiner'],
  [0x200e, '', 'LEFT-TO-RIGHT MARK', 'joiner'],
  [0x200f, '', 'RIGHT-TO-LEFT MARK', 'joiner'],
];

/**
 * Full-width ASCII (U+FF01–U+FF5E, from CJK input methods) maps onto ASCII 0x21–0x7E at a
 * fixed offset. The one exception is U+FF40 FULLWIDTH GRAVE ACCENT: ASCII ` is not in GSM,
 * so it becomes an apostrophe like ` itself.
 */
function fullWidthRules(): RuleSpec[] {
  const rules: RuleSpec[] = [];
  for (let codePoint = 0xff01; codePoint <= 0xff5e; codePoint++) {
    const ascii = String.fromCharCode(codePoint - 0xfee0);
    const to = ascii === '`' ? "'" : ascii;
    rules.push([codePoint, to, `FULLWIDTH FORM OF ${JSON.stringify(ascii)}`, 'full-width']);
  }
  return rules;
}

function toRule([codePoint, to, name, kind]: RuleSpec, when: SmartEncodingRule['when']): SmartEncodingRule {
  return Object.freeze({ from: String.fromCharCode(codePoint), codePoint, to, name, kind, when });
}

/** Every replacement smart encoding makes, in documentation order. */
export const SMART_ENCODING_TABLE: readonly SmartEncodingRule[] = Object.freeze([
  ...ALWAYS.map((spec) => toRule(spec, 'always')),
  ...fullWidthRules().map((spec) => toRule(spec, 'always')),
  ...BESIDE_GSM.map((spec) => toRule(spec, 'beside-gsm')),
]);

export interface SmartReplacement {
  /** What the body held ('’', or a letter and its combining marks such as 'e\u0301'). */
  from: string;
  /** What it became; '' when it was removed. */
  to: string;
  count: number;
}

export interface SmartEncodingResult {
  body: string;
  /** Distinct replacements, in order of first appearance. */
  replacements: SmartReplacement[];
}

// Per-UTF-16-unit actions. Every rule is a single BMP unit, so one array read decides
// each unit and text without look-alikes is scanned without allocating anything.
const KEEP = 0;
const REPLACE = 1;
const REMOVE = 2;
const REMOVE_BESIDE_GSM = 3;
const COMBINING_MARK = 4;

const ACTION = new Uint8Array(0x10000);
const TARGET = new Map<number, string>();
const GSM = new Uint8Array(0x10000);

for (const char of GSM_BASIC_CHARACTERS) GSM[char.charCodeAt(0)] = 1;
for (const char of GSM_EXTENSION_CHARACTERS) GSM[char.charCodeAt(0)] = 1;
for (const rule of SMART_ENCODING_TABLE) {
  // A rule for a GSM character would break the promise that GSM text is never touched.
  if (GSM[rule.codePoint] === 1) throw new Error(`smart encoding rule for GSM character U+${hex(rule.codePoint)}`);
  TARGET.set(rule.codePoint, rule.to);
  ACTION[rule.codePoint] = rule.when === 'beside-gsm' ? REMOVE_BESIDE_GSM : rule.to === '' ? REMOVE : REPLACE;
}
// Combining diacritical marks: a GSM letter typed in decomposed form (e + U+0301, as
// macOS and some PDFs produce) is recomposed when the result is a GSM character.
for (let unit = 0x0300; unit <= 0x036f; unit++) ACTION[unit] = COMBINING_MARK;

function hex(codePoint: number): string {
  return codePoint.toString(16).toUpperCase().padStart(4, '0');
}

function isInvisible(action: number): boolean {
  return action === REMOVE || action === REMOVE_BESIDE_GSM;
}

/**
 * Whether the unit at `body[index]` stays a non-GSM character once smart encoding is done.
 * Only called for the unit right after a run of invisible characters, so a combining mark
 * there has no letter to compose with and stays.
 */
function staysNonGsm(unit: number): boolean {
  const action = ACTION[unit];
  if (action === REPLACE) return false;
  if (action === COMBINING_MARK) return true;
  return GSM[unit] === 0;
}

/**
 * Replaces look-alike characters with GSM 03.38 equivalents. Pure and idempotent:
 * `smartEncode(smartEncode(x).body).body === smartEncode(x).body`. A body that is already
 * GSM-7 comes back unchanged (the same string), with no replacements.
 */
export function smartEncode(body: string): SmartEncodingResult {
  const length = body.length;
  let index = 0;
  while (index < length && ACTION[body.charCodeAt(index)] === KEEP) index++;
  if (index === length) return { body, replacements: [] };

  const counts = new Map<string, SmartReplacement>();
  const record = (from: string, to: string): void => {
    const seen = counts.get(from);
    if (seen) seen.count++;
    else counts.set(from, { from, to, count: 1 });
  };

  let out = body.slice(0, index);
  let copyFrom = index;
  while (index < length) {
    const unit = body.charCodeAt(index);
    const action = ACTION[unit];
    if (action === KEEP) {
      index++;
      continue;
    }
    out += body.slice(copyFrom, index);

    if (action === REPLACE) {
      const to = TARGET.get(unit) ?? '';
      out += to;
      record(body[index] ?? '', to);
      index++;
    } else if (action === COMBINING_MARK) {
      let end = index + 1;
      while (end < length && ACTION[body.charCodeAt(end)] === COMBINING_MARK) end++;
      const marks = body.slice(index, end);
      const base = out.length > 0 ? out.charCodeAt(out.length - 1) : -1;
      const composed = base >= 0 && GSM[base] === 1 ? (String.fromCharCode(base) + marks).normalize('NFC') : '';
      if (composed.length === 1 && GSM[composed.charCodeAt(0)] === 1) {
        out = out.slice(0, -1) + composed;
        record(String.fromCharCode(base) + marks, composed);
      } else {
        out += marks;
      }
      index = end;
    } else {
      // A run of invisible characters is judged as one, by what surrounds it once replaced:
      // that keeps the decision the same on a second pass (idempotence).
      let end = index + 1;
      while (end < length && isInvisible(ACTION[body.charCodeAt(end)] ?? KEEP)) end++;
      const leftStaysNonGsm = out.length > 0 && GSM[out.charCodeAt(out.length - 1)] === 0;
      const rightStaysNonGsm = end < length && staysNonGsm(body.charCodeAt(end));
      const keepJoiners = leftStaysNonGsm || rightStaysNonGsm;
      // An invisible character that carries a combining mark is what the mark sits on:
      // removing it would graft the mark onto the letter before (n + ZWSP + ◌̃ → ñ).
      if (end < length && ACTION[body.charCodeAt(end)] === COMBINING_MARK) {
        out += body.slice(index, end);
        index = end;
        copyFrom = index;
        continue;
      }
      for (let i = index; i < end; i++) {
        const char = body[i] ?? '';
        if (ACTION[body.charCodeAt(i)] === REMOVE_BESIDE_GSM && keepJoiners) out += char;
        else record(char, '');
      }
      index = end;
    }
    copyFrom = index;
  }
  out += body.slice(copyFrom);
  return { body: out, replacements: [...counts.values()] };
}

export interface SmartEncodingOutcome {
  /** True when sending with smart encoding on changes the body. */
  applied: boolean;
  /** The body to send: the smart-encoded one when `applied`, else the original. */
  body: string;
  /** Analysis of `body`. */
  analysis: BodyAnalysis;
  /** What changed in `body`; [] when not applied. */
  replacements: SmartReplacement[];
  /** Segments saved against the original body (never negative). */
  savesSegments: number;
  /**
   * Characters smart encoding cannot replace that keep the body in UCS-2 (grapheme
   * clusters, as in BodyAnalysis.unicodeCharacters): what the writer would have to change
   * by hand to get GSM-7. [] when every non-GSM character is replaceable.
   */
  unreplaceableCharacters: string[];
}

/**
 * Decides what a send with smart encoding on actually sends. The replacements are used
 * only when they pay: the body becomes GSM-7 without costing a segment, or it needs fewer
 * segments. Otherwise the original is kept, so the text is never changed for nothing —
 * e.g. a body that keeps an emoji stays UCS-2 whatever happens to its quotes, and seventy
 * '…' would grow from 1 UCS-2 segment to 2 GSM-7 ones as '...'. The result also stays
 * within the body limit the original met, and is never blank unless the original was.
 */
export function applySmartEncoding(body: string, original?: BodyAnalysis): SmartEncodingOutcome {
  return decide(body, smartEncode(body), original ?? analyzeBody(body));
}

/**
 * The body a send with smart encoding on sends (applySmartEncoding's `body`). Cheaper on the
 * send path: a body with nothing to replace — most of them — is not analysed at all.
 */
export function smartEncodedBody(body: string): string {
  const candidate = smartEncode(body);
  if (candidate.replacements.length === 0) return body;
  return decide(body, candidate, analyzeBody(body)).body;
}

function decide(body: string, candidate: SmartEncodingResult, original: BodyAnalysis): SmartEncodingOutcome {
  if (candidate.replacements.length === 0) {
    return {
      applied: false,
      body,
      analysis: original,
      replacements: [],
      savesSegments: 0,
      unreplaceableCharacters: original.unicodeCharacters,
    };
  }
  const smart = analyzeBody(candidate.body);
  // The result must still be a body a send accepts: within the limit the original met, and
  // not blank (a body of only zero-width characters would otherwise become '').
  const stillValid =
    countCharacters(candidate.body) <= Math.max(MAX_BODY_CHARACTERS, original.characters) &&
    (candidate.body.trim().length > 0 || body.trim().length === 0);
  const pays =
    smart.segments < original.segments || (smart.segments === original.segments && smart.encoding === 'GSM-7');
  if (!pays || !stillValid) {
    return {
      applied: false,
      body,
      analysis: original,
      replacements: [],
      savesSegments: 0,
      unreplaceableCharacters: smart.unicodeCharacters,
    };
  }
  return {
    applied: true,
    body: candidate.body,
    analysis: smart,
    replacements: candidate.replacements,
    savesSegments: original.segments - smart.segments,
    unreplaceableCharacters: smart.unicodeCharacters,
  };
}
