import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GSM_CHARSET,
  DEFAULT_LOCKING_TABLE,
  DEFAULT_SINGLE_SHIFT_TABLE,
  GSM_BASIC_CHARACTERS,
  GSM_EXTENSION_CHARACTERS,
  type GsmCharset,
} from './gsm-alphabet.js';
import { gsmCharsetFor, TURKISH_GSM_CHARSET } from './gsm-national-tables.js';
import { analyzeBody } from './sms-encoding.js';
import {
  decodeFromCarrier,
  decodeGsmSeptets,
  decodeShortMessage,
  encodeForCarrier,
  encodeGsmSeptets,
  encodePartsForCarrier,
  fillBitsForUdh,
  interpretDataCoding,
  packSeptets,
  packedLength,
  unpackSeptets,
  WireEncodingError,
} from './sms-wire-codec.js';
import { parseUdh } from './udh.js';

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

function fromHex(text: string): Uint8Array {
  return Uint8Array.from(text.split(' ').map((pair) => Number.parseInt(pair, 16)));
}

function thrown(action: () => unknown): WireEncodingError {
  try {
    action();
  } catch (error) {
    if (error instanceof WireEncodingError) return error;
    throw error;
  }
  throw new Error('expected a WireEncodingError');
}

/**
 * A stand-in national charset, shaped like the real ones (TS 23.038 Annex A) without
 * depending on them: a locking table with a few national letters and a hole, and a
 * single shift table with different extension characters.
 */
const NATIONAL: GsmCharset = {
  languageId: 1,
  name: 'test-national',
  locking: DEFAULT_LOCKING_TABLE.map((char, septet) =>
    septet === 0x04 ? 'Ş' : septet === 0x05 ? 'ş' : septet === 0x60 ? '' : char,
  ),
  singleShift: new Map([...DEFAULT_SINGLE_SHIFT_TABLE, [0x47, 'Ğ'], [0x67, 'ğ'], [0x04, 'é']]),
};

/** National single shift only: the locking table stays the default one. */
const SHIFT_ONLY: GsmCharset = {
  languageId: 3,
  lockingShiftId: 0,
  name: 'test-shift-only',
  locking: DEFAULT_LOCKING_TABLE,
  singleShift: new Map([...DEFAULT_SINGLE_SHIFT_TABLE, [0x49, 'Í']]),
};

describe('encodeGsmSeptets', () => {
  it('maps every default table character to one septet and every extension character to ESC + code', () => {
    for (const char of GSM_BASIC_CHARACTERS) {
      const septets = encodeGsmSeptets(char);
      expect(septets).toHaveLength(1);
      expect(DEFAULT_LOCKING_TABLE[septets[0] ?? -1]).toBe(char);
    }
    for (const char of GSM_EXTENSION_CHARACTERS) {
      const septets = encodeGsmSeptets(char);
      expect(septets).toHaveLength(2);
      expect(septets[0]).toBe(0x1b);
      expect(DEFAULT_SINGLE_SHIFT_TABLE.get(septets[1] ?? -1)).toBe(char);
    }
  });

  it('encodes a mixed text', () => {
    expect(hex(encodeGsmSeptets('@a{€}\n'))).toBe('00 61 1B 28 1B 65 1B 29 0A');
    expect(encodeGsmSeptets('')).toEqual(new Uint8Array(0));
  });

  it('names the first unrepresentable character and its UTF-16 index', () => {
    const error = thrown(() => encodeGsmSeptets('Hi 😀 and ç'));
    expect(error.reason).toBe('unrepresentable');
    expect(error.index).toBe(3);
    expect(error.character).toBe('😀');
    expect(error.message).toBe('Character "😀" (U+1F600) at index 3 cannot be encoded in GSM 7-bit (default table)');
  });

  it('refuses a literal ESC control character rather than emitting a bogus escape', () => {
    const error = thrown(() => encodeGsmSeptets('a\u001bb'));
    expect(error.index).toBe(1);
    expect(error.message).toContain('U+001B');
    expect(error.message).not.toContain('"\u001b"');
  });

  it('uses a national charset: its locking letters cost one septet, its shift letters two', () => {
    expect(hex(encodeGsmSeptets('Şş', NATIONAL))).toBe('04 05');
    expect(hex(encodeGsmSeptets('Ğğ', NATIONAL))).toBe('1B 47 1B 67');
    // 'é' left the locking table (0x05 is 'ş' now) but is still reachable through the shift table.
    expect(hex(encodeGsmSeptets('é', NATIONAL))).toBe('1B 04');
    // '¿' sat in the hole at 0x60.
    expect(thrown(() => encodeGsmSeptets('¿', NATIONAL)).message).toContain('test-national');
  });

  it('prefers the one-septet locking entry when a character is in both tables', () => {
    const both: GsmCharset = { ...NATIONAL, singleShift: new Map([[0x41, 'A']]) };
    expect(hex(encodeGsmSeptets('A', both))).toBe('41');
  });
});

describe('decodeGsmSeptets', () => {
  it('decodes basic and extension septets', () => {
    expect(decodeGsmSeptets(fromHex('00 61 1B 28 1B 65 1B 29 0A'))).toBe('@a{€}\n');
  });

  it('shows the basic table character for ESC + an unknown code (TS 23.038)', () => {
    expect(decodeGsmSeptets(fromHex('1B 41 1B 0D'))).toBe('A\r');
  });

  it('shows a space for ESC ESC, and drops a lone ESC at the end', () => {
    expect(decodeGsmSeptets(fromHex('61 1B 1B 62'))).toBe('a b');
    expect(decodeGsmSeptets(fromHex('61 62 1B'))).toBe('ab');
  });

  it('replaces septets over 0x7F (unpacked bytes from a carrier) with U+FFFD', () => {
    expect(decodeGsmSeptets(fromHex('61 80 FF 1B 90 62'))).toBe('a\uFFFD\uFFFD\uFFFDb');
    expect(decodeGsmSeptets([0x61, -1, 1.5, 0x62])).toBe('a\uFFFD\uFFFDb');
  });

  it('reads national tables, showing the default character for a hole', () => {
    expect(decodeGsmSeptets(fromHex('04 05 1B 47 60'), NATIONAL)).toBe('ŞşĞ¿');
    // An unknown shift code under a national locking table shows the national character.
    expect(decodeGsmSeptets(fromHex('1B 05'), NATIONAL)).toBe('ş');
  });
});

describe('packing', () => {
  it.each([
    ['hello', 'E8 32 9B FD 06'],
    ['hellohello', 'E8 32 9B FD 46 97 D9 EC 37'],
    ['Hi', 'C8 34'],
    ['12345678', '31 D9 8C 56 B3 DD 70'],
  ])('packs %j as %s', (text, packed) => {
    expect(hex(packSeptets(encodeGsmSeptets(text)))).toBe(packed);
    expect(decodeGsmSeptets(unpackSeptets(fromHex(packed), text.length))).toBe(text);
  });

  it('pads 7 spare bits with CR, not zeros (TS 23.038 §6.1.2.3.1)', () => {
    // 7 septets = 49 bits: zero padding would read back as a trailing '@'.
    expect(hex(packSeptets(encodeGsmSeptets('1234567')))).toBe('31 D9 8C 56 B3 DD 1A');
  });

  it('computes fill bits after a UDH so the text starts on a septet boundary', () => {
    expect(fillBitsForUdh(0)).toBe(0);
    expect(fillBitsForUdh(6)).toBe(1);
    expect(fillBitsForUdh(7)).toBe(0);
    expect(fillBitsForUdh(12)).toBe(2);
  });

  it('shifts the text by the fill bits: after a 6-octet UDH it starts 1 bit in', () => {
    expect(hex(packSeptets(encodeGsmSeptets('hello'), 1))).toBe('D0 65 36 FB 0D');
    expect(decodeGsmSeptets(unpackSeptets(fromHex('D0 65 36 FB 0D'), 5, 1))).toBe('hello');
  });

  it('reports packed lengths, and packs nothing into no octets', () => {
    expect(packedLength(160)).toBe(140);
    expect(packedLength(153, 1)).toBe(134);
    expect(packSeptets([], 3)).toEqual(new Uint8Array(0));
  });

  it('returns only the septets the octets hold when asked for more', () => {
    expect(unpackSeptets(fromHex('C8 34'), 10)).toEqual(Uint8Array.from([0x48, 0x69]));
    expect(unpackSeptets(new Uint8Array(0), 5, 6)).toEqual(new Uint8Array(0));
    expect(unpackSeptets(fromHex('C8 34'), -1)).toEqual(new Uint8Array(0));
  });

  it('rejects septets over 127 and fill bits outside 0–6 (caller bugs)', () => {
    expect(() => packSeptets([0x80])).toThrow(RangeError);
    expect(() => packSeptets([0x41], 7)).toThrow(/fillBits/);
    expect(() => unpackSeptets(new Uint8Array(1), 1, -1)).toThrow(/fillBits/);
  });
});

describe('encodeForCarrier', () => {
  it('sends GSM-7 unpacked (one septet per octet) and packed with data_coding 0', () => {
    expect(encodeForCarrier('Hi€', 'gsm7')).toEqual({ bytes: fromHex('48 69 1B 65'), dataCoding: 0 });
    expect(encodeForCarrier('hello', 'gsm7-packed')).toEqual({ bytes: fromHex('E8 32 9B FD 06'), dataCoding: 0 });
    expect(hex(encodeForCarrier('hello', 'gsm7-packed', { fillBits: 1 }).bytes)).toBe('D0 65 36 FB 0D');
  });

  it('adds a second CR when a packed text ends in CR exactly on an octet boundary', () => {
    // 8 septets fill 7 octets exactly; a reader would take the final CR for padding.
    const { bytes } = encodeForCarrier('abcdefg\r', 'gsm7-packed');
    expect(hex(bytes)).toBe('61 F1 98 5C 36 9F 1B 0D');
    expect(decodeGsmSeptets(unpackSeptets(bytes, 9))).toBe('abcdefg\r\r');
    // Not after an ESC: there the 0x0D is an extension code, not a CR.
    expect(encodeForCarrier('abcdef\r', 'gsm7-packed').bytes).toHaveLength(7);
  });

  it('sends Latin-1 with data_coding 3 and IA5/ASCII with data_coding 1', () => {
    expect(encodeForCarrier('café', 'latin1')).toEqual({ bytes: fromHex('63 61 66 E9'), dataCoding: 3 });
    expect(encodeForCarrier('Hi!', 'ascii')).toEqual({ bytes: fromHex('48 69 21'), dataCoding: 1 });
  });

  it('names the character Latin-1 or ASCII cannot carry, so the caller can fall back to UCS-2', () => {
    const latin = thrown(() => encodeForCarrier('price 5€', 'latin1'));
    expect(latin).toMatchObject({ reason: 'unrepresentable', index: 7, character: '€' });
    expect(latin.message).toContain('Latin-1');
    const ascii = thrown(() => encodeForCarrier('café', 'ascii'));
    expect(ascii).toMatchObject({ reason: 'unrepresentable', index: 3, character: 'é' });
    expect(ascii.message).toContain('IA5/ASCII');
  });

  it('sends UCS-2 as UTF-16BE with data_coding 8, astral characters as surrogate pairs', () => {
    expect(encodeForCarrier('Привет', 'ucs2')).toEqual({
      bytes: fromHex('04 1F 04 40 04 38 04 32 04 35 04 42'),
      dataCoding: 8,
    });
    expect(hex(encodeForCarrier('a😀', 'ucs2').bytes)).toBe('00 61 D8 3D DE 00');
  });

  it('refuses a lone surrogate: it is not a character', () => {
    expect(thrown(() => encodeForCarrier('a\uD83D', 'ucs2'))).toMatchObject({ reason: 'unrepresentable', index: 1 });
    expect(thrown(() => encodeForCarrier('\uDE00b', 'ucs2')).message).toContain('U+DE00');
  });
});

describe('interpretDataCoding', () => {
  it.each([
    [0x00, 'gsm7', null],
    [0x01, 'ascii', null],
    [0x02, 'binary', null],
    [0x03, 'latin1', null],
    [0x04, 'binary', null],
    [0x05, 'unknown', null],
    [0x06, 'iso-8859-5', null],
    [0x07, 'iso-8859-8', null],
    [0x08, 'ucs2', null],
    [0x0e, 'euc-kr', null],
    [0x10, 'gsm7', 0],
    [0x11, 'gsm7', 1],
    [0x15, 'binary', 1],
    [0x18, 'ucs2', 0],
    [0x0c + 0x10, 'unknown', 0],
    [0x20, 'binary', null],
    [0x48, 'ucs2', null],
    [0x80, 'unknown', null],
    [0xc0, 'gsm7', null],
    [0xd8, 'gsm7', null],
    [0xe0, 'ucs2', null],
    [0xf0, 'gsm7', 0],
    [0xf1, 'gsm7', 1],
    [0xf2, 'gsm7', 2],
    [0xf4, 'binary', 0],
    [0xf6, 'binary', 2],
    [0xf7, 'binary', 3],
    [256, 'unknown', null],
    [-1, 'unknown', null],
  ] as const)('data_coding %d is %s, class %s', (dataCoding, alphabet, messageClass) => {
    expect(interpretDataCoding(dataCoding)).toEqual({ alphabet, messageClass });
  });

  it('reads data_coding 0 as the SMSC default alphabet configured for the carrier', () => {
    expect(interpretDataCoding(0, 'latin1').alphabet).toBe('latin1');
    expect(interpretDataCoding(0xf0, 'latin1').alphabet).toBe('gsm7');
  });
});

describe('decodeFromCarrier', () => {
  it('reads GSM-7 unpacked by default and packed when the carrier packs', () => {
    expect(decodeFromCarrier(fromHex('48 69 1B 65'), 0)).toMatchObject({ text: 'Hi€', alphabet: 'gsm7', replaced: 0 });
    expect(decodeFromCarrier(fromHex('E8 32 9B FD 06'), 0, { gsm7Packing: 'packed' }).text).toBe('hello');
    expect(decodeFromCarrier(fromHex('D0 65 36 FB 0D'), 0, { gsm7Packing: 'packed', fillBits: 1 }).text).toBe(
      'hello',
    );
  });

  it('drops CR padding but keeps a real trailing @ in packed GSM-7', () => {
    const packed = { gsm7Packing: 'packed' } as const;
    expect(decodeFromCarrier(fromHex('31 D9 8C 56 B3 DD 1A'), 0, packed).text).toBe('1234567');
    expect(decodeFromCarrier(encodeForCarrier('123456@', 'gsm7-packed').bytes, 0, packed).text).toBe('123456@');
    expect(decodeFromCarrier(encodeForCarrier('1234567@', 'gsm7-packed').bytes, 0, packed).text).toBe('1234567@');
    // A sender that zero-pads against the spec: its 7 zero bits show as '@'. Pinned, not fixed:
    // stripping a final '@' would corrupt the message above.
    expect(decodeFromCarrier(fromHex('31 D9 8C 56 B3 DD 00'), 0, packed).text).toBe('1234567@');
    // A wanted final CR that the sender doubled arrives as CR CR, which displays as one CR.
    expect(decodeFromCarrier(fromHex('61 F1 98 5C 36 9F 1B 0D'), 0, packed).text).toBe('abcdefg\r\r');
  });

  it('reads GSM-7 class codings (0xF0–0xF3) and reports the message class', () => {
    expect(decodeFromCarrier(fromHex('48 69'), 0xf0)).toMatchObject({ text: 'Hi', alphabet: 'gsm7', messageClass: 0 });
    expect(decodeFromCarrier(fromHex('C8 34'), 0xf1, { gsm7Packing: 'packed' }).text).toBe('Hi');
  });

  it('reads IA5 and replaces octets with the high bit set', () => {
    expect(decodeFromCarrier(fromHex('48 69 E9'), 1)).toMatchObject({ text: 'Hi\uFFFD', alphabet: 'ascii', replaced: 1 });
  });

  it('reads Latin-1, where every octet is a character', () => {
    expect(decodeFromCarrier(fromHex('63 61 66 E9'), 3)).toMatchObject({ text: 'café', replaced: 0 });
  });

  it('reads UCS-2 as UTF-16BE, replacing lone surrogates and an odd final octet', () => {
    expect(decodeFromCarrier(fromHex('00 61 D8 3D DE 00'), 8).text).toBe('a😀');
    expect(decodeFromCarrier(fromHex('00 61 D8 3D 00 62'), 8)).toMatchObject({ text: 'a\uFFFDb', replaced: 1 });
    expect(decodeFromCarrier(fromHex('DE 00 00 62 D8 3D'), 8)).toMatchObject({ text: '\uFFFDb\uFFFD', replaced: 2 });
    expect(decodeFromCarrier(fromHex('00 61 00'), 8)).toMatchObject({ text: 'a\uFFFD', replaced: 1 });
    expect(decodeFromCarrier(new Uint8Array(0), 8).text).toBe('');
  });

  it('returns 8-bit data (data_coding 2, 4, 0xF4–0xF7) as uppercase hex, flagged binary', () => {
    for (const dataCoding of [2, 4, 0xf5]) {
      expect(decodeFromCarrier(fromHex('0B 05 04 C3'), dataCoding)).toMatchObject({
        text: '0B0504C3',
        alphabet: 'binary',
        binary: true,
      });
    }
  });

  it('reads the ISO-8859 codings SMPP names (Cyrillic 6, Hebrew 7)', () => {
    expect(decodeFromCarrier(fromHex('BF E0 D8 D2 D5 E2'), 6)).toMatchObject({
      text: 'Привет',
      alphabet: 'iso-8859-5',
      unknownDataCoding: false,
    });
    expect(decodeFromCarrier(fromHex('E0'), 7).text).toBe('א');
  });

  it('reads unknown or reserved codings as Latin-1 and flags them', () => {
    for (const dataCoding of [5, 0x0b, 0x90, 999]) {
      expect(decodeFromCarrier(fromHex('48 E9'), dataCoding)).toMatchObject({
        text: 'Hé',
        alphabet: 'latin1',
        unknownDataCoding: true,
      });
    }
  });

  it('applies the SMSC default alphabet option to data_coding 0', () => {
    expect(decodeFromCarrier(fromHex('63 61 66 E9'), 0, { smscDefaultAlphabet: 'latin1' }).text).toBe('café');
  });
});

describe('decodeShortMessage', () => {
  it('splits off the UDH, reports concatenation and decodes packed text after the fill bits', () => {
    const [first] = encodePartsForCarrier(['hello', 'world'], { charset: 'gsm7-packed', reference: 0x42 });
    if (!first) throw new Error('no part');
    const decoded = decodeShortMessage(first.shortMessage, 0, { udhi: true, gsm7Packing: 'packed' });
    expect(decoded).toMatchObject({
      text: 'hello',
      concatenation: { reference: 0x42, total: 2, sequence: 1, referenceBits: 8 },
      udhError: null,
      unsupportedNationalLanguage: false,
    });
  });

  it('decodes unpacked and UCS-2 text after a UDH', () => {
    const udh = '05 00 03 01 02 02';
    expect(decodeShortMessage(fromHex(`${udh} 48 69`), 0, { udhi: true }).text).toBe('Hi');
    expect(decodeShortMessage(fromHex(`${udh} 00 48 00 69`), 8, { udhi: true }).text).toBe('Hi');
  });

  it('ignores the UDH when UDHI is not set', () => {
    expect(decodeShortMessage(fromHex('48 69'), 0, { udhi: false })).toMatchObject({
      text: 'Hi',
      udh: null,
      concatenation: null,
    });
  });

  it('skips a header with malformed elements by its length, and reads it all when UDHL overruns', () => {
    const malformed = decodeShortMessage(fromHex('02 00 05 48 69'), 0, { udhi: true });
    expect(malformed).toMatchObject({ text: 'Hi', udh: null, concatenation: null });
    expect(malformed.udhError).toMatch(/past the UDH/);
    const overrun = decodeShortMessage(fromHex('40 48 69'), 3, { udhi: true });
    expect(overrun).toMatchObject({ text: '@Hi', udh: null });
    expect(overrun.udhError).toMatch(/UDHL/);
    expect(decodeShortMessage(new Uint8Array(0), 0, { udhi: true })).toMatchObject({ text: '', udhError: expect.any(String) });
  });

  it('reads national language text through the resolver, and flags languages it cannot resolve', () => {
    const [part] = encodePartsForCarrier(['Şğ'], { charset: 'gsm7-packed', reference: 0, gsmCharset: NATIONAL });
    if (!part) throw new Error('no part');
    const resolved = decodeShortMessage(part.shortMessage, 0, {
      udhi: true,
      gsm7Packing: 'packed',
      resolveGsmCharset: ({ locking, singleShift }) => (locking === 1 && singleShift === 1 ? NATIONAL : undefined),
    });
    expect(resolved).toMatchObject({ text: 'Şğ', unsupportedNationalLanguage: false });
    const unresolved = decodeShortMessage(part.shortMessage, 0, { udhi: true, gsm7Packing: 'packed' });
    expect(unresolved).toMatchObject({ text: 'èg', unsupportedNationalLanguage: true });
  });
});

describe('encodePartsForCarrier', () => {
  it('sends a single part without a UDH', () => {
    const parts = encodePartsForCarrier(['Hello'], { charset: 'gsm7', reference: 7 });
    expect(parts).toEqual([
      { udh: null, payload: fromHex('48 65 6C 6C 6F'), shortMessage: fromHex('48 65 6C 6C 6F'), dataCoding: 0, airOctets: 5 },
    ]);
  });

  it('prefixes each part with an 8-bit concatenation UDH and packs after 1 fill bit', () => {
    const parts = encodePartsForCarrier(['hello', 'hello'], { charset: 'gsm7-packed', reference: 0xab });
    expect(parts.map((part) => hex(part.shortMessage))).toEqual([
      '05 00 03 AB 02 01 D0 65 36 FB 0D',
      '05 00 03 AB 02 02 D0 65 36 FB 0D',
    ]);
    expect(parts.map((part) => part.airOctets)).toEqual([11, 11]);
  });

  it('uses a 16-bit reference when asked, with no fill bits after its 7-octet UDH', () => {
    const [first] = encodePartsForCarrier(['hello', 'x'], { charset: 'gsm7-packed', reference: 0x1234, concatReference: 16 });
    expect(hex(first?.shortMessage ?? new Uint8Array())).toBe('06 08 04 12 34 02 01 E8 32 9B FD 06');
  });

  it('fits full GSM-7 parts: 153 septets + 6-octet UDH = 140 octets packed', () => {
    const body = 'a'.repeat(153 * 2 + 10);
    const parts = encodePartsForCarrier(analyzeBody(body).parts, { charset: 'gsm7-packed', reference: 1 });
    expect(parts.map((part) => part.shortMessage.length)).toEqual([140, 140, 6 + 9]);
  });

  it('measures unpacked GSM-7 on the air: 160 characters are a 160-octet short_message but 140 air octets', () => {
    const [single] = encodePartsForCarrier(['a'.repeat(160)], { charset: 'gsm7', reference: 1 });
    expect(single).toMatchObject({ airOctets: 140 });
    expect(single?.shortMessage).toHaveLength(160);
    const parts = encodePartsForCarrier(analyzeBody('a'.repeat(306)).parts, { charset: 'gsm7', reference: 1 });
    expect(parts.map((part) => [part.shortMessage.length, part.airOctets])).toEqual([
      [159, 140],
      [159, 140],
    ]);
  });

  it('measures Latin-1 and ASCII as the GSM-7 the SMSC transcodes them to', () => {
    const [latin] = encodePartsForCarrier(['{'.repeat(80)], { charset: 'latin1', reference: 1 });
    expect(latin).toMatchObject({ dataCoding: 3, airOctets: 140 });
    expect(() => encodePartsForCarrier([`${'{'.repeat(80)}a`], { charset: 'latin1', reference: 1 })).toThrow(/141 octets/);
    const [ascii] = encodePartsForCarrier(['a'.repeat(160)], { charset: 'ascii', reference: 1 });
    expect(ascii).toMatchObject({ dataCoding: 1, airOctets: 140 });
  });

  it('fits full UCS-2 parts: 67 units + 6-octet UDH, 66 with a 16-bit reference', () => {
    const body = '😀'.repeat(50);
    const parts = encodePartsForCarrier(analyzeBody(body).parts, { charset: 'ucs2', reference: 9 });
    for (const part of parts) expect(part.shortMessage.length).toBeLessThanOrEqual(140);
    expect(parts[0]).toMatchObject({ dataCoding: 8, airOctets: 6 + 66 * 2 });
    const sixtySix = encodePartsForCarrier(['x'.repeat(66), 'y'], { charset: 'ucs2', reference: 9, concatReference: 16 });
    expect(sixtySix[0]?.shortMessage).toHaveLength(139);
  });

  it('throws a clear error for a part over 140 octets', () => {
    expect(thrown(() => encodePartsForCarrier(['a'.repeat(161)], { charset: 'gsm7-packed', reference: 1 }))).toMatchObject({
      reason: 'too-long',
      message: 'message needs 141 octets of user data (UDH 0 + text 141); an SMS carries 140',
    });
    expect(() => encodePartsForCarrier(['a'.repeat(154), 'b'], { charset: 'gsm7', reference: 1 })).toThrow(
      /part 1 of 2 needs 141 octets/,
    );
    // analyzeBody's 153-septet parts leave no room for the 16-bit reference's extra octet.
    expect(() =>
      encodePartsForCarrier(['a'.repeat(153), 'b'], { charset: 'gsm7-packed', reference: 1, concatReference: 16 }),
    ).toThrow(/part 1 of 2 needs 141 octets/);
    expect(() => encodePartsForCarrier(['x'.repeat(71)], { charset: 'ucs2', reference: 1 })).toThrow(/142 octets/);
  });

  it('skips the second CR when it would not fit, rather than fail a full part', () => {
    const [part] = encodePartsForCarrier([`${'a'.repeat(159)}\r`], { charset: 'gsm7-packed', reference: 1 });
    expect(part?.shortMessage).toHaveLength(140);
    const [doubled] = encodePartsForCarrier(['abcdefg\r'], { charset: 'gsm7-packed', reference: 1 });
    expect(doubled?.shortMessage).toHaveLength(8);
  });

  it('names an unrepresentable character with its index in the whole body', () => {
    const error = thrown(() => encodePartsForCarrier(['abc', 'de€'], { charset: 'latin1', reference: 1 }));
    expect(error).toMatchObject({ reason: 'unrepresentable', index: 5, character: '€' });
    expect(error.message).toMatch(/^part 2 of 2: Character "€" \(U\+20AC\) at index 2 .* \(index 5 in the body\)$/);
  });

  it('announces national tables in every part, inferred from the charset or given explicitly', () => {
    const [single] = encodePartsForCarrier(['Şğ'], { charset: 'gsm7', reference: 3, gsmCharset: NATIONAL });
    expect(hex(single?.udh ?? new Uint8Array())).toBe('06 25 01 01 24 01 01');
    expect(hex(single?.payload ?? new Uint8Array())).toBe('04 1B 67');

    const shiftOnly = encodePartsForCarrier(['Í', 'Í'], { charset: 'gsm7', reference: 3, gsmCharset: SHIFT_ONLY });
    expect(shiftOnly.map((part) => hex(part.udh ?? new Uint8Array()))).toEqual([
      '08 00 03 03 02 01 24 01 03',
      '08 00 03 03 02 02 24 01 03',
    ]);

    const explicit = encodePartsForCarrier(['a'], {
      charset: 'gsm7-packed',
      reference: 3,
      nationalLanguageIds: { locking: 2 },
    });
    const udh = parseUdh(explicit[0]?.shortMessage ?? new Uint8Array());
    expect(udh).toMatchObject({ ok: true, headerLength: 4, elements: [{ type: 'national-locking-shift', languageId: 2 }] });
    // A 4-octet UDH needs 3 fill bits: 'a' (0x61) starts at bit 3 of the first text octet.
    expect(explicit[0]?.payload).toEqual(Uint8Array.from([(0x61 << 3) & 0xff, 0x61 >> 5]));
  });

  it('announces what analyzeBody chose for a Turkish body, and reads it back through gsmCharsetFor', () => {
    const body = 'Günaydın! Şimdi ğ ve ı ile yazıyoruz. '.repeat(6);
    const analysis = analyzeBody(body, { nationalLanguages: ['turkish'] });
    expect(analysis.encoding).toBe('GSM-7');
    const ids = analysis.charset ?? { lockingId: 0, singleShiftId: 0 };
    const gsmCharset = gsmCharsetFor(ids.lockingId, ids.singleShiftId);
    const wire = encodePartsForCarrier(analysis.parts, { charset: 'gsm7-packed', reference: 5, gsmCharset });
    const expected: number[] = [];
    expect(ids.lockingId + ids.singleShiftId).toBeGreaterThan(0);
    if (ids.lockingId !== 0) expected.push(0x25, 1, ids.lockingId);
    if (ids.singleShiftId !== 0) expected.push(0x24, 1, ids.singleShiftId);
    const decoded = wire.map((part) => {
      expect([...(part.udh ?? [])].slice(6)).toEqual(expected);
      expect(part.airOctets).toBeLessThanOrEqual(140);
      return decodeShortMessage(part.shortMessage, 0, {
        udhi: true,
        gsm7Packing: 'packed',
        resolveGsmCharset: ({ locking, singleShift }) => gsmCharsetFor(locking ?? 0, singleShift ?? 0),
      }).text;
    });
    expect(decoded.join('')).toBe(body);
    // The full Turkish charset announces both tables by its language id.
    const [single] = encodePartsForCarrier(['ğ'], { charset: 'gsm7', reference: 0, gsmCharset: TURKISH_GSM_CHARSET });
    expect(hex(single?.udh ?? new Uint8Array())).toBe('06 25 01 01 24 01 01');
  });

  it('refuses national tables with a non-GSM charset, bad references and bad part counts', () => {
    expect(() =>
      encodePartsForCarrier(['a'], { charset: 'ucs2', reference: 1, nationalLanguageIds: { singleShift: 1 } }),
    ).toThrow(/GSM-7 only/);
    expect(() => encodePartsForCarrier(['a'], { charset: 'gsm7', reference: 256 })).toThrow(/8-bit/);
    expect(() => encodePartsForCarrier(['a'], { charset: 'gsm7', reference: 70000, concatReference: 16 })).toThrow(
      /16-bit/,
    );
    expect(thrown(() => encodePartsForCarrier([], { charset: 'gsm7', reference: 1 })).reason).toBe('invalid-option');
    expect(thrown(() => encodePartsForCarrier(Array<string>(256).fill('a'), { charset: 'gsm7', reference: 1 })).reason).toBe(
      'too-many-parts',
    );
  });

  it('encodes an empty body as one empty short_message', () => {
    expect(encodePartsForCarrier(analyzeBody('').parts, { charset: 'gsm7-packed', reference: 0 })).toEqual([
      { udh: null, payload: new Uint8Array(0), shortMessage: new Uint8Array(0), dataCoding: 0, airOctets: 0 },
    ]);
  });

  it('uses the default charset when none is given', () => {
    expect(encodePartsForCarrier(['€'], { charset: 'gsm7', reference: 0, gsmCharset: DEFAULT_GSM_CHARSET })[0]?.udh).toBeNull();
  });
});
