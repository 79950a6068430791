import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js/max';
import { AppError } from './errors.js';

/** Short codes are 3–8 digits with no country prefix; they are kept exactly as digits. */
const SHORT_CODE = /^\d{3,8}$/;

export type PhoneKind = 'e164' | 'short_code';

export interface PhoneNumber {
  /** E.164 (`+14155550123`) or the short code's digits. */
  value: string;
  kind: PhoneKind;
  /** ISO country of an E.164 number, when libphonenumber can tell. */
  country: string | undefined;
}

/**
 * Reads a phone number written in a common national or international form.
 * National forms are read in `defaultCountry`. Throws `invalid_number` naming `field`
 * when the number is not a valid number for its country.
 */
export function parsePhone(input: string, defaultCountry: string, field = 'phoneNumber'): PhoneNumber {
  const trimmed = input.trim();
  const invalid = (): AppError =>
    new AppError('invalid_number', `${field} "${input}" is not a valid phone number`, { field });
  if (trimmed.length === 0 || trimmed.length > 32) throw invalid();
  const phone = readValid(trimmed, defaultCountry);
  // A bare 3–8 digit string is a short code unless it is a valid national number of the
  // default country: Norway, Singapore or Hong Kong write whole phone numbers in 8 digits.
  if (SHORT_CODE.test(trimmed) && !phone) return { value: trimmed, kind: 'short_code', country: undefined };
  if (!phone) throw invalid();
  return phone;
}

/**
 * Parsing with the full metadata costs tens of microseconds, and the same few numbers come
 * back on every text (the business's own numbers, a customer's replies): remember recent
 * results. Bounded; results are immutable values, so sharing them is safe.
 */
const READ_CACHE_LIMIT = 20_000;
const readCache = new Map<string, PhoneNumber | null>();

function readValid(text: string, defaultCountry: string): PhoneNumber | null {
  const key = `${defaultCountry}|${text}`;
  const cached = readCache.get(key);
  if (cached !== undefined) return cached;
  const result = readValidUncached(text, defaultCountry);
  if (readCache.size >= READ_CACHE_LIMIT) readCache.clear();
  readCache.set(key, result === null ? null : Object.freeze(result));
  return result;
}

function readValidUncached(text: string, defaultCountry: string): PhoneNumber | null {
  try {
    const parsed = parsePhoneNumberWithError(text, {
      defaultCountry: defaultCountry.toUpperCase() as CountryCode,
      extract: false,
    });
    return parsed.isValid() ? { value: parsed.number, kind: 'e164', country: parsed.country } : null;
  } catch {
    return null;
  }
}

export function isValidCountryCode(country: string): boolean {
  try {
    parsePhoneNumberWithError('1', { defaultCountry: country as CountryCode });
    return true;
  } catch (error) {
    return !(error instanceof Error && error.message === 'INVALID_COUNTRY');
  }
}
