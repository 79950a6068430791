import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shuffledParts } from '../../test/support/multipart.js';
import {
  checkConcat,
  decidePart,
  describeIncomplete,
  GAP_MARKER,
  MAX_CONCAT_REFERENCE,
  MAX_CONCAT_TOTAL,
  reassemble,
  reassemblyDeadline,
  type PartText,
} from './reassembly.js';

describe('checkConcat', () => {
  it('treats no header, and a set of one, as a whole text', () => {
    expect(checkConcat(undefined)).toEqual({ kind: 'single' });
    expect(checkConcat({ reference: 7, total: 1, sequence: 1 })).toEqual({ kind: 'single' });
  });

  it('accepts parts at the edges of the ranges', () => {
    for (const concat of [
      { reference: 0, total: 2, sequence: 1 },
      { reference: 255, total: 2, sequence: 2 },
      { reference: MAX_CONCAT_REFERENCE, total: MAX_CONCAT_TOTAL, sequence: MAX_CONCAT_TOTAL },
    ]) {
      expect(checkConcat(concat)).toEqual({ kind: 'part', concat });
    }
  });

  it.each([
    ['total 0', { reference: 1, total: 0, sequence: 1 }, /total 0/],
    ['total above one octet', { reference: 1, total: 256, sequence: 1 }, /total 256/],
    ['sequence 0', { reference: 1, total: 3, sequence: 0 }, /sequence 0/],
    ['sequence past total', { reference: 1, total: 3, sequence: 4 }, /sequence 4 is not in 1..3/],
    ['negative reference', { reference: -1, total: 3, sequence: 1 }, /reference -1/],
    ['reference above 16 bits', { reference: 65536, total: 3, sequence: 1 }, /reference 65536/],
    ['fractional sequence', { reference: 1, total: 3, sequence: 1.5 }, /sequence 1.5/],
    ['NaN total', { reference: 1, total: Number.NaN, sequence: 1 }, /total NaN/],
  ])('refuses %s, so the text is delivered on its own', (_, concat, reason) => {
    const check = checkConcat(concat);
    expect(check.kind).toBe('invalid');
    if (check.kind === 'invalid') expect(check.reason).toMatch(reason);
  });
});

describe('decidePart', () => {
  const held: PartText[] = [
    { sequence: 1, body: 'Hello ' },
    { sequence: 3, body: 'world' },
  ];

  it('stores a sequence the set does not hold', () => {
    expect(decidePart(held, { sequence: 2, body: 'big ' })).toEqual({ action: 'store' });
    expect(decidePart([], { sequence: 1, body: 'x' })).toEqual({ action: 'store' });
  });

  it('ignores a repeated sequence, and says when its text differs', () => {
    expect(decidePart(held, { sequence: 1, body: 'Hello ' })).toEqual({ action: 'ignore', conflicting: false });
    expect(decidePart(held, { sequence: 3, body: 'there' })).toEqual({ action: 'ignore', conflicting: true });
  });
});

describe('reassemble', () => {
  it('joins a complete set in sequence order, whatever the arrival order', () => {
    const parts = [
      { sequence: 3, body: 'c' },
      { sequence: 1, body: 'a' },
      { sequence: 2, body: 'b' },
    ];
    expect(reassemble(3, parts)).toEqual({ body: 'abc', text: 'abc', complete: true, present: [1, 2, 3], missing: [] });
  });

  it('keeps the first copy of a repeated sequence', () => {
    const result = reassemble(2, [
      { sequence: 1, body: 'first ' },
      { sequence: 1, body: 'second ' },
      { sequence: 2, body: 'end' },
    ]);
    expect(result.body).toBe('first end');
  });

  it('ignores sequences outside 1..total', () => {
    const result = reassemble(2, [
      { sequence: 0, body: 'zero' },
      { sequence: 1, body: 'a' },
      { sequence: 3, body: 'three' },
      { sequence: 2, body: 'b' },
    ]);
    expect(result).toMatchObject({ body: 'ab', complete: true });
  });

  it.each([
    ['a middle part', [1, 3], 3, `a ${GAP_MARKER} c`, [2]],
    ['the first part', [2, 3], 3, `${GAP_MARKER} bc`, [1]],
    ['the last part', [1, 2], 3, `ab ${GAP_MARKER}`, [3]],
    ['a run of parts, shown once', [1, 5], 5, `a ${GAP_MARKER} e`, [2, 3, 4]],
    ['two separate gaps', [2, 4], 5, `${GAP_MARKER} b ${GAP_MARKER} d ${GAP_MARKER}`, [1, 3, 5]],
    ['everything but one part', [2], 3, `${GAP_MARKER} b ${GAP_MARKER}`, [1, 3]],
  ])('shows missing %s with a visible marker', (_, present, total, body, missing) => {
    const letters = 'abcde';
    const parts = present.map((sequence) => ({ sequence, body: letters[sequence - 1] ?? '?' }));
    const result = reassemble(total, parts);
    expect(result).toEqual({
      body,
      text: present.map((sequence) => letters[sequence - 1]).join(''),
      complete: false,
      present,
      missing,
    });
  });

  it('does not double the whitespace a part already has beside a gap', () => {
    const result = reassemble(3, [
      { sequence: 1, body: 'Can I move my ' },
      { sequence: 3, body: ' Friday morning?' },
    ]);
    expect(result.body).toBe(`Can I move my ${GAP_MARKER} Friday morning?`);
    expect(result.text).toBe('Can I move my  Friday morning?');
  });

  it('reports an empty set as wholly missing', () => {
    expect(reassemble(2, [])).toEqual({ body: GAP_MARKER, text: '', complete: false, present: [], missing: [1, 2] });
  });

  it('puts any shuffle of a body\u2019s parts, with repeats, back into exactly that body', () => {
    fc.assert(
      fc.property(shuffledParts({ maxLength: 600, maxParts: 20, maxRepeats: 20 }), ({ body, total, arrivals }) => {
        const result = reassemble(total, arrivals);
        expect(result.complete).toBe(true);
        expect(result.body).toBe(body);
      }),
      { numRuns: 300 },
    );
  });

  it('marks one gap per run of missing parts and keeps every part that came', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }).chain((total) =>
        fc.tuple(fc.constant(total), fc.subarray(Array.from({ length: total }, (_, i) => i + 1), { maxLength: total - 1 })),
      ), ([total, present]) => {
        const parts = present.map((sequence) => ({ sequence, body: `<${sequence}>` }));
        const result = reassemble(total, parts);
        expect(result.complete).toBe(false);
        expect(result.present).toEqual(present);
        expect([...result.present, ...result.missing].sort((a, b) => a - b)).toEqual(
          Array.from({ length: total }, (_, i) => i + 1),
        );
        const runs = result.missing.filter((sequence, i) => result.missing[i - 1] !== sequence - 1).length;
        expect(result.body.split(GAP_MARKER).length - 1).toBe(runs);
        for (const sequence of present) expect(result.body).toContain(`<${sequence}>`);
      }),
    );
  });
});

describe('describeIncomplete', () => {
  it('names what never arrived, with runs shortened', () => {
    expect(describeIncomplete(3, { present: [1, 3], missing: [2] }, 300)).toBe('2 of 3 parts arrived within 300 s; part 2 missing');
    expect(describeIncomplete(9, { present: [1, 3, 7, 8], missing: [2, 4, 5, 6, 9] }, 60)).toBe(
      '4 of 9 parts arrived within 60 s; parts 2, 4-6, 9 missing',
    );
  });
});

describe('reassemblyDeadline', () => {
  it('runs the timeout from the first part', () => {
    expect(reassemblyDeadline(new Date('2026-01-01T12:00:00.000Z'), 300).toISOString()).toBe('2026-01-01T12:05:00.000Z');
  });
});
