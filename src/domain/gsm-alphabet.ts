/**
 * GSM 03.38 (3GPP TS 23.038) default alphabet tables, keyed by the Unicode
 * character each septet renders as.
 *
 * Kept as literal strings laid out in code-point order so the tables can be
 * audited line by line against the spec rather than trusted blindly.
 */

/**
 * The 128-entry basic table in septet order 0x00–0x7F. Slot 0x1B is the
 * escape to the extension table, not a printable character, so it is left out
 * (a literal U+001B in a body must not be mistaken for a GSM character).
 */
const BASIC_TABLE =
  // 0x00–0x0F
  '@£$¥èéùìòÇ\nØø\rÅå' +
  // 0x10–0x1F (0x1B ESC omitted)
  'Δ_ΦΓΛΩΠΨΣΘΞ' +
  'ÆæßÉ' +
  // 0x20–0x2F
  ' !"#¤%&\'()*+,-./' +
  // 0x30–0x3F
  '0123456789:;<=>?' +
  // 0x40–0x5F
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
  // 0x60–0x7F
  '¿abcdefghijklmnopqrstuvwxyzäöñüà';

/**
 * Extension table characters. Each is sent as ESC (0x1B) followed by its
 * code, which is why it costs two septets.
 */
const EXTENSION_TABLE = '\f^{}\\[~]|€';

export const GSM_BASIC_CHARACTERS: ReadonlySet<string> = new Set(BASIC_TABLE);
export const GSM_EXTENSION_CHARACTERS: ReadonlySet<string> = new Set(EXTENSION_TABLE);

/**
 * A GSM 7-bit character set as TS 23.038 defines it: a locking table (septet → character,
 * 128 entries, '' where a septet has no character, always '' at 0x1B, the escape) and a
 * single shift table (the code after ESC → character). The default alphabet is one pair;
 * national language tables (Turkish, Spanish, Portuguese…) are others, chosen per message
 * and announced in the UDH.
 */
export interface GsmCharset {
  /** National language identifier (0 = default alphabet). */
  readonly languageId: number;
  readonly name: string;
  readonly locking: readonly string[];
  readonly singleShift: ReadonlyMap<number, string>;
  /**
   * Identifier announced in the locking shift IE (IEI 0x25) when this charset is used; 0 means
   * the default table and no IE. Absent means `languageId`. It exists because the two tables
   * travel as two separate IEs: Spanish has no locking table (its charset pairs the default
   * locking table with the Spanish single shift), and any language's locking table may be
   * paired with another's single shift. Read it through `lockingShiftIdOf`.
   */
  readonly lockingShiftId?: number;
  /** Identifier announced in the single shift IE (IEI 0x24); 0 = default extension table, no IE. */
  readonly singleShiftId?: number;
}

/** The locking shift table identifier of `charset` (0 = default alphabet: no IEI 0x25 in the UDH). */
export function lockingShiftIdOf(charset: GsmCharset): number {
  return charset.lockingShiftId ?? charset.languageId;
}

/** The single shift table identifier of `charset` (0 = default extension table: no IEI 0x24 in the UDH). */
export function singleShiftIdOf(charset: GsmCharset): number {
  return charset.singleShiftId ?? charset.languageId;
}

export const ESCAPE_SEPTET = 0x1b;

function lockingFromTable(table: string): string[] {
  const chars = [...table];
  // BASIC_TABLE leaves out the escape slot; put it back at 0x1B.
  chars.splice(ESCAPE_SEPTET, 0, '');
  if (chars.length !== 128) throw new Error(`locking table has ${chars.length} entries, expected 128`);
  return chars;
}

export const DEFAULT_LOCKING_TABLE: readonly string[] = lockingFromTable(BASIC_TABLE);

export const DEFAULT_SINGLE_SHIFT_TABLE: ReadonlyMap<number, string> = new Map([
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
]);

export const DEFAULT_GSM_CHARSET: GsmCharset = {
  languageId: 0,
  name: 'default',
  locking: DEFAULT_LOCKING_TABLE,
  singleShift: DEFAULT_SINGLE_SHIFT_TABLE,
};
