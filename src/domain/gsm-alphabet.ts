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
