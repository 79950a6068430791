import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { isValidCountryCode, parsePhone } from './phone-number.js';

function errorOf(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('parsePhone', () => {
  it.each([
    '(201) 555-0123',
    '201-555-0123',
    '201.555.0123',
    '2015550123',
    '1 201 555 0123',
    '12015550123',
    '+1 201 555 0123',
    '+1 (201) 555-0123',
    '+12015550123',
    '  +12015550123  ',
  ])('reads the US form %j as +12015550123', (input) => {
    expect(parsePhone(input, 'US')).toEqual({ value: '+12015550123', kind: 'e164', country: 'US' });
  });

  it('reads international forms whatever the default country', () => {
    expect(parsePhone('+44 20 7946 0958', 'US').value).toBe('+442079460958');
    expect(parsePhone('+33 1 23 45 67 89', 'US')).toMatchObject({ value: '+33123456789', country: 'FR' });
    // The US international prefix is 011 …
    expect(parsePhone('011 44 20 7946 0958', 'US').value).toBe('+442079460958');
    // … and 00 is Europe's. libphonenumber reads an IDD only for the default country's own prefix.
    expect(parsePhone('0044 20 7946 0958', 'GB').value).toBe('+442079460958');
    expect(errorOf(() => parsePhone('0044 20 7946 0958', 'US')).code).toBe('invalid_number');
  });

  it('reads national forms in the default country', () => {
    expect(parsePhone('020 7946 0958', 'GB')).toEqual({ value: '+442079460958', kind: 'e164', country: 'GB' });
    expect(parsePhone('020 7946 0958', 'gb').value).toBe('+442079460958');
    expect(parsePhone('01 23 45 67 89', 'FR').value).toBe('+33123456789');
  });

  it.each(['12345', '123456', '555', '12345678'])('keeps the US short code %j as digits', (input) => {
    expect(parsePhone(input, 'US')).toEqual({ value: input, kind: 'short_code', country: undefined });
  });

  it('keeps short codes in other countries too', () => {
    expect(parsePhone('60060', 'GB')).toMatchObject({ value: '60060', kind: 'short_code' });
    expect(parsePhone(' 2222 ', 'NO')).toMatchObject({ value: '2222', kind: 'short_code' });
  });

  it.each([
    ['41234567', 'NO', '+4741234567'],
    ['81234567', 'SG', '+6581234567'],
    ['21234567', 'HK', '+85221234567'],
  ])('reads the 8-digit national number %j in %s as a phone, not a short code', (input, country, e164) => {
    expect(parsePhone(input, country)).toMatchObject({ value: e164, kind: 'e164' });
  });

  it.each([
    ['+1 555 555 0100', 'an invalid US area code'],
    ['abc', 'letters'],
    ['', 'nothing'],
    ['   ', 'only spaces'],
    ['12', 'too short for a short code'],
    ['123456789', 'too long for a short code, too short for a number'],
    ['201555012', 'nine digits'],
    ['20155501234', 'eleven digits not starting with 1'],
    ['+1201555012345678', 'too long'],
    ['+12345', 'a short code with a plus'],
    ['+1 (201) 555-0123 abc', 'trailing text'],
    [`+1${'2'.repeat(40)}`, 'absurdly long'],
  ])('refuses %j (%s) with invalid_number naming the field', (input) => {
    const error = errorOf(() => parsePhone(input, 'US', 'recipients.0.to'));
    expect(error.code).toBe('invalid_number');
    expect(error.field).toBe('recipients.0.to');
    expect(error.httpStatus).toBe(400);
  });

  it('names phoneNumber by default', () => {
    expect(errorOf(() => parsePhone('abc', 'US')).field).toBe('phoneNumber');
  });
});

describe('isValidCountryCode', () => {
  it('knows ISO country codes libphonenumber has metadata for', () => {
    expect(isValidCountryCode('US')).toBe(true);
    expect(isValidCountryCode('GB')).toBe(true);
    expect(isValidCountryCode('ZZ')).toBe(false);
    expect(isValidCountryCode('XX')).toBe(false);
  });
});
