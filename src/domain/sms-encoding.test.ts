import { describe, expect, it } from 'vitest';
import { GSM_BASIC_CHARACTERS, GSM_EXTENSION_CHARACTERS } from './gsm-alphabet.js';
import { analyzeBody, gsmSeptetLength, isGsm7, type BodyAnalysis } from './sms-encoding.js';

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
