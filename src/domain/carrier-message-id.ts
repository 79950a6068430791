/**
 * Carrier message ids as the same message is named in different places. An SMSC may
 * answer submit_sm with "0A1F" and later send a receipt for "2591" (the same number in
 * decimal), "a1f", or "00000a1f": the SMPP specification leaves the id's format to the
 * SMSC, and many SMSCs format the two paths with different code. Matching by exact text
 * loses those receipts, so ids are compared by their lookup keys.
 *
 * The rule (`carrierMessageIdKeys`):
 * - Surrounding whitespace is ignored.
 * - An id of decimal digits is a number, but we cannot know in which base: "1234" may be
 *   decimal 1234 or hex 0x1234 (= 4660). It gets both readings, so it meets "4d2" as well
 *   as "4660". The keys are the readings' values, written in decimal.
 * - An id of hex digits with at least one a–f, or written with a 0x prefix, can only be
 *   hex: its one key is its value in decimal ("4D2", "0x04d2" → "1234").
 * - Anything else (dashes, other letters, UUIDs) is opaque: its key is its lower-case text.
 *
 * Keys are values rather than texts on purpose: comparing texts of mixed bases would make
 * decimal "16" (hex form "10") meet hex "a" (decimal form "10"), which are different
 * numbers. Numeric keys are all digits and opaque keys always hold a non-hex character,
 * so the two kinds never collide. Case and leading zeros vanish with the value.
 *
 * Because a decimal-looking id has two readings, two different messages can share a key;
 * `compareCarrierMessageIdMatch` ranks the candidates (exact text first).
 */

/** Longer ids are left opaque: a carrier id is at most 65 octets in SMPP 3.4, and no
 * number needs BigInt work on arbitrarily long garbage. */
const MAX_NUMERIC_LENGTH = 64;

const DECIMAL = /^[0-9]+$/;
const HEX = /^[0-9a-f]+$/;

export function carrierMessageIdKeys(id: string): string[] {
  const text = id.trim().toLowerCase();
  if (text === '') return [];
  const prefixed = text.startsWith('0x') && text.length > 2 && HEX.test(text.slice(2));
  const digits = prefixed ? text.slice(2) : text;
  if (digits.length <= MAX_NUMERIC_LENGTH) {
    if (!prefixed && DECIMAL.test(digits)) {
      const readings = [BigInt(digits).toString(10), BigInt(`0x${digits}`).toString(10)];
      return readings[0] === readings[1] ? [readings[0] as string] : readings;
    }
    if (HEX.test(digits)) return [BigInt(`0x${digits}`).toString(10)];
  }
  return [text];
}

/**
 * How closely a received id names a stored one, best first: the same text; the same text
 * but for case, leading zeros or a 0x prefix; the same number in another base.
 */
export type CarrierMessageIdMatch = 'exact' | 'normalized' | 'converted';

const RANK: Record<CarrierMessageIdMatch, number> = { exact: 0, normalized: 1, converted: 2 };

export function matchCarrierMessageId(stored: string, received: string): CarrierMessageIdMatch | null {
  if (stored === received) return 'exact';
  // Only ids that share a key match at all, so this agrees with the store's key lookup.
  const keys = new Set(carrierMessageIdKeys(stored));
  if (!carrierMessageIdKeys(received).some((key) => keys.has(key))) return null;
  return normalizedText(stored) === normalizedText(received) ? 'normalized' : 'converted';
}

/** Orders matches best first (for sort); a missing match sorts last. */
export function compareCarrierMessageIdMatch(a: CarrierMessageIdMatch | null, b: CarrierMessageIdMatch | null): number {
  return (a === null ? 3 : RANK[a]) - (b === null ? 3 : RANK[b]);
}

/**
 * The index of the stored id (e.g. a multipart message's part ids) that `received` names
 * best, or -1. A tie goes to the earlier part; with distinct part ids only an ambiguous
 * decimal-looking id can tie, and the exact and normalized tiers settle nearly all of those.
 */
export function bestCarrierMessageIdMatch(stored: readonly string[], received: string): number {
  let best = -1;
  let bestMatch: CarrierMessageIdMatch | null = null;
  stored.forEach((candidate, index) => {
    const match = matchCarrierMessageId(candidate, received);
    if (match && compareCarrierMessageIdMatch(match, bestMatch) < 0) {
      best = index;
      bestMatch = match;
    }
  });
  return best;
}

function normalizedText(id: string): string {
  let text = id.trim().toLowerCase();
  if (text.startsWith('0x')) text = text.slice(2);
  const stripped = text.replace(/^0+/, '');
  return stripped === '' && text !== '' ? '0' : stripped;
}
