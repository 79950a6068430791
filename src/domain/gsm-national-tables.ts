import {
  DEFAULT_GSM_CHARSET,
  DEFAULT_LOCKING_TABLE,
  DEFAULT_SINGLE_SHIFT_TABLE,
  ESCAPE_SEPTET,
  lockingShiftIdOf,
  singleShiftIdOf,
  type GsmCharset,
} from './gsm-alphabet.js';

/**
 * National language shift tables of 3GPP TS 23.038 Annex A for the languages Parley supports:
 * Turkish, Spanish and Portuguese.
 *
 * A national table lets a text whose accented letters are missing from the default alphabet
 * (Turkish ğ ş ı, Spanish á í ó ú, Portuguese ã õ ç) travel as GSM-7 instead of UCS-2, at the
 * price of one 3-octet information element per table in every part's user data header. Only
 * handsets that implement TS 23.038 Rel-8 decode them, which is why carriers opt in.
 *
 * Tables were transcribed from the spec's layout and cross-checked entry by entry against
 * independent implementations (AOSP GsmAlphabet.java, the gsmcodecs look-up tables, CyberChef's
 * GSM-7 tables, and Nokia/Symbian charconv control files for the locking tables).
 */

export type NationalLanguage = 'turkish' | 'spanish' | 'portuguese';

/** A table's name as reported to callers: the default alphabet or a national language. */
export type GsmTableName = 'default' | NationalLanguage;

/** UDH information element identifiers (3GPP TS 23.040 §9.2.3.24.15–16); each IE is IEI, length 1, identifier. */
export const UDH_IEI_NATIONAL_SINGLE_SHIFT = 0x24;
export const UDH_IEI_NATIONAL_LOCKING_SHIFT = 0x25;

/** National language identifiers (TS 23.038 §6.2.1.2.4). */
export const NATIONAL_LANGUAGE_IDS: Readonly<Record<NationalLanguage, number>> = {
  turkish: 1,
  spanish: 2,
  portuguese: 3,
};

const TABLE_NAMES: ReadonlyMap<number, GsmTableName> = new Map<number, GsmTableName>([
  [0, 'default'],
  [1, 'turkish'],
  [2, 'spanish'],
  [3, 'portuguese'],
]);

/** Name of the table with identifier `id` (0 = default), or undefined for a language Parley lacks. */
export function gsmTableName(id: number): GsmTableName | undefined {
  return TABLE_NAMES.get(id);
}

/**
 * Builds a locking table from eight 16-septet rows (0x00–0x0F, 0x10–0x1F, …), the spec's
 * columns. The escape slot is written as a literal ESC so each row keeps exactly 16 characters
 * and can be read against the spec position by position; it becomes '' here, as in every table.
 */
function lockingTable(rows: readonly string[]): readonly string[] {
  const table = rows.flatMap((row) => [...row]);
  if (rows.length !== 8 || table.length !== 128) {
    throw new Error(`locking table has ${rows.length} rows and ${table.length} entries, expected 8 and 128`);
  }
  if (table[ESCAPE_SEPTET] !== '\u001b') throw new Error('locking table must mark 0x1B with ESC');
  table[ESCAPE_SEPTET] = '';
  return Object.freeze(table);
}

/**
 * Each national single shift table of A.2.1–A.2.3 keeps every default extension character
 * (form feed, ^ { } \ [ ~ ] | €) at its default code and adds the language's letters in
 * free slots, so it is built as the default table plus those additions. A clash would mean a
 * transcription error, so it throws rather than overwrite.
 */
function singleShiftTable(additions: ReadonlyArray<readonly [number, string]>): ReadonlyMap<number, string> {
  const table = new Map(DEFAULT_SINGLE_SHIFT_TABLE);
  for (const [code, char] of additions) {
    if (code === ESCAPE_SEPTET || code < 0 || code > 0x7f || table.has(code)) {
      throw new Error(`single shift code 0x${code.toString(16)} is reserved or already used`);
    }
    table.set(code, char);
  }
  return table;
}

/** A.3.1 Turkish National Language Locking Shift Table. */
const TURKISH_LOCKING = lockingTable([
  '@£$¥€éùıòÇ\nĞğ\rÅå', // 0x04 € (not è), 0x07 ı (not ì), 0x0B Ğ, 0x0C ğ
  'Δ_ΦΓΛΩΠΨΣΘΞ\u001bŞşßÉ', // 0x1C Ş, 0x1D ş (not Æ æ)
  ' !"#¤%&\'()*+,-./',
  '0123456789:;<=>?',
  'İABCDEFGHIJKLMNO', // 0x40 İ (not ¡)
  'PQRSTUVWXYZÄÖÑÜ§',
  'çabcdefghijklmno', // 0x60 ç (not ¿)
  'pqrstuvwxyzäöñüà',
]);

/** A.2.1 Turkish National Language Single Shift Table. */
const TURKISH_SINGLE_SHIFT = singleShiftTable([
  [0x47, 'Ğ'],
  [0x49, 'İ'],
  [0x53, 'Ş'],
  [0x63, 'ç'],
  [0x67, 'ğ'],
  [0x69, 'ı'],
  [0x73, 'ş'],
]);

/** A.2.2 Spanish National Language Single Shift Table (A.3.2, the Spanish locking table, is void). */
const SPANISH_SINGLE_SHIFT = singleShiftTable([
  [0x09, 'ç'],
  [0x41, 'Á'],
  [0x49, 'Í'],
  [0x4f, 'Ó'],
  [0x55, 'Ú'],
  [0x61, 'á'],
  [0x69, 'í'],
  [0x6f, 'ó'],
  [0x75, 'ú'],
]);

/** A.3.3 Portuguese National Language Locking Shift Table. */
const PORTUGUESE_LOCKING = lockingTable([
  '@£$¥êéúíóç\nÔô\rÁá',
  'Δ_ªÇÀ∞^\\€Ó|\u001bÂâÊÉ', // 0x15 is ∞ U+221E; ^ \ € | are 1 septet here, not escapes
  ' !"#º%&\'()*+,-./', // 0x24 º (not ¤)
  '0123456789:;<=>?',
  'ÍABCDEFGHIJKLMNO',
  'PQRSTUVWXYZÃÕÚÜ§',
  '~abcdefghijklmno',
  'pqrstuvwxyzãõ`üà',
]);

/**
 * A.2.3 Portuguese National Language Single Shift Table. It carries the Greek capitals the
 * Portuguese locking table gave up, so they stay reachable when both tables are in use.
 */
const PORTUGUESE_SINGLE_SHIFT = singleShiftTable([
  [0x05, 'ê'],
  [0x09, 'ç'],
  [0x0b, 'Ô'],
  [0x0c, 'ô'],
  [0x0e, 'Á'],
  [0x0f, 'á'],
  [0x12, 'Φ'],
  [0x13, 'Γ'],
  [0x15, 'Ω'],
  [0x16, 'Π'],
  [0x17, 'Ψ'],
  [0x18, 'Σ'],
  [0x19, 'Θ'],
  [0x1f, 'Ê'],
  [0x41, 'À'],
  [0x49, 'Í'],
  [0x4f, 'Ó'],
  [0x55, 'Ú'],
  [0x5b, 'Ã'],
  [0x5c, 'Õ'],
  [0x61, 'Â'],
  [0x69, 'í'],
  [0x6f, 'ó'],
  [0x75, 'ú'],
  [0x7b, 'ã'],
  [0x7c, 'õ'],
  [0x7f, 'â'],
]);

/** Turkish locking (A.3.1) + Turkish single shift (A.2.1): IEs 0x25 and 0x24, both with value 1. */
export const TURKISH_GSM_CHARSET: GsmCharset = {
  languageId: 1,
  name: 'turkish',
  locking: TURKISH_LOCKING,
  singleShift: TURKISH_SINGLE_SHIFT,
  lockingShiftId: 1,
  singleShiftId: 1,
};

/** Default locking table + Spanish single shift (A.2.2): only IE 0x24 with value 2. */
export const SPANISH_GSM_CHARSET: GsmCharset = {
  languageId: 2,
  name: 'spanish',
  locking: DEFAULT_LOCKING_TABLE,
  singleShift: SPANISH_SINGLE_SHIFT,
  lockingShiftId: 0,
  singleShiftId: 2,
};

/** Portuguese locking (A.3.3) + Portuguese single shift (A.2.3): IEs 0x25 and 0x24, both with value 3. */
export const PORTUGUESE_GSM_CHARSET: GsmCharset = {
  languageId: 3,
  name: 'portuguese',
  locking: PORTUGUESE_LOCKING,
  singleShift: PORTUGUESE_SINGLE_SHIFT,
  lockingShiftId: 3,
  singleShiftId: 3,
};

export const NATIONAL_GSM_CHARSETS: Readonly<Record<NationalLanguage, GsmCharset>> = {
  turkish: TURKISH_GSM_CHARSET,
  spanish: SPANISH_GSM_CHARSET,
  portuguese: PORTUGUESE_GSM_CHARSET,
};

/**
 * Pairs the locking table of `locking` with the single shift table of `singleShift`, as a
 * sender may when the UDH carries the two identifiers separately (IEI 0x25 and 0x24). The
 * result reports both identifiers; its `languageId` is the locking table's, or the single
 * shift's when the locking table is the default. Prefer `gsmCharsetFor`, which returns one
 * shared object per pair (cost tables are cached per charset object).
 */
export function combineGsmCharsets(locking: GsmCharset, singleShift: GsmCharset): GsmCharset {
  const lockingShiftId = lockingShiftIdOf(locking);
  const singleShiftId = singleShiftIdOf(singleShift);
  return {
    languageId: lockingShiftId !== 0 ? lockingShiftId : singleShiftId,
    name: `${gsmTableName(lockingShiftId) ?? locking.name}/${gsmTableName(singleShiftId) ?? singleShift.name}`,
    locking: locking.locking,
    singleShift: singleShift.singleShift,
    lockingShiftId,
    singleShiftId,
  };
}

/** Charsets whose locking table a UDH may select, by identifier (Spanish has none). */
const LOCKING_SOURCES: ReadonlyMap<number, GsmCharset> = new Map([
  [0, DEFAULT_GSM_CHARSET],
  [1, TURKISH_GSM_CHARSET],
  [3, PORTUGUESE_GSM_CHARSET],
]);

const SINGLE_SHIFT_SOURCES: ReadonlyMap<number, GsmCharset> = new Map([
  [0, DEFAULT_GSM_CHARSET],
  [1, TURKISH_GSM_CHARSET],
  [2, SPANISH_GSM_CHARSET],
  [3, PORTUGUESE_GSM_CHARSET],
]);

const CHARSET_PAIRS = new Map<number, GsmCharset>();
for (const charset of [DEFAULT_GSM_CHARSET, TURKISH_GSM_CHARSET, SPANISH_GSM_CHARSET, PORTUGUESE_GSM_CHARSET]) {
  CHARSET_PAIRS.set(pairKey(lockingShiftIdOf(charset), singleShiftIdOf(charset)), charset);
}

function pairKey(lockingShiftId: number, singleShiftId: number): number {
  return lockingShiftId * 256 + singleShiftId;
}

/**
 * The charset a UDH announces with locking shift `lockingShiftId` and single shift
 * `singleShiftId` (0 = default, i.e. the IE is absent), or undefined when Parley lacks either
 * table. Returns the same object for the same pair every time, so encoders can cache per charset.
 */
export function gsmCharsetFor(lockingShiftId: number, singleShiftId: number): GsmCharset | undefined {
  const key = pairKey(lockingShiftId, singleShiftId);
  const known = CHARSET_PAIRS.get(key);
  if (known !== undefined) return known;
  const locking = LOCKING_SOURCES.get(lockingShiftId);
  const singleShift = SINGLE_SHIFT_SOURCES.get(singleShiftId);
  if (locking === undefined || singleShift === undefined) return undefined;
  const combined = combineGsmCharsets(locking, singleShift);
  CHARSET_PAIRS.set(key, combined);
  return combined;
}

/** True when `language` has a locking shift table of its own (Spanish does not). */
export function hasNationalLockingTable(language: NationalLanguage): boolean {
  return LOCKING_SOURCES.has(NATIONAL_LANGUAGE_IDS[language]);
}
