import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GSM_BASIC_CHARACTERS, GSM_EXTENSION_CHARACTERS } from './gsm-alphabet.js';
import { MAX_BODY_CHARACTERS } from './message-body.js';
import { analyzeBody, isGsm7 } from './sms-encoding.js';
import {
  applySmartEncoding,
  SMART_ENCODING_TABLE,
  smartEncode,
  smartEncodedBody,
  type SmartEncodingKind,
} from './smart-encoding.js';

const encode = (body: string): string => smartEncode(body).body;

const GSM_CHARS = [...GSM_BASIC_CHARACTERS, ...GSM_EXTENSION_CHARACTERS];
const LOOK_ALIKES = SMART_ENCODING_TABLE.map((rule) => rule.from);
const JOINERS = ['\u200c', '\u200d', '\u200e', '\u200f'];
const EMOJI_ZWJ_SEQUENCES = [
  '👨‍👩‍👧', // family: man, woman, girl
  '❤️‍🔥', // heart on fire (with VS16 before the ZWJ)
  '🏳️‍🌈', // rainbow flag
  '👩🏽‍💻', // woman technologist, medium skin tone
  '👩‍❤️‍💋‍👨', // kiss
];

function ofKind(kind: SmartEncodingKind): string[] {
  return SMART_ENCODING_TABLE.filter((rule) => rule.kind === kind).map((rule) => rule.from);
}

describe('SMART_ENCODING_TABLE', () => {
  it('replaces only single non-GSM BMP characters, each once', () => {
    const seen = new Set<number>();
    for (const rule of SMART_ENCODING_TABLE) {
      expect(rule.from).toHaveLength(1);
      expect(rule.from.codePointAt(0)).toBe(rule.codePoint);
      expect(isGsm7(rule.from), `U+${rule.codePoint.toString(16)} is already GSM`).toBe(false);
      expect(seen.has(rule.codePoint), `U+${rule.codePoint.toString(16)} twice`).toBe(false);
      seen.add(rule.codePoint);
      expect(rule.name.length).toBeGreaterThan(0);
    }
  });

  it('never introduces a non-GSM character: every replacement is GSM 03.38 text', () => {
    for (const rule of SMART_ENCODING_TABLE) {
      expect(isGsm7(rule.to), `U+${rule.codePoint.toString(16)} → ${JSON.stringify(rule.to)}`).toBe(true);
    }
  });

  it('removes only invisible characters, and keeps only joiners and direction marks beside non-GSM text', () => {
    for (const rule of SMART_ENCODING_TABLE) {
      if (rule.to === '') expect(['invisible', 'joiner']).toContain(rule.kind);
      expect(rule.when === 'beside-gsm').toBe(rule.kind === 'joiner');
    }
    expect(ofKind('joiner')).toEqual(JOINERS);
  });

  it('is documented entry by entry in docs/smart-encoding.md', () => {
    const doc = fs.readFileSync(new URL('../../docs/smart-encoding.md', import.meta.url), 'utf8');
    for (const rule of SMART_ENCODING_TABLE) {
      if (rule.kind === 'full-width' && rule.codePoint >= 0xff01 && rule.codePoint <= 0xff5e) continue;
      const label = `U+${rule.codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
      expect(doc, `${label} ${rule.name} is missing from the documentation`).toContain(label);
    }
    expect(doc).toContain('U+FF01–U+FF5E');
  });
});

describe('smartEncode, class by class', () => {
  it('straightens quotation marks, primes and apostrophe stand-ins', () => {
    expect(encode('‘single’ “double” „low“ ‚low‘ ‛rev‟')).toBe(`'single' "double" "low" 'low' 'rev"`);
    expect(encode('«Bonjour» ‹salut›')).toBe(`"Bonjour" 'salut'`);
    expect(encode('5′10″')).toBe(`5'10"`);
    expect(encode('don´t it`s rockʼn')).toBe("don't it's rock'n");
  });

  it('turns every dash, hyphen and the minus sign into a hyphen-minus', () => {
    expect(ofKind('dash')).toEqual(['‐', '‑', '‒', '–', '—', '―', '−']);
    for (const dash of ofKind('dash')) expect(encode(`9${dash}5`)).toBe('9-5');
    expect(encode('well—maybe')).toBe('well-maybe');
  });

  it('spells the ellipsis as three full stops', () => {
    expect(encode('Wait…')).toBe('Wait...');
  });

  it('turns non-breaking and other exotic spaces, and tabs, into one space each', () => {
    const spaces = [0x00a0, 0x1680, ...Array.from({ length: 11 }, (_, i) => 0x2000 + i), 0x202f, 0x205f, 0x3000];
    expect(ofKind('space').map((s) => s.charCodeAt(0)).sort((a, b) => a - b)).toEqual([0x09, ...spaces]);
    for (const space of ofKind('space')) expect(encode(`a${space}b`)).toBe('a b');
  });

  it('turns line and paragraph separators into line feeds', () => {
    expect(encode('one\u2028two\u2029three')).toBe('one\ntwo\nthree');
  });

  it("makes bullets '-', and the bullet operator (a multiplication dot) '*'", () => {
    expect(encode('• one\n‣ two\n◦ three\n⁃ four')).toBe('- one\n- two\n- three\n- four');
    expect(encode('2∙3=6')).toBe('2*3=6');
  });

  it('maps full-width ASCII forms onto ASCII, the grave accent onto an apostrophe', () => {
    expect(encode('Ｈｅｌｌｏ，ｗｏｒｌｄ！　（ｔｅｓｔ）＠１２３')).toBe('Hello,world! (test)@123');
    for (let codePoint = 0xff01; codePoint <= 0xff5e; codePoint++) {
      const expected = codePoint === 0xff40 ? "'" : String.fromCharCode(codePoint - 0xfee0);
      expect(encode(String.fromCharCode(codePoint))).toBe(expected);
    }
    expect(encode('￡5 ￥500')).toBe('£5 ¥500');
  });

  it('replaces canonical singletons with the character Unicode says they are', () => {
    expect(encode('10 Ω, 300 K, 1 Å; why;')).toBe('10 Ω, 300 K, 1 Å; why;');
  });

  it('removes zero-width spaces, word joiners, byte order marks and soft hyphens', () => {
    expect(encode('\ufeffa\u200bb\u2060c\u00add')).toBe('abcd');
    expect(encode('\u200b')).toBe('');
  });

  it('removes stray joiners and direction marks between GSM characters, and at the edges', () => {
    expect(encode('a\u200cb\u200dc\u200ed\u200ff')).toBe('abcdf');
    expect(encode('\u200dHi\u200d')).toBe('Hi');
    expect(encode('Call +1 201 555 0100\u200e now')).toBe('Call +1 201 555 0100 now');
    // Neighbours are judged once replaced: a curly quote becomes GSM.
    expect(encode('’\u200d”')).toBe(`'"`);
  });

  it('keeps the ZWJ of emoji ZWJ sequences, alone or in a body it otherwise fixes', () => {
    for (const emoji of EMOJI_ZWJ_SEQUENCES) {
      expect(encode(emoji)).toBe(emoji);
      expect(encode(`“${emoji}” — ok…`)).toBe(`"${emoji}" - ok...`);
      expect(encode(`${emoji}\u200b${emoji}`)).toBe(`${emoji}${emoji}`);
    }
    expect(encode('a\u200d👨‍👩‍👧\u200db')).toBe('a\u200d👨‍👩‍👧\u200db');
  });

  it('keeps joiners that shape non-GSM scripts (Persian ZWNJ, Devanagari ZWJ)', () => {
    const persian = 'می\u200cخواهم';
    expect(encode(persian)).toBe(persian);
    const devanagari = 'क्\u200dष';
    expect(encode(devanagari)).toBe(devanagari);
  });

  it('recomposes decomposed GSM letters, and leaves other combining sequences alone', () => {
    expect(encode('Cafe\u0301 Mu\u0308nchen Espan\u0303a C\u0327a')).toBe('Café München España Ça');
    expect(smartEncode('Cafe\u0301').replacements).toEqual([{ from: 'e\u0301', to: 'é', count: 1 }]);
    // á and ǟ have no GSM form: the text stays as written.
    for (const body of ['a\u0301', 'a\u0308\u0304', '\u0301x', '😀\u0301', 'e\u0301\u0301']) {
      expect(encode(body)).toBe(body);
    }
  });

  it('leaves alone what has no equivalent of the same meaning', () => {
    for (const body of ['™', '©', '®', '½', '°', 'l·l', 'á', 'ç', '‼', 'ʻokina', 'ᴀ', '😀', '\u0000', '\u001b']) {
      expect(encode(body)).toBe(body);
    }
  });

  it('reports each distinct replacement once, with its count, in order of first appearance', () => {
    expect(smartEncode('“It’s” — it’s…\u200b').replacements).toEqual([
      { from: '“', to: '"', count: 1 },
      { from: '’', to: "'", count: 2 },
      { from: '”', to: '"', count: 1 },
      { from: '—', to: '-', count: 1 },
      { from: '…', to: '...', count: 1 },
      { from: '\u200b', to: '', count: 1 },
    ]);
  });
});

/** Pieces that exercise every path: GSM text, look-alikes, joiners, marks, emoji, other scripts. */
const piece = fc.oneof(
  fc.constantFrom(...GSM_CHARS),
  fc.constantFrom(...LOOK_ALIKES),
  fc.constantFrom(...JOINERS, '\u200b', '\ufe0f', '\u0301', '\u0308', '\u0303', '\u0327', '\u20dd'),
  fc.constantFrom(...EMOJI_ZWJ_SEQUENCES, '😀', '🏽', 'á', 'م', 'क्', 'Ａ'),
  fc.string({ unit: 'binary', maxLength: 2 }),
);
const anyBody = fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join(''));
const gsmBody = fc.array(fc.constantFrom(...GSM_CHARS), { maxLength: 200 }).map((chars) => chars.join(''));

describe('smartEncode properties', () => {
  it('is idempotent: smartEncode(smartEncode(x)) = smartEncode(x)', () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        const once = smartEncode(body).body;
        const twice = smartEncode(once);
        expect(twice.body).toBe(once);
        expect(twice.replacements).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('returns GSM text unchanged, as the same string, with no replacements', () => {
    fc.assert(
      fc.property(gsmBody, (body) => {
        const result = smartEncode(body);
        expect(result.body).toBe(body);
        expect(result.replacements).toEqual([]);
      }),
    );
  });

  it('turns bodies made only of look-alikes (and GSM text) into GSM-7', () => {
    const lookAlikeBody = fc
      .array(fc.oneof(fc.constantFrom(...LOOK_ALIKES), fc.constantFrom(...GSM_CHARS)), { maxLength: 100 })
      .map((chars) => chars.join(''));
    fc.assert(
      fc.property(lookAlikeBody, (body) => {
        expect(isGsm7(encode(body))).toBe(true);
      }),
    );
    expect(isGsm7(encode(LOOK_ALIKES.join('')))).toBe(true);
  });

  it('never introduces a non-GSM character that the body did not already hold', () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        const before = new Set(body);
        for (const char of encode(body)) {
          if (!isGsm7(char)) expect(before.has(char), `introduced ${JSON.stringify(char)}`).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never touches GSM text: a GSM run survives intact wherever it sits', () => {
    const noLeadingMark = anyBody.filter((body) => !/^[\u0300-\u036f]/.test(body));
    fc.assert(
      fc.property(anyBody, gsmBody, noLeadingMark, (before, gsm, after) => {
        expect(encode(before + gsm + after)).toContain(gsm);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps every emoji ZWJ sequence whole', () => {
    fc.assert(
      fc.property(anyBody, fc.constantFrom(...EMOJI_ZWJ_SEQUENCES), anyBody, (before, emoji, after) => {
        expect(encode(before + emoji + after)).toContain(emoji);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('applySmartEncoding', () => {
  it('applies when the body becomes GSM-7, reporting the segments it saves', () => {
    const body = `“Your appointment” — ${'x'.repeat(60)}…`;
    const original = analyzeBody(body);
    expect(original).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    const outcome = applySmartEncoding(body);
    expect(outcome).toMatchObject({
      applied: true,
      body: `"Your appointment" - ${'x'.repeat(60)}...`,
      savesSegments: 1,
      unreplaceableCharacters: [],
    });
    expect(outcome.analysis).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(outcome.replacements.map((r) => r.from)).toEqual(['“', '”', '—', '…']);
  });

  it('applies to a short body that becomes GSM-7 even when the count stays at one segment', () => {
    expect(applySmartEncoding('It’s ready')).toMatchObject({ applied: true, body: "It's ready", savesSegments: 0 });
  });

  it('does nothing to GSM text', () => {
    const outcome = applySmartEncoding('Plain text');
    expect(outcome).toMatchObject({ applied: false, body: 'Plain text', replacements: [], savesSegments: 0 });
    expect(outcome.analysis.encoding).toBe('GSM-7');
  });

  it('keeps the text as written when it stays UCS-2 without saving a segment', () => {
    const outcome = applySmartEncoding('See you “soon” 😀');
    expect(outcome).toMatchObject({
      applied: false,
      body: 'See you “soon” 😀',
      replacements: [],
      savesSegments: 0,
      unreplaceableCharacters: ['😀'],
    });
    expect(outcome.analysis.encoding).toBe('UCS-2');
  });

  it('applies in UCS-2 when removing invisible characters saves a segment', () => {
    // 72 UTF-16 units are 2 segments, and so are 71 without the ZWSP: nothing gained.
    const body = `😀${'a'.repeat(69)}\u200b`;
    expect(applySmartEncoding(body).applied).toBe(false);
    // 71 units are 2 segments; without the ZWSP, 70 fit in one.
    const fits = `😀${'a'.repeat(68)}\u200b`;
    expect(applySmartEncoding(fits)).toMatchObject({ applied: true, body: `😀${'a'.repeat(68)}`, savesSegments: 1 });
  });

  it('refuses replacements that would cost more segments (seventy ellipses)', () => {
    const body = '…'.repeat(70);
    expect(analyzeBody(body).segments).toBe(1);
    expect(analyzeBody('...'.repeat(70)).segments).toBe(2);
    expect(applySmartEncoding(body)).toMatchObject({ applied: false, body, savesSegments: 0 });
  });

  it('never turns a body into a blank one', () => {
    for (const body of ['\u200b', '\u200d\u00ad', '\u200b \u2060']) {
      expect(smartEncode(body).body.trim()).toBe('');
      expect(applySmartEncoding(body)).toMatchObject({ applied: false, body });
      expect(smartEncodedBody(body)).toBe(body);
    }
  });

  it('refuses replacements that would take the body over the character limit', () => {
    const body = '…'.repeat(600) + 'a'.repeat(MAX_BODY_CHARACTERS - 600);
    const outcome = applySmartEncoding(body);
    expect(smartEncode(body).body.length).toBeGreaterThan(MAX_BODY_CHARACTERS);
    expect(outcome).toMatchObject({ applied: false, body });
  });
});

describe('smartEncodedBody', () => {
  it('is the body applySmartEncoding would send', () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        expect(smartEncodedBody(body)).toBe(applySmartEncoding(body).body);
      }),
      { numRuns: 500 },
    );
    expect(smartEncodedBody('It’s ready')).toBe("It's ready");
    expect(smartEncodedBody('See you “soon” 😀')).toBe('See you “soon” 😀');
  });
});

describe('smartEncode and marks on invisible characters', () => {
  it('keeps a zero-width character that carries a combining mark, so the letter before is untouched', () => {
    // Found by the property test (seed -160767799): "n" + ZWSP + U+0303 became "ñ".
    const body = 'n\u200b\u0303';
    expect(smartEncode(body).body).toBe(body);
    expect(smartEncode(smartEncode(body).body).body).toBe(body);
  });
});
