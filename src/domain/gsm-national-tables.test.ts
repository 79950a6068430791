import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GSM_CHARSET,
  DEFAULT_LOCKING_TABLE,
  DEFAULT_SINGLE_SHIFT_TABLE,
  ESCAPE_SEPTET,
  lockingShiftIdOf,
  singleShiftIdOf,
  type GsmCharset,
} from './gsm-alphabet.js';
import {
  NATIONAL_GSM_CHARSETS,
  NATIONAL_LANGUAGE_IDS,
  PORTUGUESE_GSM_CHARSET,
  SPANISH_GSM_CHARSET,
  TURKISH_GSM_CHARSET,
  UDH_IEI_NATIONAL_LOCKING_SHIFT,
  UDH_IEI_NATIONAL_SINGLE_SHIFT,
  combineGsmCharsets,
  gsmCharsetFor,
  gsmTableName,
  hasNationalLockingTable,
} from './gsm-national-tables.js';

const ALL: ReadonlyArray<readonly [string, GsmCharset]> = [
  ['default', DEFAULT_GSM_CHARSET],
  ['turkish', TURKISH_GSM_CHARSET],
  ['spanish', SPANISH_GSM_CHARSET],
  ['portuguese', PORTUGUESE_GSM_CHARSET],
];

/** Septet → code point for every slot where `locking` differs from the default alphabet. */
function differencesFromDefault(locking: readonly string[]): Record<number, number> {
  const diff: Record<number, number> = {};
  locking.forEach((char, septet) => {
    if (char !== DEFAULT_LOCKING_TABLE[septet]) diff[septet] = char.codePointAt(0) ?? -1;
  });
  return diff;
}

/** Single shift entries beyond the default extension table, as code → code point. */
function additionsToDefault(singleShift: ReadonlyMap<number, string>): Record<number, number> {
  const added: Record<number, number> = {};
  for (const [code, char] of singleShift) {
    if (DEFAULT_SINGLE_SHIFT_TABLE.get(code) !== char) added[code] = char.codePointAt(0) ?? -1;
  }
  return added;
}

describe('every GSM charset', () => {
  it.each(ALL)('%s has exactly 128 locking entries with the escape slot 0x1B empty', (_name, charset) => {
    expect(charset.locking).toHaveLength(128);
    expect(charset.locking[ESCAPE_SEPTET]).toBe('');
    charset.locking.forEach((char, septet) => {
      if (septet !== ESCAPE_SEPTET) expect(char, `septet 0x${septet.toString(16)}`).toHaveLength(1);
    });
  });

  it.each(ALL)('%s maps no character to two locking septets', (_name, charset) => {
    const chars = charset.locking.filter((char) => char !== '');
    expect(new Set(chars).size).toBe(chars.length);
  });

  it.each(ALL)('%s single shift uses codes 0x00–0x7F, never the reserved 0x1B, one BMP character each', (_name, charset) => {
    for (const [code, char] of charset.singleShift) {
      expect(code).toBeGreaterThanOrEqual(0);
      expect(code).toBeLessThanOrEqual(0x7f);
      expect(code).not.toBe(ESCAPE_SEPTET);
      expect(char).toHaveLength(1);
    }
    expect(new Set(charset.singleShift.values()).size).toBe(charset.singleShift.size);
  });

  it.each(ALL)('%s single shift keeps every default extension character at its default code', (_name, charset) => {
    for (const [code, char] of DEFAULT_SINGLE_SHIFT_TABLE) expect(charset.singleShift.get(code)).toBe(char);
  });

  it.each(ALL)('%s keeps LF, CR, space, digits and ASCII letters where the default alphabet has them', (_name, charset) => {
    expect(charset.locking[0x0a]).toBe('\n');
    expect(charset.locking[0x0d]).toBe('\r');
    expect(charset.locking[0x20]).toBe(' ');
    expect(charset.locking.slice(0x30, 0x3a).join('')).toBe('0123456789');
    expect(charset.locking.slice(0x41, 0x5b).join('')).toBe('ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    expect(charset.locking.slice(0x61, 0x7b).join('')).toBe('abcdefghijklmnopqrstuvwxyz');
  });
});

describe('A.3.1 Turkish locking shift table', () => {
  it('differs from the default alphabet in exactly these slots (TS 23.038 A.3.1)', () => {
    expect(differencesFromDefault(TURKISH_GSM_CHARSET.locking)).toEqual({
      0x04: 0x20ac, // € replaces è
      0x07: 0x0131, // ı (dotless i) replaces ì
      0x0b: 0x011e, // Ğ replaces Ø
      0x0c: 0x011f, // ğ replaces ø
      0x1c: 0x015e, // Ş replaces Æ
      0x1d: 0x015f, // ş replaces æ
      0x40: 0x0130, // İ (dotted capital I) replaces ¡
      0x60: 0x00e7, // ç replaces ¿
    });
  });
});

describe('A.2.1 Turkish single shift table', () => {
  it('adds exactly Ğ İ Ş ç ğ ı ş to the default extension table', () => {
    // Not Ç at 0x43 as sometimes assumed: Ç is in the basic table (0x09) of both the
    // default and the Turkish locking tables, so the single shift table does not repeat it.
    expect(additionsToDefault(TURKISH_GSM_CHARSET.singleShift)).toEqual({
      0x47: 0x011e, // Ğ
      0x49: 0x0130, // İ
      0x53: 0x015e, // Ş
      0x63: 0x00e7, // ç
      0x67: 0x011f, // ğ
      0x69: 0x0131, // ı
      0x73: 0x015f, // ş
    });
    expect(TURKISH_GSM_CHARSET.singleShift.get(0x65)).toBe('€');
    expect(TURKISH_GSM_CHARSET.singleShift.size).toBe(17);
  });
});

describe('Spanish (A.2.2 single shift; no locking table)', () => {
  it('uses the default locking table, because A.3.2 is void', () => {
    expect(SPANISH_GSM_CHARSET.locking).toBe(DEFAULT_LOCKING_TABLE);
    expect(hasNationalLockingTable('spanish')).toBe(false);
  });

  it('adds exactly ç Á Í Ó Ú á í ó ú to the default extension table', () => {
    expect(additionsToDefault(SPANISH_GSM_CHARSET.singleShift)).toEqual({
      0x09: 0x00e7, // ç
      0x41: 0x00c1, // Á
      0x49: 0x00cd, // Í
      0x4f: 0x00d3, // Ó
      0x55: 0x00da, // Ú
      0x61: 0x00e1, // á
      0x69: 0x00ed, // í
      0x6f: 0x00f3, // ó
      0x75: 0x00fa, // ú
    });
    expect(SPANISH_GSM_CHARSET.singleShift.size).toBe(19);
  });
});

describe('A.3.3 Portuguese locking shift table', () => {
  it('differs from the default alphabet in exactly these slots', () => {
    expect(differencesFromDefault(PORTUGUESE_GSM_CHARSET.locking)).toEqual({
      0x04: 0x00ea, // ê
      0x06: 0x00fa, // ú
      0x07: 0x00ed, // í
      0x08: 0x00f3, // ó
      0x09: 0x00e7, // ç (lower case, where the default has Ç)
      0x0b: 0x00d4, // Ô
      0x0c: 0x00f4, // ô
      0x0e: 0x00c1, // Á
      0x0f: 0x00e1, // á
      0x12: 0x00aa, // ª
      0x13: 0x00c7, // Ç
      0x14: 0x00c0, // À
      0x15: 0x221e, // ∞
      0x16: 0x005e, // ^ (one septet here, an escape in the default alphabet)
      0x17: 0x005c, // \
      0x18: 0x20ac, // €
      0x19: 0x00d3, // Ó
      0x1a: 0x007c, // |
      0x1c: 0x00c2, // Â
      0x1d: 0x00e2, // â
      0x1e: 0x00ca, // Ê
      0x24: 0x00ba, // º replaces ¤
      0x40: 0x00cd, // Í
      0x5b: 0x00c3, // Ã
      0x5c: 0x00d5, // Õ
      0x5d: 0x00da, // Ú
      0x60: 0x007e, // ~
      0x7b: 0x00e3, // ã
      0x7c: 0x00f5, // õ
      0x7d: 0x0060, // `
    });
  });

  it('keeps Δ, _ and É where the default alphabet has them', () => {
    expect(PORTUGUESE_GSM_CHARSET.locking[0x10]).toBe('\u0394');
    expect(PORTUGUESE_GSM_CHARSET.locking[0x11]).toBe('_');
    expect(PORTUGUESE_GSM_CHARSET.locking[0x1f]).toBe('É');
  });
});

describe('A.2.3 Portuguese single shift table', () => {
  it('adds the Portuguese letters and the Greek capitals the locking table gave up', () => {
    expect(additionsToDefault(PORTUGUESE_GSM_CHARSET.singleShift)).toEqual({
      0x05: 0x00ea, // ê
      0x09: 0x00e7, // ç
      0x0b: 0x00d4, // Ô
      0x0c: 0x00f4, // ô
      0x0e: 0x00c1, // Á
      0x0f: 0x00e1, // á
      0x12: 0x03a6, // Φ
      0x13: 0x0393, // Γ
      0x15: 0x03a9, // Ω
      0x16: 0x03a0, // Π
      0x17: 0x03a8, // Ψ
      0x18: 0x03a3, // Σ
      0x19: 0x0398, // Θ
      0x1f: 0x00ca, // Ê
      0x41: 0x00c0, // À
      0x49: 0x00cd, // Í
      0x4f: 0x00d3, // Ó
      0x55: 0x00da, // Ú
      0x5b: 0x00c3, // Ã
      0x5c: 0x00d5, // Õ
      0x61: 0x00c2, // Â
      0x69: 0x00ed, // í
      0x6f: 0x00f3, // ó
      0x75: 0x00fa, // ú
      0x7b: 0x00e3, // ã
      0x7c: 0x00f5, // õ
      0x7f: 0x00e2, // â
    });
  });
});

describe('language identifiers and UDH information elements', () => {
  it('uses the TS 23.038 identifiers and the TS 23.040 IEIs', () => {
    expect(NATIONAL_LANGUAGE_IDS).toEqual({ turkish: 1, spanish: 2, portuguese: 3 });
    expect(UDH_IEI_NATIONAL_SINGLE_SHIFT).toBe(0x24);
    expect(UDH_IEI_NATIONAL_LOCKING_SHIFT).toBe(0x25);
    expect(NATIONAL_GSM_CHARSETS).toEqual({
      turkish: TURKISH_GSM_CHARSET,
      spanish: SPANISH_GSM_CHARSET,
      portuguese: PORTUGUESE_GSM_CHARSET,
    });
  });

  it('announces a locking shift IE only for languages that have a locking table', () => {
    const ids = ALL.map(([name, charset]) => [name, lockingShiftIdOf(charset), singleShiftIdOf(charset), charset.languageId]);
    expect(ids).toEqual([
      ['default', 0, 0, 0],
      ['turkish', 1, 1, 1],
      ['spanish', 0, 2, 2],
      ['portuguese', 3, 3, 3],
    ]);
  });

  it('names tables by identifier', () => {
    expect([0, 1, 2, 3, 4].map(gsmTableName)).toEqual(['default', 'turkish', 'spanish', 'portuguese', undefined]);
  });
});

describe('combining a locking table with another language’s single shift table', () => {
  it('takes the locking table from one charset and the single shift table from the other', () => {
    const combined = combineGsmCharsets(PORTUGUESE_GSM_CHARSET, TURKISH_GSM_CHARSET);
    expect(combined.locking).toBe(PORTUGUESE_GSM_CHARSET.locking);
    expect(combined.singleShift).toBe(TURKISH_GSM_CHARSET.singleShift);
    expect(lockingShiftIdOf(combined)).toBe(3);
    expect(singleShiftIdOf(combined)).toBe(1);
    expect(combined.name).toBe('portuguese/turkish');
  });

  it('keeps the default locking table (and no locking IE) when the locking side is Spanish', () => {
    const combined = combineGsmCharsets(SPANISH_GSM_CHARSET, PORTUGUESE_GSM_CHARSET);
    expect(combined.locking).toBe(DEFAULT_LOCKING_TABLE);
    expect(lockingShiftIdOf(combined)).toBe(0);
    expect(singleShiftIdOf(combined)).toBe(3);
    expect(combined.languageId).toBe(3);
  });

  it('resolves the pair a UDH announces, sharing one object per pair', () => {
    expect(gsmCharsetFor(0, 0)).toBe(DEFAULT_GSM_CHARSET);
    expect(gsmCharsetFor(1, 1)).toBe(TURKISH_GSM_CHARSET);
    expect(gsmCharsetFor(0, 2)).toBe(SPANISH_GSM_CHARSET);
    expect(gsmCharsetFor(3, 3)).toBe(PORTUGUESE_GSM_CHARSET);

    const turkishLockingOnly = gsmCharsetFor(1, 0);
    expect(turkishLockingOnly?.locking).toBe(TURKISH_GSM_CHARSET.locking);
    expect(turkishLockingOnly?.singleShift).toBe(DEFAULT_SINGLE_SHIFT_TABLE);
    expect(gsmCharsetFor(1, 0)).toBe(turkishLockingOnly);

    const mixed = gsmCharsetFor(3, 2);
    expect(mixed?.locking).toBe(PORTUGUESE_GSM_CHARSET.locking);
    expect(mixed?.singleShift).toBe(SPANISH_GSM_CHARSET.singleShift);
    expect(mixed && [lockingShiftIdOf(mixed), singleShiftIdOf(mixed)]).toEqual([3, 2]);
  });

  it('returns undefined for tables Parley lacks (Spanish locking is void; 4+ are not implemented)', () => {
    expect(gsmCharsetFor(2, 0)).toBeUndefined();
    expect(gsmCharsetFor(4, 0)).toBeUndefined();
    expect(gsmCharsetFor(0, 13)).toBeUndefined();
    expect(gsmCharsetFor(-1, 0)).toBeUndefined();
  });
});
