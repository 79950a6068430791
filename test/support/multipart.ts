import fc from 'fast-check';
import type { PartText } from '../../src/domain/reassembly.js';

/**
 * Splits a body into `n` parts on code points, as a sender's phone does: never inside a
 * surrogate pair (a lone surrogate cannot be stored as UTF-8, and real decoders emit whole
 * characters per part). Fewer parts when the body is shorter than `n` code points.
 */
export function splitBody(body: string, n: number): PartText[] {
  const points = Array.from(body);
  const count = Math.max(1, Math.min(n, points.length));
  const size = Math.ceil(points.length / count);
  const parts: PartText[] = [];
  for (let i = 0; i * size < points.length || i === 0; i++) {
    parts.push({ sequence: i + 1, body: points.slice(i * size, (i + 1) * size).join('') });
  }
  return parts;
}

export interface ShuffledParts {
  body: string;
  total: number;
  /** Every part at least once, some twice or more, in any order. */
  arrivals: PartText[];
}

/**
 * A random body cut into 2..maxParts parts, delivered shuffled with repeats. NUL is left
 * out because PostgreSQL text cannot hold it.
 */
export function shuffledParts(options: { maxLength?: number; maxParts?: number; maxRepeats?: number } = {}): fc.Arbitrary<ShuffledParts> {
  return fc
    .tuple(
      fc.string({ unit: 'grapheme', minLength: 2, maxLength: options.maxLength ?? 400 }).filter((s) => !s.includes('\u0000')),
      fc.integer({ min: 2, max: options.maxParts ?? 8 }),
    )
    .chain(([body, wanted]) => {
      const parts = splitBody(body, wanted);
      return fc
        .array(fc.constantFrom(...parts), { maxLength: options.maxRepeats ?? 6 })
        .chain((repeats) => fc.shuffledSubarray([...parts, ...repeats], { minLength: parts.length + repeats.length }))
        .map((arrivals) => ({ body, total: parts.length, arrivals }));
    })
    .filter((generated) => generated.total >= 2);
}
