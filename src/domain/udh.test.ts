import { describe, expect, it } from 'vitest';
import {
  buildUdh,
  concatenationInfo,
  nationalLanguageInfo,
  parseUdh,
  type UdhElement,
  type UdhParseResult,
} from './udh.js';

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function parsed(result: UdhParseResult): { elements: UdhElement[]; headerLength: number } {
  if (!result.ok) throw new Error(`expected a parse, got ${result.error}: ${result.message}`);
  return { elements: result.elements, headerLength: result.headerLength };
}

describe('buildUdh', () => {
  it('writes an 8-bit reference concatenation IE as the classic 6-octet header', () => {
    expect(buildUdh([{ type: 'concatenation-8', reference: 0xcc, total: 3, sequence: 1 }])).toEqual(
      bytes(0x05, 0x00, 0x03, 0xcc, 0x03, 0x01),
    );
  });

  it('writes a 16-bit reference big-endian in a 7-octet header', () => {
    expect(buildUdh([{ type: 'concatenation-16', reference: 0x1234, total: 3, sequence: 2 }])).toEqual(
      bytes(0x06, 0x08, 0x04, 0x12, 0x34, 0x03, 0x02),
    );
  });

  it('writes national language shift IEs (0x24 single, 0x25 locking) after concatenation', () => {
    const udh = buildUdh([
      { type: 'concatenation-8', reference: 7, total: 2, sequence: 2 },
      { type: 'national-locking-shift', languageId: 1 },
      { type: 'national-single-shift', languageId: 1 },
    ]);
    expect(udh).toEqual(bytes(0x0b, 0x00, 0x03, 0x07, 0x02, 0x02, 0x25, 0x01, 0x01, 0x24, 0x01, 0x01));
  });

  it('writes raw elements byte for byte and an empty header as just UDHL 0', () => {
    expect(buildUdh([{ type: 'raw', iei: 0x05, data: bytes(0x0b, 0x84, 0x23, 0xf0) }])).toEqual(
      bytes(0x06, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0),
    );
    expect(buildUdh([])).toEqual(bytes(0x00));
  });

  it('refuses values that do not fit their fields (a caller bug, so it throws)', () => {
    expect(() => buildUdh([{ type: 'concatenation-8', reference: 256, total: 1, sequence: 1 }])).toThrow(RangeError);
    expect(() => buildUdh([{ type: 'concatenation-16', reference: 65536, total: 1, sequence: 1 }])).toThrow(
      /16-bit/,
    );
    expect(() => buildUdh([{ type: 'concatenation-8', reference: 1, total: 1.5, sequence: 1 }])).toThrow(RangeError);
    expect(() => buildUdh([{ type: 'national-single-shift', languageId: -1 }])).toThrow(RangeError);
    expect(() => buildUdh([{ type: 'raw', iei: 0x70, data: new Uint8Array(256) }])).toThrow(RangeError);
  });

  it('refuses a header longer than the 140 octets an SMS can carry', () => {
    const big: UdhElement = { type: 'raw', iei: 0x70, data: new Uint8Array(137) };
    expect(buildUdh([big])).toHaveLength(140);
    expect(() => buildUdh([{ ...big, data: new Uint8Array(138) }])).toThrow(/141 octets/);
  });
});

describe('parseUdh', () => {
  it('reads typed elements and says where the text starts', () => {
    const message = bytes(0x05, 0x00, 0x03, 0x2a, 0x02, 0x01, 0x41, 0x42);
    expect(parsed(parseUdh(message))).toEqual({
      elements: [{ type: 'concatenation-8', reference: 0x2a, total: 2, sequence: 1 }],
      headerLength: 6,
    });
  });

  it('reads 16-bit concatenation and national language IEs', () => {
    const message = bytes(0x0c, 0x08, 0x04, 0xbe, 0xef, 0x05, 0x04, 0x24, 0x01, 0x02, 0x25, 0x01, 0x03);
    expect(parsed(parseUdh(message)).elements).toEqual([
      { type: 'concatenation-16', reference: 0xbeef, total: 5, sequence: 4 },
      { type: 'national-single-shift', languageId: 2 },
      { type: 'national-locking-shift', languageId: 3 },
    ]);
  });

  it('keeps unknown IEs raw, and known IEIs with an unexpected length raw too', () => {
    const message = bytes(0x0a, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0, 0x00, 0x02, 0x01, 0x02);
    expect(parsed(parseUdh(message)).elements).toEqual([
      { type: 'raw', iei: 0x05, data: bytes(0x0b, 0x84, 0x23, 0xf0) },
      { type: 'raw', iei: 0x00, data: bytes(0x01, 0x02) },
    ]);
  });

  it('copies raw data so a reused receive buffer cannot change a parsed element', () => {
    const message = bytes(0x03, 0x70, 0x01, 0x99);
    const [element] = parsed(parseUdh(message)).elements;
    message[3] = 0;
    expect(element).toEqual({ type: 'raw', iei: 0x70, data: bytes(0x99) });
  });

  it('accepts an empty header (UDHL 0)', () => {
    expect(parsed(parseUdh(bytes(0x00, 0x41)))).toEqual({ elements: [], headerLength: 1 });
  });

  it('returns typed failures instead of throwing on malformed headers', () => {
    expect(parseUdh(new Uint8Array(0))).toMatchObject({ ok: false, error: 'empty' });
    // UDHL 5 but only 3 octets follow.
    expect(parseUdh(bytes(0x05, 0x00, 0x03, 0x01))).toMatchObject({ ok: false, error: 'truncated' });
    // IE data runs past UDHL even though more octets (text) follow.
    expect(parseUdh(bytes(0x03, 0x00, 0x03, 0x01, 0x41, 0x42))).toMatchObject({
      ok: false,
      error: 'element-overrun',
    });
    // A lone IEI with its length octet outside the header.
    expect(parseUdh(bytes(0x01, 0x00, 0x05))).toMatchObject({ ok: false, error: 'element-overrun' });
  });
});

describe('concatenationInfo', () => {
  it('reports the reference, total, sequence and reference width', () => {
    expect(concatenationInfo([{ type: 'concatenation-8', reference: 9, total: 3, sequence: 2 }])).toEqual({
      reference: 9,
      total: 3,
      sequence: 2,
      referenceBits: 8,
    });
    expect(concatenationInfo([{ type: 'concatenation-16', reference: 300, total: 2, sequence: 2 }])).toEqual({
      reference: 300,
      total: 2,
      sequence: 2,
      referenceBits: 16,
    });
  });

  it('is null for a standalone message', () => {
    expect(concatenationInfo([])).toBeNull();
    expect(concatenationInfo([{ type: 'national-single-shift', languageId: 1 }])).toBeNull();
  });

  it('ignores IEs with total 0, sequence 0 or sequence past the total (TS 23.040)', () => {
    expect(concatenationInfo([{ type: 'concatenation-8', reference: 1, total: 0, sequence: 0 }])).toBeNull();
    expect(concatenationInfo([{ type: 'concatenation-8', reference: 1, total: 2, sequence: 0 }])).toBeNull();
    expect(concatenationInfo([{ type: 'concatenation-8', reference: 1, total: 2, sequence: 3 }])).toBeNull();
  });

  it('uses the last valid occurrence when the IE is repeated', () => {
    const info = concatenationInfo([
      { type: 'concatenation-8', reference: 1, total: 2, sequence: 1 },
      { type: 'concatenation-16', reference: 2, total: 4, sequence: 3 },
      { type: 'concatenation-8', reference: 3, total: 1, sequence: 2 },
    ]);
    expect(info).toMatchObject({ reference: 2, referenceBits: 16 });
  });
});

describe('nationalLanguageInfo', () => {
  it('reports the announced locking and single shift languages', () => {
    expect(nationalLanguageInfo([])).toEqual({});
    expect(
      nationalLanguageInfo([
        { type: 'national-single-shift', languageId: 1 },
        { type: 'national-locking-shift', languageId: 3 },
      ]),
    ).toEqual({ locking: 3, singleShift: 1 });
  });
});
