import { describe, expect, it } from 'vitest';
import { DEFAULT_GSM_CHARSET, GSM_BASIC_CHARACTERS, GSM_EXTENSION_CHARACTERS } from './gsm-alphabet.js';
import {
  PORTUGUESE_GSM_CHARSET,
  SPANISH_GSM_CHARSET,
  TURKISH_GSM_CHARSET,
  gsmCharsetFor,
} from './gsm-national-tables.js';
import {
  analyzeBody,
  gsmSeptetCost,
  gsmSeptetLength,
  isGsm7,
  partCapacity,
  userDataHeaderOctets,
  type AnalyzeBodyOptions,
  type BodyAnalysis,
} from './sms-encoding.js';

/** Septets of a GSM-7 part; used to prove no part exceeds its capacity. */
function septets(text: string): number {
  let total = 0;
  for (const char of text) total += gsmSeptetLength(char);
  return total;
}

/** Invariants every analysis must satisfy, whatever the body. */
function expectConsistent(body: string, analysis: BodyAnalysis): void {
  expect(analysis.parts.join('')).toBe(body);
  expect(analysis.segments).toBe(analysis.parts.length);
  expect(analysis.characters).toBe([...body].length);
  if (analysis.parts.length > 1) {
    for (const part of analysis.parts) {
      expect(part.length).toBeGreaterThan(0);
      if (analysis.encoding === 'GSM-7') expect(septets(part)).toBeLessThanOrEqual(153);
      else expect(part.length).toBeLessThanOrEqual(67);
    }
  }
}

function analyze(body: string): BodyAnalysis {
  const analysis = analyzeBody(body);
  expectConsistent(body, analysis);
  return analysis;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

describe('GSM 03.38 tables', () => {
  it('has the 127 printable basic characters (128 slots minus ESC)', () => {
    expect(GSM_BASIC_CHARACTERS.size).toBe(127);
  });

  it('has the 10 extension characters', () => {
    expect([...GSM_EXTENSION_CHARACTERS].sort()).toEqual(
      ['\f', '^', '{', '}', '\\', '[', '~', ']', '|', '€'].sort(),
    );
  });

  it('uses the exact code points of the spec (not look-alikes)', () => {
    // Greek capitals, not the Ohm sign U+2126 or the increment U+2206.
    const codePoints = [
      0x0394, 0x03a6, 0x0393, 0x039b, 0x03a9, 0x03a0, 0x03a8, 0x03a3, 0x0398, 0x039e, 0x00a4,
      0x00a1, 0x00bf, 0x00a7, 0x00c7, 0x00a3, 0x00a5, 0x20ac,
    ];
    for (const cp of codePoints) {
      expect(isGsm7(String.fromCodePoint(cp)), cp.toString(16)).toBe(true);
    }
    expect(isGsm7('\u2126')).toBe(false); // Ohm sign
    expect(isGsm7('\u2206')).toBe(false); // increment
  });
});

describe('gsmSeptetLength', () => {
  it('is 1 for every basic-table character listed in the spec', () => {
    const basic =
      '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
    expect([...basic]).toHaveLength(127);
    for (const char of basic) expect(gsmSeptetLength(char), JSON.stringify(char)).toBe(1);
  });

  it('is 2 for every extension-table character (ESC + code)', () => {
    for (const char of '\f^{}\\[~]|€') expect(gsmSeptetLength(char), JSON.stringify(char)).toBe(2);
  });

  it('is 0 for characters outside GSM 03.38', () => {
    for (const char of ['ç', 'á', 'í', 'ó', 'ú', 'â', '`', '‘', '’', '“', '”', '—', '😀', '\t', '\u00a0']) {
      expect(gsmSeptetLength(char), JSON.stringify(char)).toBe(0);
    }
  });

  it('is 0 for the raw ESC control character, which is not a printable GSM character', () => {
    expect(gsmSeptetLength('\u001b')).toBe(0);
  });

  it('is 0 for anything that is not exactly one character', () => {
    expect(gsmSeptetLength('')).toBe(0);
    expect(gsmSeptetLength('ab')).toBe(0);
    expect(gsmSeptetLength('\r\n')).toBe(0);
  });
});

describe('isGsm7', () => {
  it('accepts the empty string', () => {
    expect(isGsm7('')).toBe(true);
  });

  it('accepts basic and extension characters together', () => {
    expect(isGsm7('Hello {world} €5 [ok] ~x| ^\\ \f@£$¥')).toBe(true);
  });

  it('rejects a single non-GSM character anywhere in the body', () => {
    expect(isGsm7('Hello world’')).toBe(false);
    expect(isGsm7('ça va')).toBe(false);
    expect(isGsm7('a😀')).toBe(false);
  });
});

describe('analyzeBody: empty body', () => {
  it('is one empty GSM-7 segment, because carriers still send one SMS', () => {
    expect(analyze('')).toEqual({
      encoding: 'GSM-7',
      segments: 1,
      characters: 0,
      parts: [''],
      unicodeCharacters: [],
    });
  });
});

describe('analyzeBody: GSM-7 limits', () => {
  it('fits 160 basic characters in one segment', () => {
    const body = 'a'.repeat(160);
    const result = analyze(body);
    expect(result.encoding).toBe('GSM-7');
    expect(result.segments).toBe(1);
    expect(result.parts).toEqual([body]);
    expect(result.characters).toBe(160);
    expect(result.unicodeCharacters).toEqual([]);
  });

  it('splits 161 basic characters into 153 + 8', () => {
    const result = analyze('a'.repeat(161));
    expect(result.segments).toBe(2);
    expect(result.parts.map((p) => p.length)).toEqual([153, 8]);
  });

  it('fits 306 characters in two segments and needs three for 307', () => {
    expect(analyze('b'.repeat(306)).parts.map((p) => p.length)).toEqual([153, 153]);
    const three = analyze('b'.repeat(307));
    expect(three.segments).toBe(3);
    expect(three.parts.map((p) => p.length)).toEqual([153, 153, 1]);
  });

  it('fits 459 characters in three segments and needs four for 460', () => {
    expect(analyze('c'.repeat(459)).segments).toBe(3);
    expect(analyze('c'.repeat(460)).segments).toBe(4);
  });

  it('counts CR and LF as one septet each', () => {
    expect(analyze('\r\n'.repeat(80)).segments).toBe(1);
    expect(analyze('\n'.repeat(161)).segments).toBe(2);
  });

  it('treats accented GSM letters as single septets', () => {
    const result = analyze('é'.repeat(160));
    expect(result.encoding).toBe('GSM-7');
    expect(result.segments).toBe(1);
  });
});

describe('analyzeBody: GSM-7 extension characters', () => {
  it('counts 80 € as 160 septets: one segment', () => {
    const result = analyze('€'.repeat(80));
    expect(result.encoding).toBe('GSM-7');
    expect(result.segments).toBe(1);
    expect(result.characters).toBe(80);
  });

  it('counts 81 € as 162 septets: two segments', () => {
    const result = analyze('€'.repeat(81));
    expect(result.segments).toBe(2);
    // 76 × 2 = 152 septets; a 77th € would need 154, so it starts part two.
    expect(result.parts.map((p) => [...p].length)).toEqual([76, 5]);
  });

  it.each([...'\f^{}\\[~]|€'])('counts %j as two septets against the 160 limit', (char) => {
    expect(analyze(char + 'x'.repeat(158)).segments).toBe(1);
    expect(analyze(char + 'x'.repeat(159)).segments).toBe(2);
  });

  it('matches Twilio reference: "{" + 158 chars is 1 segment, "{" + 159 chars is 2', () => {
    // TwilioDevEd/message-segment-calculator tests/index.test.js
    const digits = '2345678901'.repeat(16);
    expect(analyze('{' + digits.slice(0, 158)).segments).toBe(1);
    expect(analyze('{' + digits.slice(0, 159)).segments).toBe(2);
  });

  it('moves an escape pair that would straddle the 153-septet boundary to the next part', () => {
    // 152 septets then '€' (2 septets): only 1 septet is left in part one.
    const body = 'a'.repeat(152) + '€' + 'b'.repeat(10);
    const result = analyze(body);
    expect(result.segments).toBe(2);
    expect(result.parts[0]).toBe('a'.repeat(152));
    expect(result.parts[1]).toBe('€' + 'b'.repeat(10));
    expect(septets(result.parts[0] ?? '')).toBe(152);
  });

  it('keeps an escape pair in the part when it fits exactly at the boundary', () => {
    const body = 'a'.repeat(151) + '€' + 'b'.repeat(10);
    const result = analyze(body);
    expect(result.parts[0]).toBe('a'.repeat(151) + '€');
    expect(septets(result.parts[0] ?? '')).toBe(153);
  });

  it('can need an extra segment because an escape pair cannot be split', () => {
    // 152 + 2 + 152 = 306 septets, which naively fits 2 × 153, but the moved
    // escape pair pushes the tail into a third part.
    const body = 'a'.repeat(152) + '€' + 'b'.repeat(152);
    const result = analyze(body);
    expect(result.segments).toBe(3);
    expect(result.parts).toEqual(['a'.repeat(152), '€' + 'b'.repeat(151), 'b']);
  });
});

describe('analyzeBody: UCS-2 limits', () => {
  it('fits 70 UCS-2 code units in one segment', () => {
    const body = 'Ж'.repeat(70);
    const result = analyze(body);
    expect(result.encoding).toBe('UCS-2');
    expect(result.segments).toBe(1);
    expect(result.parts).toEqual([body]);
  });

  it('splits 71 UCS-2 code units into 67 + 4', () => {
    const result = analyze('Ж'.repeat(71));
    expect(result.segments).toBe(2);
    expect(result.parts.map((p) => p.length)).toEqual([67, 4]);
  });

  it('fits 134 code units in two segments and needs three for 135', () => {
    expect(analyze('Ж'.repeat(134)).segments).toBe(2);
    expect(analyze('Ж'.repeat(135)).segments).toBe(3);
  });

  it('makes a whole body UCS-2 when one character is outside GSM', () => {
    const result = analyze('a'.repeat(69) + 'ç');
    expect(result.encoding).toBe('UCS-2');
    expect(result.segments).toBe(1);
    expect(analyze('a'.repeat(70) + 'ç').segments).toBe(2);
  });

  it('makes 99 GSM characters plus one emoji UCS-2 with two segments', () => {
    // 99 + 2 surrogate units = 101 UTF-16 units > 70 → 67 + 34.
    const body = 'x'.repeat(50) + '😀' + 'y'.repeat(49);
    const result = analyze(body);
    expect(result.encoding).toBe('UCS-2');
    expect(result.segments).toBe(2);
    expect(result.characters).toBe(100);
    expect(result.unicodeCharacters).toEqual(['😀']);
  });

  it('counts extension characters as one unit, not two, once the body is UCS-2', () => {
    const result = analyze('€'.repeat(69) + 'ç');
    expect(result.encoding).toBe('UCS-2');
    expect(result.segments).toBe(1);
  });

  it('matches Twilio reference: emoji + 68 chars is 1 segment, emoji + 69 chars is 2', () => {
    // TwilioDevEd/message-segment-calculator tests/index.test.js
    const digits = '2345678901'.repeat(7);
    expect(analyze('😜' + digits.slice(0, 68)).segments).toBe(1);
    expect(analyze('😜' + digits.slice(0, 69)).segments).toBe(2);
  });
});

describe('analyzeBody: never splitting surrogate pairs', () => {
  it('moves an emoji that would straddle the 67-unit boundary to the next part', () => {
    // 66 units then a 2-unit emoji: only 1 unit is left in part one.
    const body = 'Ж'.repeat(66) + '😀' + 'Ж'.repeat(10);
    const result = analyze(body);
    expect(result.parts[0]).toBe('Ж'.repeat(66));
    expect(result.parts[1]).toBe('😀' + 'Ж'.repeat(10));
  });

  it('keeps an emoji in the part when it ends exactly on the boundary', () => {
    const body = 'Ж'.repeat(65) + '😀' + 'Ж'.repeat(10);
    const result = analyze(body);
    expect(result.parts[0]).toBe('Ж'.repeat(65) + '😀');
    expect(result.parts[0]).toHaveLength(67);
  });

  it('never ends a part on a high surrogate for any alignment', () => {
    for (let prefix = 0; prefix < 6; prefix++) {
      const body = 'a'.repeat(prefix) + '😀'.repeat(100);
      const result = analyze(body);
      for (const part of result.parts) {
        expect(isHighSurrogate(part.charCodeAt(part.length - 1))).toBe(false);
        expect(isLowSurrogate(part.charCodeAt(0))).toBe(false);
      }
    }
  });

  it('does not cut the pair before a lone low surrogate that falls on the boundary', () => {
    // Malformed input (a lone low surrogate) right after a flag at the 67-unit cut: the cut
    // stays put instead of stepping back into the flag's second surrogate pair.
    const body = 'Ж'.repeat(59) + '🇺🇸' + '🇺🇸' + '\ude00' + 'Ж'.repeat(10);
    const result = analyze(body);
    expect(result.parts.map((p) => p.length)).toEqual([67, 11]);
    expect(result.parts[0]?.endsWith('🇺🇸🇺🇸')).toBe(true);
  });

  it('packs 33 two-unit emoji per part (66 units), not 33.5', () => {
    const result = analyze('😀'.repeat(100));
    expect(result.segments).toBe(4);
    expect(result.parts.map((p) => [...p].length)).toEqual([33, 33, 33, 1]);
  });
});

describe('analyzeBody: grapheme clusters', () => {
  const family = '👨‍👩‍👧‍👦'; // 4 emoji joined by 3 ZWJ: 11 UTF-16 units
  const flag = '🇺🇸'; // two regional indicators: 4 units
  const thumbs = '👍🏽'; // emoji + skin-tone modifier: 4 units
  const combining = 'e\u0301'; // e + combining acute: 2 units

  it('keeps a ZWJ family emoji whole across the part boundary', () => {
    expect(family).toHaveLength(11);
    const body = 'Ж'.repeat(60) + family + 'Ж'.repeat(10);
    const result = analyze(body);
    expect(result.parts[0]).toBe('Ж'.repeat(60));
    expect(result.parts[1]).toBe(family + 'Ж'.repeat(10));
  });

  it('keeps a flag whole across the part boundary', () => {
    const body = 'Ж'.repeat(65) + flag + 'Ж'.repeat(10);
    const result = analyze(body);
    expect(result.parts[0]).toBe('Ж'.repeat(65));
    expect(result.parts[1]?.startsWith(flag)).toBe(true);
  });

  it('keeps an emoji with a skin-tone modifier whole', () => {
    const body = 'Ж'.repeat(64) + thumbs + 'Ж'.repeat(10);
    const result = analyze(body);
    expect(result.parts[0]).toBe('Ж'.repeat(64));
    expect(result.parts[1]?.startsWith(thumbs)).toBe(true);
  });

  it('keeps a base letter and its combining mark together', () => {
    const body = 'Ж'.repeat(66) + combining + 'Ж'.repeat(10);
    const result = analyze(body);
    expect(result.parts[0]).toBe('Ж'.repeat(66));
    expect(result.parts[1]?.startsWith(combining)).toBe(true);
  });

  it('never splits any cluster in a long mixed body', () => {
    const clusters = [family, flag, thumbs, combining, 'Ж', 'a', '😀'];
    let body = '';
    for (let i = 0; i < 200; i++) body += clusters[(i * 7 + 3) % clusters.length];
    const result = analyze(body);
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const expected = Array.from(segmenter.segment(body), (s) => s.segment);
    const actual = result.parts.flatMap((p) => Array.from(segmenter.segment(p), (s) => s.segment));
    expect(actual).toEqual(expected);
  });

  it('falls back to code point splitting for a cluster larger than a whole part', () => {
    // One grapheme of 101 code units: 'e' followed by 100 combining marks.
    const zalgo = 'e' + '\u0301'.repeat(100);
    const body = 'Ж'.repeat(10) + zalgo;
    const result = analyze(body);
    expect(result.encoding).toBe('UCS-2');
    // 111 units packed as 67 + 44: the oversized cluster starts in part one.
    expect(result.parts.map((p) => p.length)).toEqual([67, 44]);
  });

  it('splits an oversized cluster of emoji at code point, never surrogate, boundaries', () => {
    // 40 ZWJ-joined emoji: 40 × 2 + 39 = 119 units in one grapheme.
    const chain = Array.from({ length: 40 }, () => '👩').join('\u200d');
    const result = analyze('Ж' + chain);
    for (const part of result.parts) {
      expect(part.length).toBeLessThanOrEqual(67);
      expect(isHighSurrogate(part.charCodeAt(part.length - 1))).toBe(false);
      expect(isLowSurrogate(part.charCodeAt(0))).toBe(false);
    }
  });
  it('keeps CR LF together in GSM-7, since it is one grapheme cluster', () => {
    const result = analyze('a'.repeat(152) + '\r\n' + 'b'.repeat(10));
    expect(result.encoding).toBe('GSM-7');
    expect(result.parts).toEqual(['a'.repeat(152), '\r\n' + 'b'.repeat(10)]);
  });
});

describe('analyzeBody: unicodeCharacters', () => {
  it('is empty for a GSM-7 body, even with extension characters', () => {
    expect(analyze('Price: €5 {incl. VAT}').unicodeCharacters).toEqual([]);
  });

  it('reports curly quotes, em dash and emoji in order of first appearance, without duplicates', () => {
    const body = '“Hello” — it’s ‘great’ 😀 — “again” 😀';
    const result = analyze(body);
    expect(result.encoding).toBe('UCS-2');
    expect(result.unicodeCharacters).toEqual(['“', '”', '—', '’', '‘', '😀']);
  });

  it('does not report GSM characters that share a body with Unicode ones', () => {
    const result = analyze('é € ç');
    expect(result.unicodeCharacters).toEqual(['ç']);
  });

  it('reports a ZWJ sequence, flag or skin-tone emoji as one whole character', () => {
    const result = analyze('Hi 👨‍👩‍👧 from 🇺🇸 👍🏽');
    expect(result.unicodeCharacters).toEqual(['👨‍👩‍👧', '🇺🇸', '👍🏽']);
  });

  it('reports a decomposed accent together with its GSM base letter', () => {
    expect(analyze('Cafe\u0301').unicodeCharacters).toEqual(['e\u0301']);
  });
});

describe('analyzeBody: characters', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(analyze('😀').characters).toBe(1);
    expect('😀').toHaveLength(2);
    expect(analyze('a😀b').characters).toBe(3);
  });

  it('counts each code point of a ZWJ sequence', () => {
    // man, ZWJ, woman, ZWJ, girl
    expect(analyze('👨‍👩‍👧').characters).toBe(5);
  });

  it('counts an extension character once, although it costs two septets', () => {
    expect(analyze('€€').characters).toBe(2);
  });
});

/** Septets of each part (GSM-7) or UTF-16 units (UCS-2): what the boundary tables compare. */
function partSizes(analysis: BodyAnalysis): number[] {
  if (analysis.encoding === 'UCS-2') return analysis.parts.map((part) => part.length);
  const charset = analysis.charset
    ? gsmCharsetFor(analysis.charset.lockingId, analysis.charset.singleShiftId)
    : DEFAULT_GSM_CHARSET;
  return analysis.parts.map((part) => gsmSeptetCost(part, charset) ?? Number.NaN);
}

function analyzeWith(body: string, options: AnalyzeBodyOptions): BodyAnalysis {
  const analysis = analyzeBody(body, options);
  expect(analysis.parts.join('')).toBe(body);
  expect(analysis.segments).toBe(analysis.parts.length);
  return analysis;
}

describe('user data header and part capacity', () => {
  it.each([
    // [concatenated, reference, national IEs, UDH octets, GSM-7 septets, UCS-2 units]
    [false, 8, 0, 0, 160, 70],
    [true, 8, 0, 6, 153, 67],
    [true, 16, 0, 7, 152, 66],
    [false, 8, 1, 4, 155, 68],
    [false, 8, 2, 7, 152, 66],
    [true, 8, 1, 9, 149, 65],
    [true, 8, 2, 12, 146, 64],
    [true, 16, 1, 10, 148, 65],
    [true, 16, 2, 13, 145, 63],
  ] as const)(
    'concatenated=%s ref=%i-bit national IEs=%i: %i UDH octets, %i septets, %i UCS-2 units',
    (concatenated, concatReference, nationalShiftIes, udh, septets, units) => {
      expect(userDataHeaderOctets({ concatenated, concatReference, nationalShiftIes })).toBe(udh);
      expect(partCapacity('GSM-7', udh)).toBe(septets);
      expect(partCapacity('UCS-2', udh)).toBe(units);
    },
  );
});

describe('gsmSeptetCost', () => {
  it('counts 1 per locking character and 2 per single shift character, default charset by default', () => {
    expect(gsmSeptetCost('')).toBe(0);
    expect(gsmSeptetCost('Hello')).toBe(5);
    expect(gsmSeptetCost('€5 {x}')).toBe(9);
    expect(gsmSeptetCost('€', DEFAULT_GSM_CHARSET)).toBe(2);
  });

  it('is undefined when a character is in neither table', () => {
    expect(gsmSeptetCost('ça va')).toBeUndefined();
    expect(gsmSeptetCost('a😀')).toBeUndefined();
    expect(gsmSeptetCost('\u001b')).toBeUndefined();
    expect(gsmSeptetCost('ğ', SPANISH_GSM_CHARSET)).toBeUndefined();
  });

  it('follows the national tables, preferring the one-septet locking code when a character is in both', () => {
    expect(gsmSeptetCost('ğşı', TURKISH_GSM_CHARSET)).toBe(3); // all in the Turkish locking table
    expect(gsmSeptetCost('ğşı', gsmCharsetFor(0, 1))).toBe(6); // default locking + Turkish single shift
    expect(gsmSeptetCost('€', TURKISH_GSM_CHARSET)).toBe(1); // Turkish locking 0x04
    expect(gsmSeptetCost('^\\|~€', PORTUGUESE_GSM_CHARSET)).toBe(5); // all in the Portuguese locking table
    expect(gsmSeptetCost('{}[]', PORTUGUESE_GSM_CHARSET)).toBe(8); // still escapes
    expect(gsmSeptetCost('çá', SPANISH_GSM_CHARSET)).toBe(4);
    expect(gsmSeptetCost('Φ', PORTUGUESE_GSM_CHARSET)).toBe(2); // via the Portuguese single shift
    expect(gsmSeptetCost('è', PORTUGUESE_GSM_CHARSET)).toBeUndefined(); // the Portuguese locking table drops è
  });
});

describe('analyzeBody: boundary table', () => {
  const a = (n: number): string => 'a'.repeat(n);
  const zh = (n: number): string => 'Ж'.repeat(n);

  it.each([
    // GSM-7 single part: 160 septets.
    ['159 septets', a(159), {}, [159]],
    ['160 septets', a(160), {}, [160]],
    ['161 septets', a(161), {}, [153, 8]],
    ['158 + € = 160 septets', a(158) + '€', {}, [160]],
    ['159 + € = 161 septets', a(159) + '€', {}, [153, 8]],
    // GSM-7 multipart, 8-bit reference: 153 septets per part.
    ['152 + 10 septets', a(152) + 'b'.repeat(10), {}, [153, 9]],
    ['153 + 10 septets', a(153) + 'b'.repeat(10), {}, [153, 10]],
    ['154 + 10 septets', a(154) + 'b'.repeat(10), {}, [153, 11]],
    ['151 + € at the boundary (ends on 153)', a(151) + '€' + a(8), {}, [153, 8]],
    ['152 + € at the boundary (moves: 152)', a(152) + '€' + a(8), {}, [152, 10]],
    ['153 + € after the boundary', a(153) + '€' + a(8), {}, [153, 10]],
    ['154 + € after the boundary', a(154) + '€' + a(8), {}, [153, 11]],
    // 16-bit reference: 152 septets per part.
    ['16-bit ref: 161 septets', a(161), { concatReference: 16 }, [152, 9]],
    ['16-bit ref: 160 septets stay single', a(160), { concatReference: 16 }, [160]],
    ['16-bit ref: 150 + € ends on 152', a(150) + '€' + a(9), { concatReference: 16 }, [152, 9]],
    ['16-bit ref: 151 + € moves', a(151) + '€' + a(9), { concatReference: 16 }, [151, 11]],
    // UCS-2 single part: 70 units.
    ['69 units', zh(69), {}, [69]],
    ['70 units', zh(70), {}, [70]],
    ['71 units', zh(71), {}, [67, 4]],
    ['68 + emoji = 70 units', zh(68) + '😀', {}, [70]],
    ['69 + emoji = 71 units', zh(69) + '😀', {}, [67, 4]],
    // UCS-2 multipart, 8-bit reference: 67 units per part.
    ['65 + emoji ends on 67', zh(65) + '😀' + zh(8), {}, [67, 8]],
    ['66 + emoji moves (66)', zh(66) + '😀' + zh(8), {}, [66, 10]],
    ['67 + emoji after the boundary', zh(67) + '😀' + zh(8), {}, [67, 10]],
    // 16-bit reference: 66 units per part.
    ['16-bit ref: 71 units', zh(71), { concatReference: 16 }, [66, 5]],
    ['16-bit ref: 64 + emoji ends on 66', zh(64) + '😀' + zh(8), { concatReference: 16 }, [66, 8]],
    ['16-bit ref: 65 + emoji moves (65)', zh(65) + '😀' + zh(8), { concatReference: 16 }, [65, 10]],
  ] as const)('%s', (_name, body, options: AnalyzeBodyOptions, sizes) => {
    expect(partSizes(analyzeWith(body, options))).toEqual(sizes);
  });

  it('treats an 8-bit reference option exactly like no option', () => {
    for (const body of [a(161), a(152) + '€' + a(200), zh(71), zh(66) + '😀' + zh(100), '']) {
      expect(analyzeBody(body, { concatReference: 8 })).toEqual(analyzeBody(body));
      expect(analyzeBody(body, {})).toEqual(analyzeBody(body));
      expect(analyzeBody(body, { nationalLanguages: [] })).toEqual(analyzeBody(body));
    }
  });
});

describe('analyzeBody: national language tables', () => {
  const all = { nationalLanguages: ['turkish', 'spanish', 'portuguese'] } as const;

  it('sends a Turkish text as GSM-7 with the Turkish single shift instead of two UCS-2 parts', () => {
    const body =
      'Merhaba Ayşe, siparişiniz yola çıktı ve yarın öğleden sonra teslim edilecek. Teşekkür ederiz, iyi günler!';
    const plain = analyzeBody(body);
    expect(plain.encoding).toBe('UCS-2');
    expect(plain.segments).toBe(2);
    expect(plain.unicodeCharacters).toEqual(['ş', 'ç', 'ı', 'ğ']);
    expect(plain.charset).toBeUndefined();

    const turkish = analyzeWith(body, { nationalLanguages: ['turkish'] });
    expect(turkish.encoding).toBe('GSM-7');
    expect(turkish.segments).toBe(1);
    expect(turkish.unicodeCharacters).toEqual([]);
    expect(turkish.characters).toBe(plain.characters);
    // Shift-only costs 113 septets, within the 155 left by one IE; the default locking
    // table wins the tie with the Turkish locking table (105 septets, also one part).
    expect(turkish.charset).toEqual({ locking: 'default', singleShift: 'turkish', lockingId: 0, singleShiftId: 1 });
    expect(partSizes(turkish)).toEqual([113]);
  });

  it('uses the Turkish locking table when the single shift alone would need more parts', () => {
    const body =
      "Sayın müşterimiz, Iğdır'dan değil Muğla'dan gelen kargonuz için ödeme alındı; şoförümüz yarın uğrayacak. Sorularınız için bize ulaşın, teşekkürler.";
    expect(analyzeBody(body).segments).toBe(3); // 147 UCS-2 units
    expect(gsmSeptetCost(body, gsmCharsetFor(0, 1))).toBe(165); // > 155: two parts with the single shift
    const result = analyzeWith(body, all);
    expect(result.segments).toBe(1);
    // Locking alone suffices, so the single shift IE (3 more octets) is left out.
    expect(result.charset).toEqual({ locking: 'turkish', singleShift: 'default', lockingId: 1, singleShiftId: 0 });
    expect(partSizes(result)).toEqual([147]);
  });

  it('sends Spanish accents with the Spanish single shift (Spanish has no locking table)', () => {
    const body =
      '¿Cómo estás? Tu cita médica es mañana a las 10:30 en la clínica. Por favor, llega quince minutos antes. ¡Gracias!';
    expect(analyzeBody(body)).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    const result = analyzeWith(body, { nationalLanguages: ['spanish'] });
    expect(result).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(result.charset).toEqual({ locking: 'default', singleShift: 'spanish', lockingId: 0, singleShiftId: 2 });
  });

  it('sends Portuguese with the Portuguese tables', () => {
    const body =
      'Olá! Sua encomenda não chegou? Ligue já: informações às 9h. Obrigado pela preferência e até breve, equipe de atendimento.';
    expect(analyzeBody(body)).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    const result = analyzeWith(body, { nationalLanguages: ['portuguese'] });
    expect(result).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(result.charset).toEqual({ locking: 'default', singleShift: 'portuguese', lockingId: 0, singleShiftId: 3 });
  });

  it('pairs one language’s locking table with another’s single shift when only that pair fits', () => {
    // ã is only in Portuguese tables, ş only in Turkish ones, ∞ only in the Portuguese locking table.
    const body = 'Kampanya ∞: São Paulo ve İstanbul şubeleri';
    const result = analyzeWith(body, { nationalLanguages: ['turkish', 'portuguese'] });
    expect(result.encoding).toBe('GSM-7');
    expect(result.charset).toEqual({ locking: 'portuguese', singleShift: 'turkish', lockingId: 3, singleShiftId: 1 });
    // Neither language alone can carry it.
    expect(analyzeBody(body, { nationalLanguages: ['turkish'] }).encoding).toBe('UCS-2');
    expect(analyzeBody(body, { nationalLanguages: ['portuguese'] }).encoding).toBe('UCS-2');
  });

  it('charges every part for its national IEs: 155 / 152 septets single, 149 / 146 multipart', () => {
    const spanish = { nationalLanguages: ['spanish'] } as const; // single shift only: 1 IE
    expect(partSizes(analyzeWith('á' + 'a'.repeat(153), spanish))).toEqual([155]);
    expect(partSizes(analyzeWith('á' + 'a'.repeat(154), spanish))).toEqual([149, 7]);
    expect(partSizes(analyzeWith('á' + 'a'.repeat(154), { ...spanish, concatReference: 16 }))).toEqual([148, 8]);

    // ∞ needs the Portuguese locking table, Φ then needs the Portuguese single shift: 2 IEs.
    const portuguese = { nationalLanguages: ['portuguese'] } as const;
    const both = analyzeWith('∞Φ' + 'a'.repeat(149), portuguese);
    expect(both.charset).toMatchObject({ lockingId: 3, singleShiftId: 3 });
    expect(partSizes(both)).toEqual([152]);
    expect(partSizes(analyzeWith('∞Φ' + 'a'.repeat(150), portuguese))).toEqual([146, 7]);
    expect(partSizes(analyzeWith('∞Φ' + 'a'.repeat(150), { ...portuguese, concatReference: 16 }))).toEqual([145, 8]);
  });

  it('does not split an escape pair or CR LF at a national part boundary', () => {
    const spanish = { nationalLanguages: ['spanish'] } as const;
    expect(analyzeWith('á' + 'a'.repeat(146) + 'á' + 'b'.repeat(20), spanish).parts[0]).toBe('á' + 'a'.repeat(146));
    expect(analyzeWith('á' + 'a'.repeat(146) + '\r\n' + 'b'.repeat(20), spanish).parts[1]).toBe('\r\n' + 'b'.repeat(20));
  });

  it('prefers fewer segments over the default locking table', () => {
    // 60 × ş: 120 septets with the single shift (one part), 60 with the locking table.
    expect(analyzeWith('ş'.repeat(60), all).charset?.lockingId).toBe(0);
    // 80 × ş: 160 septets with the single shift (two parts) but 80 with the locking table.
    expect(analyzeWith('ş'.repeat(80), all)).toMatchObject({ segments: 1, charset: { lockingId: 1, singleShiftId: 0 } });
  });

  it('prefers the smaller header among equally good locking pairs', () => {
    // All of it is in the Portuguese locking table: Portuguese single shift would add 3 octets for nothing.
    const body = 'ããã õõõ ∞'.repeat(20);
    const result = analyzeWith(body, { nationalLanguages: ['portuguese'] });
    expect(result.charset).toEqual({ locking: 'portuguese', singleShift: 'default', lockingId: 3, singleShiftId: 0 });
  });

  it('keeps the caller’s order of languages for the remaining ties', () => {
    // ç is in the Turkish, Spanish and Portuguese single shift tables alike.
    expect(analyzeWith('ça', { nationalLanguages: ['spanish', 'turkish'] }).charset?.singleShift).toBe('spanish');
    expect(analyzeWith('ça', { nationalLanguages: ['turkish', 'spanish'] }).charset?.singleShift).toBe('turkish');
  });

  it('never uses national tables for a plain GSM 03.38 body', () => {
    for (const body of ['', 'Hello €', 'a'.repeat(400), '€'.repeat(81)]) {
      expect(analyzeBody(body, all)).toEqual(analyzeBody(body));
    }
  });

  it('falls back to UCS-2 when no allowed pair can carry the body', () => {
    const body = 'Teşekkürler 😀';
    const result = analyzeWith(body, all);
    expect(result.encoding).toBe('UCS-2');
    expect(result.charset).toBeUndefined();
    expect(result.unicodeCharacters).toEqual(['ş', '😀']);
    expect(analyzeWith('ğ', { nationalLanguages: ['spanish', 'portuguese'] }).encoding).toBe('UCS-2');
  });

  it('ignores duplicate languages', () => {
    const body = 'Teşekkürler';
    expect(analyzeBody(body, { nationalLanguages: ['turkish', 'turkish'] })).toEqual(
      analyzeBody(body, { nationalLanguages: ['turkish'] }),
    );
  });
});
