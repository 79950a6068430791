import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCKING_TABLE,
  DEFAULT_SINGLE_SHIFT_TABLE,
  GSM_BASIC_CHARACTERS,
  GSM_EXTENSION_CHARACTERS,
  type GsmCharset,
} from './gsm-alphabet.js';
import { gsmCharsetFor, type NationalLanguage } from './gsm-national-tables.js';
import { analyzeBody } from './sms-encoding.js';
import {
  decodeFromCarrier,
  decodeGsmSeptets,
  decodeShortMessage,
  encodeForCarrier,
  encodeGsmSeptets,
  encodePartsForCarrier,
  fillBitsForUdh,
  packSeptets,
  packedLength,
  unpackSeptets,
  type WireCharset,
} from './sms-wire-codec.js';
import { buildUdh, parseUdh, type UdhElement } from './udh.js';

/** Decoders promise real text: no lone surrogates, whatever the bytes were. */
function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

const GSM_CHARACTERS = [...GSM_BASIC_CHARACTERS, ...GSM_EXTENSION_CHARACTERS];

/** A national-style charset (see sms-wire-codec.test.ts) so non-default tables are covered too. */
const NATIONAL: GsmCharset = {
  languageId: 1,
  name: 'test-national',
  locking: DEFAULT_LOCKING_TABLE.map((char, septet) =>
    septet === 0x04 ? 'Ş' : septet === 0x05 ? 'ş' : septet === 0x60 ? '' : char,
  ),
  singleShift: new Map([...DEFAULT_SINGLE_SHIFT_TABLE, [0x47, 'Ğ'], [0x67, 'ğ'], [0x04, 'é']]),
};
const NATIONAL_CHARACTERS = [
  ...new Set([...NATIONAL.locking.filter((char, septet) => char !== '' && septet !== 0x1b), ...NATIONAL.singleShift.values()]),
];

/** GSM text, often ending in CR so the packed-GSM padding rule is exercised. */
function gsmText(characters: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.string({ unit: fc.constantFrom(...characters), maxLength: 200 }), fc.boolean())
    .map(([text, endInCr]) => (endInCr ? `${text}\r` : text));
}

const fillBits = fc.integer({ min: 0, max: 6 });

/**
 * What packed GSM-7 reads back as without a septet count (see sms-wire-codec.ts): a text
 * that ends in CR exactly on an octet boundary is sent with a second CR, so it reads back
 * with CR CR (which displays as CR) — unless the second CR did not fit, in which case the
 * reader takes the one CR for padding.
 */
function packedRoundTrip(text: string, septets: number, fill: number, maxOctets = Number.POSITIVE_INFINITY): string {
  if (!text.endsWith('\r') || (fill + septets * 7) % 8 !== 0) return text;
  return packedLength(septets + 1, fill) <= maxOctets ? `${text}\r` : text.slice(0, -1);
}

describe('round trips: decode(encode(s)) = s for every representable string', () => {
  it('GSM-7 septets, default and national tables', () => {
    fc.assert(
      fc.property(gsmText(GSM_CHARACTERS), (text) => {
        expect(decodeGsmSeptets(encodeGsmSeptets(text))).toBe(text);
      }),
    );
    fc.assert(
      fc.property(gsmText(NATIONAL_CHARACTERS), (text) => {
        expect(decodeGsmSeptets(encodeGsmSeptets(text, NATIONAL), NATIONAL)).toBe(text);
      }),
    );
  });

  it('GSM-7 unpacked through data_coding 0', () => {
    fc.assert(
      fc.property(gsmText(GSM_CHARACTERS), (text) => {
        const { bytes, dataCoding } = encodeForCarrier(text, 'gsm7');
        expect(decodeFromCarrier(bytes, dataCoding)).toMatchObject({ text, replaced: 0 });
      }),
    );
  });

  it('GSM-7 packed with 0–6 fill bits, the septet count inferred from the octets', () => {
    fc.assert(
      fc.property(gsmText(GSM_CHARACTERS), fillBits, (text, fill) => {
        const { bytes, dataCoding } = encodeForCarrier(text, 'gsm7-packed', { fillBits: fill });
        const decoded = decodeFromCarrier(bytes, dataCoding, { gsm7Packing: 'packed', fillBits: fill });
        expect(decoded.text).toBe(packedRoundTrip(text, encodeGsmSeptets(text).length, fill));
      }),
    );
  });

  it('GSM-7 packed, exact when the septet count is known (TP-UDL)', () => {
    fc.assert(
      fc.property(gsmText(NATIONAL_CHARACTERS), fillBits, (text, fill) => {
        const septets = encodeGsmSeptets(text, NATIONAL);
        const unpacked = unpackSeptets(packSeptets(septets, fill), septets.length, fill);
        expect(decodeGsmSeptets(unpacked, NATIONAL)).toBe(text);
      }),
    );
  });

  it('Latin-1 (data_coding 3) and IA5/ASCII (data_coding 1)', () => {
    const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)) });
    fc.assert(
      fc.property(latin1, (text) => {
        const { bytes, dataCoding } = encodeForCarrier(text, 'latin1');
        expect(decodeFromCarrier(bytes, dataCoding)).toMatchObject({ text, replaced: 0 });
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), (text) => {
        const { bytes, dataCoding } = encodeForCarrier(text, 'ascii');
        expect(decodeFromCarrier(bytes, dataCoding)).toMatchObject({ text, replaced: 0 });
      }),
    );
  });

  it('UCS-2 (data_coding 8), astral characters and grapheme clusters included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (text) => {
        const { bytes, dataCoding } = encodeForCarrier(text, 'ucs2');
        expect(bytes).toHaveLength(text.length * 2);
        expect(decodeFromCarrier(bytes, dataCoding)).toMatchObject({ text, replaced: 0 });
      }),
    );
  });
});

describe('packing', () => {
  it('unpack(pack(septets)) = septets for any septets and fill bits', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0x7f }), { maxLength: 300 }), fillBits, (septets, fill) => {
        const packed = packSeptets(septets, fill);
        expect(packed).toHaveLength(packedLength(septets.length, fill));
        expect([...unpackSeptets(packed, septets.length, fill)]).toEqual(septets);
      }),
    );
  });

  it('fill bits put packed text after any UDH length on a septet boundary', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 140 }), (udhOctets) => {
        const fill = fillBitsForUdh(udhOctets);
        expect(fill).toBeGreaterThanOrEqual(0);
        expect(fill).toBeLessThan(7);
        expect((udhOctets * 8 + fill) % 7).toBe(0);
      }),
    );
  });
});

describe('UDH', () => {
  const octet = fc.integer({ min: 0, max: 0xff });
  const element: fc.Arbitrary<UdhElement> = fc.oneof(
    fc.record({ type: fc.constant('concatenation-8' as const), reference: octet, total: octet, sequence: octet }),
    fc.record({
      type: fc.constant('concatenation-16' as const),
      reference: fc.integer({ min: 0, max: 0xffff }),
      total: octet,
      sequence: octet,
    }),
    fc.record({ type: fc.constant('national-single-shift' as const), languageId: octet }),
    fc.record({ type: fc.constant('national-locking-shift' as const), languageId: octet }),
    fc
      .record({ type: fc.constant('raw' as const), iei: octet, data: fc.uint8Array({ maxLength: 10 }) })
      // A raw element shaped exactly like a typed one parses as the typed one.
      .filter(({ iei, data }) => {
        const typedLength = ({ 0x00: 3, 0x08: 4, 0x24: 1, 0x25: 1 } as Record<number, number>)[iei];
        return typedLength !== data.length;
      }),
  );

  it('parseUdh(buildUdh(elements)) = elements', () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 10 }), fc.uint8Array({ maxLength: 20 }), (elements, text) => {
        const udh = buildUdh(elements);
        const message = new Uint8Array(udh.length + text.length);
        message.set(udh);
        message.set(text, udh.length);
        expect(parseUdh(message)).toEqual({ ok: true, elements, headerLength: udh.length });
      }),
    );
  });

  it('buildUdh(parseUdh(bytes)) gives back the header octets whenever bytes parse', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        // Keep UDHL within the bytes so more inputs reach the element parser.
        const input = bytes.length > 0 ? Uint8Array.from(bytes, (b, i) => (i === 0 ? b % bytes.length : b)) : bytes;
        const parsed = parseUdh(input);
        if (!parsed.ok) return;
        expect(buildUdh(parsed.elements)).toEqual(input.subarray(0, parsed.headerLength));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('fuzz: decoders never throw on carrier bytes', () => {
  const anyBytes = fc.uint8Array({ maxLength: 300 });
  const anyDataCoding = fc.oneof(fc.integer({ min: 0, max: 0xff }), fc.integer());
  const packing = fc.constantFrom('packed' as const, 'unpacked' as const);

  it('decodeFromCarrier returns well-formed text for any bytes and data_coding', () => {
    fc.assert(
      fc.property(anyBytes, anyDataCoding, packing, fillBits, fc.boolean(), (bytes, dataCoding, gsm7Packing, fill, national) => {
        const decoded = decodeFromCarrier(bytes, dataCoding, {
          gsm7Packing,
          fillBits: fill,
          ...(national ? { gsmCharset: NATIONAL } : {}),
        });
        expect(typeof decoded.text).toBe('string');
        expect(isWellFormed(decoded.text)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodeShortMessage survives any short_message, with or without UDHI', () => {
    fc.assert(
      fc.property(anyBytes, anyDataCoding, packing, fc.boolean(), (bytes, dataCoding, gsm7Packing, udhi) => {
        const decoded = decodeShortMessage(bytes, dataCoding, {
          udhi,
          gsm7Packing,
          resolveGsmCharset: ({ locking }) => (locking === 1 ? NATIONAL : undefined),
        });
        expect(isWellFormed(decoded.text)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('parseUdh, decodeGsmSeptets and unpackSeptets survive anything', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        expect(typeof parseUdh(bytes).ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer(), fc.double())), (septets) => {
        expect(isWellFormed(decodeGsmSeptets(septets))).toBe(true);
      }),
    );
    fc.assert(
      fc.property(anyBytes, fc.oneof(fc.integer(), fc.double()), fillBits, (bytes, count, fill) => {
        expect(unpackSeptets(bytes, count, fill).every((septet) => septet <= 0x7f)).toBe(true);
      }),
    );
  });
});

describe('parts on the wire (with analyzeBody, the real producer of parts)', () => {
  const unit = fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom(...GSM_CHARACTERS) },
    { weight: 3, arbitrary: fc.constantFrom('\r', '\n', '\r\n', '€', '{') },
    // Letters the Turkish, Spanish and Portuguese tables add.
    { weight: 2, arbitrary: fc.constantFrom('ğ', 'ş', 'ı', 'İ', 'á', 'í', 'ó', 'ú', 'ã', 'õ', 'ç', 'ê', 'Â') },
    { weight: 1, arbitrary: fc.constantFrom('😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', 'é́', '中', '’') },
  );
  /** Long text in one alphabet: plain GSM, or GSM plus one national language's letters. */
  const longIn = (extra: readonly string[]): fc.Arbitrary<string> =>
    fc.string({
      unit: fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom(...GSM_CHARACTERS) },
        { weight: 2, arbitrary: fc.constantFrom('\r', '\n', '€', '{', ...extra) },
      ),
      minLength: 140,
      maxLength: 700,
      // fast-check favours short strings; these are forced long so multipart bodies are common.
      size: 'max',
    });
  const denseIn = (letters: readonly string[]): fc.Arbitrary<string> =>
    fc.string({
      unit: fc.constantFrom(...'abcdefgklmnoprstuyz ,.', ...letters, ...letters),
      minLength: 20,
      maxLength: 500,
      size: 'max',
    });
  const body = fc.oneof(
    fc.string({ unit, maxLength: 700 }),
    fc.string({ unit, minLength: 60, maxLength: 700, size: 'max' }),
    longIn([]),
    longIn(['ğ', 'ş', 'ı', 'İ', 'Ş']),
    longIn(['á', 'í', 'ó', 'ú', 'ç']),
    longIn(['ã', 'õ', 'ê', 'Â', 'ç']),
    // Dense national letters make a locking shift table the cheaper choice.
    denseIn(['ğ', 'ş', 'ı', 'ç', 'Ş', 'İ']),
    denseIn(['ã', 'õ', 'ê', 'ç', 'á', 'ó']),
  );
  const languages = fc.oneof(
    fc.constant<NationalLanguage[]>(['turkish', 'spanish', 'portuguese']),
    fc.subarray<NationalLanguage>(['turkish', 'spanish', 'portuguese']),
  );
  const concatReference = fc.constantFrom(8 as const, 16 as const);

  /** Charsets a carrier could be configured with that can carry this body. */
  function charsetsFor(text: string, encoding: 'GSM-7' | 'UCS-2', national: boolean): WireCharset[] {
    if (encoding === 'UCS-2') return ['ucs2'];
    const charsets: WireCharset[] = ['gsm7', 'gsm7-packed'];
    // Latin-1 and IA5 are transcoded to the default alphabet by the SMSC: no national tables.
    if (national) return charsets;
    if ([...text].every((char) => char.charCodeAt(0) <= 0xff)) charsets.push('latin1');
    if ([...text].every((char) => char.charCodeAt(0) <= 0x7f)) charsets.push('ascii');
    return charsets;
  }

  it('every part fits in 140 octets on the air and decodes back to the body', () => {
    fc.assert(
      fc.property(body, languages, concatReference, fc.integer({ min: 0, max: 0xffff }), (text, nationalLanguages, bits, seed) => {
        const analysis = analyzeBody(text, { nationalLanguages, concatReference: bits });
        const gsmCharset = analysis.charset
          ? gsmCharsetFor(analysis.charset.lockingId, analysis.charset.singleShiftId)
          : undefined;
        const reference = bits === 8 ? seed & 0xff : seed;
        for (const charset of charsetsFor(text, analysis.encoding, gsmCharset !== undefined)) {
          const wire = encodePartsForCarrier(analysis.parts, { charset, reference, concatReference: bits, gsmCharset });
          expect(wire).toHaveLength(analysis.parts.length);
          const decoded = wire.map((part, index) => {
            expect(part.airOctets).toBeLessThanOrEqual(140);
            if (charset === 'gsm7-packed' || charset === 'ucs2') expect(part.shortMessage.length).toBe(part.airOctets);
            expect(part.shortMessage.length).toBeLessThanOrEqual(254);
            const { text: partText, concatenation, unsupportedNationalLanguage } = decodeShortMessage(
              part.shortMessage,
              part.dataCoding,
              {
                udhi: part.udh !== null,
                gsm7Packing: charset === 'gsm7-packed' ? 'packed' : 'unpacked',
                resolveGsmCharset: ({ locking, singleShift }) => gsmCharsetFor(locking ?? 0, singleShift ?? 0),
              },
            );
            expect(unsupportedNationalLanguage).toBe(false);
            expect(concatenation).toEqual(
              wire.length > 1 ? { reference, total: wire.length, sequence: index + 1, referenceBits: bits } : null,
            );
            const original = analysis.parts[index] ?? '';
            if (charset !== 'gsm7-packed') return partText;
            const udhLength = part.udh?.length ?? 0;
            const septets = encodeGsmSeptets(original, gsmCharset).length;
            expect(partText).toBe(packedRoundTrip(original, septets, fillBitsForUdh(udhLength), 140 - udhLength));
            return original;
          });
          expect(decoded.join('')).toBe(text);
        }
      }),
      { numRuns: 300 },
    );
  });
});
