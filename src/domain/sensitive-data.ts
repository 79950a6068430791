/**
 * Finds data that must not travel by SMS in a message body: payment card numbers, US social
 * security numbers and IBANs. SMS is not encrypted end to end and stays on handsets and in carrier
 * logs, so outbound bodies with such data are refused (unless overridden) and inbound ones are
 * masked wherever they are shown.
 *
 * Texts are full of numbers that are none of these — phone numbers, dates, times, prices, order,
 * tracking and verification codes — so every detector asks for structure as well as digits:
 *
 * - Card: 13–19 digits, whole or in groups joined by single spaces or dashes (the first group of
 *   four, as every scheme prints them: 4-4-4-4, 4-6-5, 4-4-4-4-3), Luhn-valid, with a prefix and
 *   length that a card scheme issues (Visa 13/16/19, Mastercard 51–55 and 2221–2720 at 16, Amex
 *   34/37 at 15, …). Not part of a longer number: not glued to letters or digits, not after "+"
 *   (an international phone number), not after or before a decimal separator and digit. Groups
 *   after the card may follow ("4242 4242 4242 4242 12 27" — card, expiry), but a group of four
 *   continuing a longer run of fours is not a card's first group (USPS tracking numbers).
 * - US SSN: AAA-GG-SSSS or AAA GG SSSS with the same separator twice. A bare nine-digit number is
 *   not taken: order ids, ZIP+4 codes and account numbers are nine digits far more often than
 *   texts carry an SSN. The SSA never issues area 000, 666 or 900–999, group 00 or serial 0000.
 * - IBAN: country code, two check digits (02–98) and the BBAN, either unbroken or in groups of
 *   four joined by single spaces, exactly the length registered for the country, mod 97 = 1.
 *   Letters in either case (people type IBANs on phones).
 *
 * Offsets are UTF-16 code unit offsets, as JavaScript strings count.
 */

export type SensitiveKind = 'payment_card' | 'us_ssn' | 'iban';

export interface SensitiveMatch {
  kind: SensitiveKind;
  /** UTF-16 offset of the first character. */
  start: number;
  /** UTF-16 offset just past the last character. */
  end: number;
}

/** Every card number, SSN and IBAN in `text`, in order, none overlapping. */
export function findSensitiveData(text: string): SensitiveMatch[] {
  if (!/\d/.test(text)) return [];
  const found = [...findCards(text), ...findSsns(text), ...findIbans(text)];
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: SensitiveMatch[] = [];
  let reach = 0;
  for (const match of found) {
    if (match.start < reach) continue;
    kept.push(match);
    reach = match.end;
  }
  return kept;
}

/**
 * The text with each match masked by "•", one for each masked character so offsets and length are
 * kept. The last four digits or characters stay, as receipts show them; an IBAN also keeps its
 * country code: "•••• •••• •••• 4242", "•••-••-6789", "GB•• •••• •••• •••• ••54 32".
 * Separators keep their place. The result contains no match (the marks are never read as digits).
 */
export function maskSensitiveData(text: string): string {
  const matches = findSensitiveData(text);
  if (matches.length === 0) return text;
  let masked = '';
  let from = 0;
  for (const match of matches) {
    masked += text.slice(from, match.start);
    masked += maskSegment(text.slice(match.start, match.end), match.kind === 'iban' ? 2 : 0);
    from = match.end;
  }
  return masked + text.slice(from);
}

/**
 * A short description for error messages: "a payment card number",
 * "a US social security number and an IBAN", "2 payment card numbers".
 */
export function describeSensitiveData(matches: SensitiveMatch[]): string {
  const phrases: string[] = [];
  for (const kind of KIND_ORDER) {
    const count = matches.filter((match) => match.kind === kind).length;
    if (count === 0) continue;
    const { one, many } = KIND_NAMES[kind];
    phrases.push(count === 1 ? one : `${count} ${many}`);
  }
  if (phrases.length === 0) return 'no sensitive data';
  if (phrases.length === 1) return phrases[0] ?? '';
  return `${phrases.slice(0, -1).join(', ')} and ${phrases[phrases.length - 1]}`;
}

const KIND_ORDER: readonly SensitiveKind[] = ['payment_card', 'us_ssn', 'iban'];
const KIND_NAMES: Record<SensitiveKind, { one: string; many: string }> = {
  payment_card: { one: 'a payment card number', many: 'payment card numbers' },
  us_ssn: { one: 'a US social security number', many: 'US social security numbers' },
  iban: { one: 'an IBAN', many: 'IBANs' },
};

/** Stands for a masked character; also a boundary that joins, so masked text never re-matches. */
const MASK = '•';

function maskSegment(segment: string, keepFirst: number): string {
  const alphanumerics = segment.replace(/[^0-9A-Za-z]/g, '').length;
  let seen = 0;
  let masked = '';
  for (const char of segment) {
    if (/[0-9A-Za-z]/.test(char)) {
      seen++;
      masked += seen <= keepFirst || seen > alphanumerics - 4 ? char : MASK;
    } else {
      masked += char;
    }
  }
  return masked;
}

// ---- boundaries ----

const WORD_CHAR = /[\p{L}\p{N}_]/u;
const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9';
const isWordChar = (char: string | undefined): boolean => char !== undefined && WORD_CHAR.test(char);

/** Whether what precedes `start` makes the number there part of something longer. */
function joinedBefore(text: string, start: number, separatorThenDigitJoins: boolean): boolean {
  const c1 = text[start - 1];
  const c2 = text[start - 2];
  if (c1 === undefined) return false;
  if (isWordChar(c1) || c1 === MASK || c1 === '+') return true;
  if ((c1 === '.' || c1 === ',') && isDigit(c2)) return true; // 1.4242…, 1,4242…
  if (c1 === ' ' || c1 === '-' || c1 === '/') {
    if (c2 === MASK) return true; // the rest of a masked number
    if (separatorThenDigitJoins && isDigit(c2)) return true;
  }
  return false;
}

/** Whether what follows `end` makes the number before it part of something longer. */
function joinedAfter(text: string, end: number, separatorThenDigitJoins: boolean): boolean {
  const c1 = text[end];
  const c2 = text[end + 1];
  if (c1 === undefined) return false;
  if (isWordChar(c1) || c1 === MASK) return true;
  if ((c1 === '.' || c1 === ',') && isDigit(c2)) return true; // a decimal part
  if (c1 === ' ' || c1 === '-' || c1 === '/') {
    if (c2 === MASK) return true;
    if (separatorThenDigitJoins && isDigit(c2)) return true;
  }
  return false;
}

// ---- payment cards ----

/** Digits in groups joined by single spaces or dashes. */
const DIGIT_RUN = /\d+(?:[ -]\d+)*/g;

interface Group {
  start: number;
  end: number;
  digits: string;
  /** The separator before the next group ('' for the last). */
  separator: string;
}

function findCards(text: string): SensitiveMatch[] {
  const matches: SensitiveMatch[] = [];
  for (const run of text.matchAll(DIGIT_RUN)) {
    const runStart = run.index;
    const runEnd = runStart + run[0].length;
    // Separated digits joined to the run (a '1 ' before it) are in the run already, so only
    // what glues the whole run to something longer matters here.
    if (run[0].length < 13 || joinedBefore(text, runStart, false)) continue;
    const groups = splitGroups(run[0], runStart);
    const endsGlued = joinedAfter(text, runEnd, false);
    const last = groups.length - 1;
    let previousTaken = false;
    for (let i = 0; i <= last; ) {
      const end = cardEndingAt(groups, i, previousTaken, endsGlued);
      if (end === undefined) {
        previousTaken = false;
        i++;
        continue;
      }
      matches.push({ kind: 'payment_card', start: groups[i]?.start ?? 0, end: groups[end]?.end ?? 0 });
      previousTaken = true;
      i = end + 1;
    }
  }
  return matches;
}

/**
 * The index of the last group of the longest card number starting at group `i`, if any.
 * `previousTaken`: group i - 1 ended a card. `runEndGlued`: the run's last group is glued to what
 * follows it, so no card may end there.
 */
function cardEndingAt(groups: Group[], i: number, previousTaken: boolean, runEndGlued: boolean): number | undefined {
  const first = groups[i];
  if (!first) return undefined;
  const last = groups.length - 1;
  if (first.digits.length >= 13) {
    // An unbroken card number.
    return !(i === last && runEndGlued) && isCardNumber(first.digits) ? i : undefined;
  }
  if (first.digits.length !== 4) return undefined;
  const previous = groups[i - 1];
  // A four-digit group continuing a run of fours belongs to that longer number.
  if (previous && !previousTaken && previous.digits.length === 4 && previous.separator === first.separator) {
    return undefined;
  }
  let digits = first.digits;
  let best: number | undefined;
  for (let j = i + 1; j <= last; j++) {
    const group = groups[j];
    const before = groups[j - 1];
    if (!group || !before || before.separator !== first.separator || group.digits.length > 6) break;
    digits += group.digits;
    if (digits.length > 19) break;
    if (digits.length >= 13 && !(j === last && runEndGlued) && isCardNumber(digits)) best = j;
  }
  return best;
}

function splitGroups(run: string, offset: number): Group[] {
  const groups: Group[] = [];
  const pattern = /\d+/g;
  for (const part of run.matchAll(pattern)) {
    const start = offset + part.index;
    const end = start + part[0].length;
    groups.push({ start, end, digits: part[0], separator: run[part.index + part[0].length] ?? '' });
  }
  return groups;
}

function isCardNumber(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  if (/^(\d)\1*$/.test(digits)) return false;
  return issuedBySomeScheme(digits) && luhnValid(digits);
}

/** Whether a card scheme issues numbers with this prefix and length (ISO/IEC 7812 IIN ranges). */
function issuedBySomeScheme(digits: string): boolean {
  const length = digits.length;
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  switch (digits[0]) {
    case '2': // Mastercard 2221–2720; Mir 2200–2204
      return (four >= 2221 && four <= 2720 && length === 16) || (four >= 2200 && four <= 2204 && length >= 16);
    case '3':
      if (two === 34 || two === 37) return length === 15; // American Express
      if (two === 35) return four >= 3528 && four <= 3589 && length >= 16; // JCB
      if (two === 30 || two === 36 || two === 38 || two === 39) return length >= 14; // Diners Club
      return false;
    case '4': // Visa
      return length === 13 || length === 16 || length === 19;
    case '5': // Mastercard 51–55; Maestro 50, 56–59
      return two >= 51 && two <= 55 ? length === 16 : true;
    case '6': // Discover, UnionPay, Maestro, RuPay, Troy…
      return true;
    default:
      return false;
  }
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

// ---- US social security numbers ----

const SSN = /(\d{3})([ -])(\d{2})\2(\d{4})/g;

function findSsns(text: string): SensitiveMatch[] {
  const matches: SensitiveMatch[] = [];
  SSN.lastIndex = 0;
  for (let found = SSN.exec(text); found; found = SSN.exec(text)) {
    const start = found.index;
    const end = start + found[0].length;
    const [, area = '', , group = '', serial = ''] = found;
    const issuable = area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
    if (issuable && !joinedBefore(text, start, true) && !joinedAfter(text, end, true)) {
      matches.push({ kind: 'us_ssn', start, end });
    } else {
      SSN.lastIndex = start + 1; // a shorter number inside may still stand alone
    }
  }
  return matches;
}

// ---- IBANs ----

/**
 * IBAN length by country (ISO 13616 registry; SEPA members and the other common ones). A country
 * not listed is not recognised: better a missed IBAN from a rare country than texts refused on a
 * guess at its length.
 */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27,
  BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28,
  EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23,
  GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27,
  JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25,
  MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18,
  NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33,
  SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

const IBAN_START = /[A-Za-z]{2}\d{2}/g;
const ALPHANUMERIC = /^[0-9A-Za-z]$/;

function findIbans(text: string): SensitiveMatch[] {
  const matches: SensitiveMatch[] = [];
  IBAN_START.lastIndex = 0;
  for (let found = IBAN_START.exec(text); found; found = IBAN_START.exec(text)) {
    const start = found.index;
    const end = ibanEndingAfter(text, start);
    if (end === undefined) {
      IBAN_START.lastIndex = start + 1;
      continue;
    }
    matches.push({ kind: 'iban', start, end });
    IBAN_START.lastIndex = end;
  }
  return matches;
}

/** Where the IBAN starting at `start` ends, if one does. */
function ibanEndingAfter(text: string, start: number): number | undefined {
  const length = IBAN_LENGTHS[text.slice(start, start + 2).toUpperCase()];
  if (length === undefined || joinedBefore(text, start, false)) return undefined;
  for (const grouped of [false, true]) {
    const read = readIban(text, start, length, grouped);
    if (read && !joinedAfter(text, read.end, false) && ibanChecksumValid(read.iban)) return read.end;
  }
  return undefined;
}

/** `length` characters from `start`, unbroken or in groups of four joined by single spaces. */
function readIban(text: string, start: number, length: number, grouped: boolean): { iban: string; end: number } | undefined {
  let iban = '';
  let at = start;
  while (iban.length < length) {
    if (grouped && iban.length > 0 && iban.length % 4 === 0) {
      if (text[at] !== ' ') return undefined;
      at++;
    }
    const char = text[at];
    if (char === undefined || !ALPHANUMERIC.test(char)) return undefined;
    iban += char;
    at++;
  }
  return { iban: iban.toUpperCase(), end: at };
}

function ibanChecksumValid(iban: string): boolean {
  const check = iban.slice(2, 4);
  if (check === '00' || check === '01' || check === '99') return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = char >= 'A' ? char.charCodeAt(0) - 55 : char.charCodeAt(0) - 48;
    remainder = (remainder * (value > 9 ? 100 : 10) + value) % 97;
  }
  return remainder === 1;
}
