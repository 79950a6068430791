import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bestCarrierMessageIdMatch,
  carrierMessageIdKeys,
  compareCarrierMessageIdMatch,
  matchCarrierMessageId,
} from './carrier-message-id.js';

const intersects = (a: string, b: string): boolean => {
  const keys = new Set(carrierMessageIdKeys(a));
  return carrierMessageIdKeys(b).some((key) => keys.has(key));
};

describe('carrierMessageIdKeys', () => {
  it('gives a decimal-looking id both readings, as values in decimal', () => {
    expect(carrierMessageIdKeys('1234')).toEqual(['1234', '4660']);
    expect(carrierMessageIdKeys('0001234')).toEqual(['1234', '4660']);
    // Digits 0-9 read the same in both bases.
    expect(carrierMessageIdKeys('007')).toEqual(['7']);
    expect(carrierMessageIdKeys('0')).toEqual(['0']);
  });

  it('reads ids with a-f or a 0x prefix as hex only', () => {
    expect(carrierMessageIdKeys('4D2')).toEqual(['1234']);
    expect(carrierMessageIdKeys('0x04d2')).toEqual(['1234']);
    expect(carrierMessageIdKeys('0X1234')).toEqual(['4660']);
    expect(carrierMessageIdKeys('  ff  ')).toEqual(['255']);
  });

  it('keeps other ids opaque, lower-cased', () => {
    expect(carrierMessageIdKeys('Msg-00A1')).toEqual(['msg-00a1']);
    expect(carrierMessageIdKeys('7e0f1c2a-1b2c-4d5e-8f90-0123456789ab')).toEqual(['7e0f1c2a-1b2c-4d5e-8f90-0123456789ab']);
    expect(carrierMessageIdKeys('0x')).toEqual(['0x']);
    expect(carrierMessageIdKeys('   ')).toEqual([]);
    // Too long to be a carrier's number: not worth BigInt work.
    expect(carrierMessageIdKeys('1'.repeat(65))).toEqual(['1'.repeat(65)]);
  });

  it('matches across hex, decimal, case and leading zeros', () => {
    expect(intersects('1234', '4d2')).toBe(true);
    expect(intersects('1234', '4660')).toBe(true);
    expect(intersects('0A1F', '2591')).toBe(true);
    expect(intersects('0A1F', 'a1f')).toBe(true);
    expect(intersects('00000a1f', '0x0A1F')).toBe(true);
    expect(intersects('ABC-1', 'abc-1')).toBe(true);
  });

  it('does not let decimal 16 meet hex a (both "10" in the other base)', () => {
    expect(intersects('16', 'a')).toBe(false);
    expect(intersects('16', '10')).toBe(true);
    expect(intersects('abc-1', '00abc-1')).toBe(false);
  });

  it('keys of hex(n) and decimal(n) always intersect, in any case and padding', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        fc.boolean(),
        fc.nat({ max: 6 }),
        fc.boolean(),
        (n, upper, zeros, prefix) => {
          let hex = '0'.repeat(zeros) + n.toString(16);
          if (upper) hex = hex.toUpperCase();
          if (prefix) hex = `0x${hex}`;
          const decimal = '0'.repeat(zeros) + n.toString(10);
          expect(intersects(hex, decimal)).toBe(true);
          expect(matchCarrierMessageId(hex, decimal)).not.toBeNull();
        },
      ),
    );
  });

  it('never throws, and keys are digits or hold a non-hex character', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (id) => {
        for (const key of carrierMessageIdKeys(id)) {
          expect(/^[0-9]+$/.test(key) || /[^0-9a-f]/.test(key)).toBe(true);
        }
      }),
    );
  });
});

describe('matchCarrierMessageId', () => {
  it('ranks exact text over normalized text over another base', () => {
    expect(matchCarrierMessageId('0A1F', '0A1F')).toBe('exact');
    expect(matchCarrierMessageId('0A1F', 'a1f')).toBe('normalized');
    expect(matchCarrierMessageId('0A1F', '2591')).toBe('converted');
    expect(matchCarrierMessageId('0A1F', '2592')).toBeNull();
    const sorted = (['converted', null, 'exact', 'normalized'] as const).slice().sort(compareCarrierMessageIdMatch);
    expect(sorted).toEqual(['exact', 'normalized', 'converted', null]);
  });

  it('finds the part a receipt names, preferring the closest text', () => {
    // "10" is decimal 10 or hex 0x10 (= 16): part "16" shares a reading, part "10" is exact.
    expect(bestCarrierMessageIdMatch(['16', '10'], '10')).toBe(1);
    // Same text once the prefix is gone beats the other reading.
    expect(bestCarrierMessageIdMatch(['16', '10'], '0x10')).toBe(1);
    expect(bestCarrierMessageIdMatch(['16', '11'], '0x10')).toBe(0);
    expect(bestCarrierMessageIdMatch(['a', 'b'], '11')).toBe(1);
    expect(bestCarrierMessageIdMatch(['a', 'b'], 'zz')).toBe(-1);
  });
});
