import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeSensitiveData,
  findSensitiveData,
  maskSensitiveData,
  type SensitiveKind,
  type SensitiveMatch,
} from './sensitive-data.js';

/** The kinds and matched substrings found in `text`. */
const found = (text: string): Array<[SensitiveKind, string]> =>
  findSensitiveData(text).map((match) => [match.kind, text.slice(match.start, match.end)]);

describe('findSensitiveData: payment cards', () => {
  it.each([
    ['4242 4242 4242 4242', 'Visa, grouped'],
    ['4242424242424242', 'Visa, unbroken'],
    ['4242-4242-4242-4242', 'Visa, dashes'],
    ['5555555555554444', 'Mastercard 5-series'],
    ['2223 0031 2200 3222', 'Mastercard 2-series'],
    ['378282246310005', 'American Express'],
    ['3782 822463 10005', 'American Express, 4-6-5'],
    ['6011111111111117', 'Discover'],
    ['3056 930902 5904', 'Diners Club, 4-6-4'],
    ['3566002020360505', 'JCB'],
    ['6200000000000005', 'UnionPay'],
    ['4222222222222', 'Visa, 13 digits'],
  ])('finds %s (%s)', (card) => {
    expect(found(`Card: ${card} thanks`)).toEqual([['payment_card', card]]);
  });

  it('reports UTF-16 offsets', () => {
    const text = '😀 pay with 4242 4242 4242 4242';
    expect(findSensitiveData(text)).toEqual([{ kind: 'payment_card', start: 12, end: 31 }]);
  });

  it('finds the card when the expiry and security code follow it', () => {
    expect(found('4242 4242 4242 4242 12 27 123')).toEqual([['payment_card', '4242 4242 4242 4242']]);
    expect(found('4242 4242 4242 4242 12/27 cvc 123')).toEqual([['payment_card', '4242 4242 4242 4242']]);
    expect(found('card 4242424242424242 exp 1227')).toEqual([['payment_card', '4242424242424242']]);
  });

  it('finds two cards written back to back', () => {
    expect(found('4242 4242 4242 4242 5555 5555 5555 4444')).toEqual([
      ['payment_card', '4242 4242 4242 4242'],
      ['payment_card', '5555 5555 5555 4444'],
    ]);
  });

  it.each([
    ['4242 4242 4242 4241', 'Luhn-invalid'],
    ['5555555555554445', 'Luhn-invalid'],
    ['378282246310006', 'Luhn-invalid'],
    ['0000 0000 0000 0000', 'all one digit'],
    ['4444444444444444', 'all one digit'],
    ['1234567812345670', 'Luhn-valid but no scheme issues 1…'],
    ['9400 1000 0000 0000 0000 00', 'USPS tracking number (leads with 9, and a longer run of fours)'],
    ['424242424242424242424', 'a longer digit run'],
    ['X4242424242424242', 'glued to letters'],
    ['4242424242424242AB', 'glued to letters'],
    ['4242 4242-4242 4242', 'mixed separators'],
    ['4242  4242  4242  4242', 'double spaces'],
    ['42424242424242', 'Visa prefix at 14 digits'],
    ['3782822463100', 'Amex prefix at 13 digits'],
    ['4242424242424242.50', 'an amount with decimals'],
  ])('does not take %s (%s)', (text) => {
    expect(findSensitiveData(text)).toEqual([]);
  });
});

describe('findSensitiveData: US social security numbers', () => {
  it.each(['123-45-6789', '123 45 6789', '001-01-0001', '665-99-9999', '899-12-3456'])('finds %s', (ssn) => {
    expect(found(`my ssn is ${ssn}.`)).toEqual([['us_ssn', ssn]]);
  });

  it.each([
    ['000-12-3456', 'area 000'],
    ['666-12-3456', 'area 666'],
    ['900-12-3456', 'area 900–999'],
    ['999-12-3456', 'area 900–999'],
    ['123-00-4567', 'group 00'],
    ['123-45-0000', 'serial 0000'],
    ['123456789', 'no separators: order ids, ZIP+4'],
    ['123-45 6789', 'separators differ'],
    ['1123-45-6789', 'part of a longer number'],
    ['123-45-67890', 'part of a longer number'],
    ['+1 123-45-6789', 'after a country code'],
    ['9 123 45 6789', 'after another digit group'],
    ['ID123-45-6789', 'glued to letters'],
  ])('does not take %s (%s)', (text) => {
    expect(findSensitiveData(text)).toEqual([]);
  });
});

describe('findSensitiveData: IBANs', () => {
  // Examples from the SWIFT IBAN registry, and the well-known GB one.
  it.each([
    'GB82 WEST 1234 5698 7654 32',
    'GB82WEST12345698765432',
    'DE89 3704 0044 0532 0130 00',
    'DE89370400440532013000',
    'FR14 2004 1010 0505 0001 3M02 606',
    'BE68 5390 0754 7034',
    'NO93 8601 1117 947',
    'CH93 0076 2011 6238 5295 7',
    'NL91 ABNA 0417 1643 00',
    'IT60 X054 2811 1010 0000 0123 456',
    'ES91 2100 0418 4502 0005 1332',
    'PL61 1090 1014 0000 0712 1981 2874',
    'MT84 MALT 0110 0001 2345 MTLC AST0 01S',
    'gb82 west 1234 5698 7654 32',
  ])('finds %s', (iban) => {
    expect(found(`IBAN: ${iban}, thanks`)).toEqual([['iban', iban]]);
  });

  it.each([
    ['GB82 WEST 1234 5698 7654 33', 'wrong check'],
    ['GB83 WEST 1234 5698 7654 32', 'wrong check digits'],
    ['DE89 3704 0044 0532 0130 0', 'one character short'],
    ['DE89 3704 0044 0532 0130 001', 'one character long'],
    ['DE89370400440532013000X', 'glued to more characters'],
    ['DE89 37040044 0532 0130 00', 'irregular grouping'],
    ['ZZ12 3456 7890 1234 5678 90', 'no such country'],
    ['XDE89370400440532013000', 'glued to a letter before'],
  ])('does not take %s (%s)', (text) => {
    expect(findSensitiveData(text)).toEqual([]);
  });
});

describe('findSensitiveData: ordinary texts', () => {
  it.each([
    'Call us at +14155550123 or (415) 555-0123',
    'Call +1 415 555 0123 or 415-555-0123 or 1-800-555-0199',
    'UK: +44 20 7946 0958, DE: +49 30 901820, mobile +4915112345678',
    'Two numbers: 415 555 0123 415 555 0199',
    'Your code is 123456',
    'Your verification code: 8412 3309. It expires in 10 minutes.',
    'Your appointment is on 2026-03-08 at 14:30',
    'See you 03/08/2026 at 9:15am',
    'Order #100234567 has shipped',
    'Order 2026-0000123456 confirmed',
    'Tracking: 1Z999AA10123456784',
    'USPS tracking 9400 1000 0000 0000 0000 00',
    'USPS 9205590164917312751089',
    'FedEx 449044304137821',
    'DHL 1234567890',
    'Total $1,234.56 — thanks!',
    'Amount due: 12 345 678,90 €',
    'Balance 4242.42 USD',
    'ZIP 94105-1234',
    'Reply STOP to opt out. Msg&data rates may apply.',
    'Room 101, floor 2, building 3',
    'Ref: INV-2026-000123',
  ])('%s', (text) => {
    expect(findSensitiveData(text)).toEqual([]);
    expect(maskSensitiveData(text)).toBe(text);
  });
});

describe('findSensitiveData: several kinds', () => {
  it('finds each kind in order', () => {
    const text = 'SSN 123-45-6789, card 4242 4242 4242 4242, IBAN DE89 3704 0044 0532 0130 00';
    expect(found(text)).toEqual([
      ['us_ssn', '123-45-6789'],
      ['payment_card', '4242 4242 4242 4242'],
      ['iban', 'DE89 3704 0044 0532 0130 00'],
    ]);
  });
});

describe('maskSensitiveData', () => {
  it.each([
    ['Card 4242 4242 4242 4242 exp 12/27', 'Card •••• •••• •••• 4242 exp 12/27'],
    ['4242-4242-4242-4242', '••••-••••-••••-4242'],
    ['5555555555554444', '••••••••••••4444'],
    ['3782 822463 10005', '•••• •••••• •0005'],
    ['ssn 123-45-6789', 'ssn •••-••-6789'],
    ['ssn 123 45 6789', 'ssn ••• •• 6789'],
    ['GB82 WEST 1234 5698 7654 32', 'GB•• •••• •••• •••• ••54 32'],
    ['DE89370400440532013000', 'DE••••••••••••••••3000'],
    ['no numbers here', 'no numbers here'],
  ])('%s → %s', (text, masked) => {
    expect(maskSensitiveData(text)).toBe(masked);
  });

  it('keeps the length, so offsets into the original still point at the same places', () => {
    const text = 'x 4242 4242 4242 4242 y 123-45-6789 z GB82WEST12345698765432';
    expect(maskSensitiveData(text)).toHaveLength(text.length);
  });
});

describe('describeSensitiveData', () => {
  const of = (...kinds: SensitiveKind[]): SensitiveMatch[] => kinds.map((kind) => ({ kind, start: 0, end: 1 }));

  it.each([
    [of('payment_card'), 'a payment card number'],
    [of('us_ssn'), 'a US social security number'],
    [of('iban'), 'an IBAN'],
    [of('iban', 'us_ssn'), 'a US social security number and an IBAN'],
    [of('iban', 'payment_card', 'us_ssn'), 'a payment card number, a US social security number and an IBAN'],
    [of('payment_card', 'payment_card'), '2 payment card numbers'],
    [of('iban', 'iban', 'iban', 'payment_card'), 'a payment card number and 3 IBANs'],
    [[], 'no sensitive data'],
  ])('%j → %s', (matches, description) => {
    expect(describeSensitiveData(matches)).toBe(description);
  });
});

// ---- properties ----

const digits = (length: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((d) => d.join(''));

/** Appends the Luhn check digit. */
const withLuhn = (body: string): string => {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return body + String((10 - (sum % 10)) % 10);
};

const group = (text: string, separator: string): string => (text.match(/.{1,4}/g) ?? []).join(separator);

const cardArb = fc
  .tuple(fc.constantFrom('4', '51', '52', '55', '6011', '65', '358'), digits(15), fc.constantFrom('', ' ', '-'))
  .map(([prefix, rest, separator]) => [withLuhn((prefix + rest).slice(0, 15)), separator] as const)
  .filter(([card]) => !/^(\d)\1*$/.test(card))
  .map(([card, separator]) => group(card, separator));

const ssnArb = fc
  .tuple(fc.integer({ min: 1, max: 899 }), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 9999 }), fc.constantFrom('-', ' '))
  .filter(([area]) => area !== 666)
  .map(([area, group, serial, separator]) =>
    [String(area).padStart(3, '0'), String(group).padStart(2, '0'), String(serial).padStart(4, '0')].join(separator),
  );

const ibanArb = fc
  .tuple(digits(18), fc.boolean())
  .map(([bban, spaced]) => {
    let remainder = 0;
    for (const char of `${bban}131400`) remainder = (remainder * 10 + Number(char)) % 97; // D=13 E=14 00
    const iban = `DE${String(98 - remainder).padStart(2, '0')}${bban}`;
    return spaced ? group(iban, ' ') : iban;
  });

const filler = fc.string({ unit: fc.constantFrom(...'0123456789 -+.,/:#abcXYZ•\n'.split('')), maxLength: 12 });

const messageArb = fc
  .array(fc.oneof({ arbitrary: filler, weight: 3 }, cardArb, ssnArb, ibanArb), { maxLength: 6 })
  .map((parts) => parts.join(''));

describe('properties', () => {
  it('the generators make what the detectors find', () => {
    fc.assert(
      fc.property(cardArb, (card) => {
        expect(found(` ${card} `)).toEqual([['payment_card', card]]);
      }),
    );
    fc.assert(
      fc.property(ssnArb, (ssn) => {
        expect(found(` ${ssn} `)).toEqual([['us_ssn', ssn]]);
      }),
    );
    fc.assert(
      fc.property(ibanArb, (iban) => {
        expect(found(` ${iban} `)).toEqual([['iban', iban]]);
      }),
    );
  });

  it('masking removes every match and keeps the length', () => {
    fc.assert(
      fc.property(messageArb, (text) => {
        const masked = maskSensitiveData(text);
        expect(findSensitiveData(masked)).toEqual([]);
        expect(masked).toHaveLength(text.length);
      }),
      { numRuns: 2_000 },
    );
  });

  it('masking leaves a text without matches unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(messageArb, fc.string()), (text) => {
        if (findSensitiveData(text).length === 0) expect(maskSensitiveData(text)).toBe(text);
      }),
      { numRuns: 2_000 },
    );
  });

  it('matches are in order and do not overlap', () => {
    fc.assert(
      fc.property(messageArb, (text) => {
        let reach = 0;
        for (const match of findSensitiveData(text)) {
          expect(match.start).toBeGreaterThanOrEqual(reach);
          expect(match.end).toBeGreaterThan(match.start);
          reach = match.end;
        }
      }),
    );
  });
});
