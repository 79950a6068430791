import { describe, expect, it } from 'vitest';
import { ConcatReferenceAllocator } from './concat-reference.js';

describe('ConcatReferenceAllocator', () => {
  it('starts at the seed and counts up per (from, to) pair', () => {
    const references = new ConcatReferenceAllocator({ seed: 40 });
    expect(references.next('+15550001', '+15550002')).toBe(40);
    expect(references.next('+15550001', '+15550002')).toBe(41);
    expect(references.next('+15550001', '+15550002')).toBe(42);
  });

  it('keeps pairs independent, each new pair starting where the shared counter has got to', () => {
    const references = new ConcatReferenceAllocator({ seed: 10 });
    expect(references.next('A', 'x')).toBe(10);
    expect(references.next('A', 'x')).toBe(11);
    // Two allocations so far: a new pair starts at seed + 2, not at the seed again.
    expect(references.next('A', 'y')).toBe(12);
    expect(references.next('B', 'x')).toBe(13);
    expect(references.next('A', 'x')).toBe(12);
  });

  it('does not confuse ("ab", "c") with ("a", "bc")', () => {
    const references = new ConcatReferenceAllocator({ seed: 0 });
    references.next('ab', 'c');
    references.next('ab', 'c');
    expect(references.next('a', 'bc')).toBe(2);
    expect(references.size).toBe(2);
  });

  it('rolls over 255 → 0 for 8-bit references', () => {
    const references = new ConcatReferenceAllocator({ seed: 254 });
    expect([1, 2, 3, 4].map(() => references.next('A', 'B', 8))).toEqual([254, 255, 0, 1]);
  });

  it('rolls over 65535 → 0 for 16-bit references', () => {
    const references = new ConcatReferenceAllocator({ seed: 65534 });
    expect([1, 2, 3].map(() => references.next('A', 'B', 16))).toEqual([65534, 65535, 0]);
  });

  it('gives the 8-bit view of the same counter when widths are mixed for one pair', () => {
    const references = new ConcatReferenceAllocator({ seed: 0x1ff });
    expect(references.next('A', 'B', 16)).toBe(0x1ff);
    expect(references.next('A', 'B', 8)).toBe(0x00);
  });

  it('takes any integer seed modulo 65536', () => {
    expect(new ConcatReferenceAllocator({ seed: -1 }).next('A', 'B', 16)).toBe(65535);
    expect(new ConcatReferenceAllocator({ seed: 65536 + 7 }).next('A', 'B', 16)).toBe(7);
    expect(new ConcatReferenceAllocator({ seed: 300 }).next('A', 'B', 8)).toBe(300 & 0xff);
  });

  it('forgets the least recently used pair beyond maxKeys', () => {
    const references = new ConcatReferenceAllocator({ seed: 0, maxKeys: 2 });
    references.next('A', '1'); // 0
    references.next('A', '2'); // 1
    references.next('A', '1'); // 1 — pair 1 is now the most recently used
    references.next('A', '3'); // 3 — evicts pair 2
    expect(references.size).toBe(2);
    expect(references.next('A', '1')).toBe(2);
    // Pair 2 was forgotten: it restarts from the shared counter, not from its old value 2.
    expect(references.next('A', '2')).toBe(5);
    expect(references.size).toBe(2);
  });

  it('stays bounded under many destinations', () => {
    const references = new ConcatReferenceAllocator({ seed: 0, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) references.next('S', `+1555${i}`);
    expect(references.size).toBe(100);
  });

  it('rejects a non-integer seed and a non-positive maxKeys', () => {
    expect(() => new ConcatReferenceAllocator({ seed: 1.5 })).toThrow(RangeError);
    expect(() => new ConcatReferenceAllocator({ seed: Number.NaN })).toThrow(RangeError);
    expect(() => new ConcatReferenceAllocator({ seed: 0, maxKeys: 0 })).toThrow(RangeError);
  });
});
