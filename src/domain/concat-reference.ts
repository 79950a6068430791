/**
 * Hands out concatenation reference numbers (UDH IEI 0x00 / 0x08) per (from, to) pair.
 *
 * A handset reassembles parts by (sender, reference, total), so two multipart messages
 * to the same recipient in flight at once must not share a reference; different
 * recipients may. Counting per pair keeps the 8-bit space (256 values) from wrapping
 * around under high total volume, which a single global counter would.
 *
 * Pure and in memory: the caller supplies the seed (random, or from its clock) so a
 * restart does not start every destination at 0 again and collide with parts still
 * being reassembled on handsets.
 */

export type ConcatReferenceBits = 8 | 16;

export interface ConcatReferenceOptions {
  /** Where numbering starts; any integer (taken modulo 65536). */
  readonly seed: number;
  /** Pairs remembered; beyond this the least recently used pair is forgotten. Default 10,000. */
  readonly maxKeys?: number;
}

const SPACE_16 = 0x10000;

export class ConcatReferenceAllocator {
  readonly maxKeys: number;
  /** Next reference per pair, kept in 16-bit space; Map order doubles as the LRU order. */
  private readonly counters = new Map<string, number>();
  /**
   * Where a pair seen for the first time (or again after eviction) starts. It advances on
   * every allocation, so a pair that was evicted and comes back resumes from a number
   * that moved on with the traffic instead of replaying the seed it started from.
   */
  private fresh: number;

  constructor(options: ConcatReferenceOptions) {
    if (!Number.isInteger(options.seed)) {
      throw new RangeError(`seed must be an integer, got ${options.seed}`);
    }
    const maxKeys = options.maxKeys ?? 10_000;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new RangeError(`maxKeys must be a positive integer, got ${maxKeys}`);
    }
    this.maxKeys = maxKeys;
    this.fresh = mod16(options.seed);
  }

  /**
   * The reference for the next multipart message from `from` to `to`: 0–255 for an
   * 8-bit reference, 0–65535 for a 16-bit one, rolling over. One counter per pair
   * serves both widths (65536 is a multiple of 256, so the 8-bit view rolls evenly).
   */
  next(from: string, to: string, bits: ConcatReferenceBits = 8): number {
    const key = `${from}\u0000${to}`;
    const current = this.counters.get(key) ?? this.fresh;
    // Delete then set moves the key to the end: the Map's first key is the LRU one.
    this.counters.delete(key);
    this.counters.set(key, mod16(current + 1));
    this.fresh = mod16(this.fresh + 1);
    if (this.counters.size > this.maxKeys) {
      const oldest = this.counters.keys().next();
      if (oldest.done !== true) this.counters.delete(oldest.value);
    }
    return bits === 8 ? current & 0xff : current;
  }

  /** Pairs currently remembered. */
  get size(): number {
    return this.counters.size;
  }
}

function mod16(value: number): number {
  return ((value % SPACE_16) + SPACE_16) % SPACE_16;
}
