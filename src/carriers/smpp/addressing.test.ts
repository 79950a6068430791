import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CarrierError } from '../carrier.js';
import { destinationAddress, NPI, readInboundAddress, sourceAddress, TON } from './addressing.js';

function refusal(run: () => unknown): CarrierError {
  try {
    run();
  } catch (error) {
    if (error instanceof CarrierError) return error;
    throw error;
  }
  throw new Error('expected a CarrierError');
}

describe('sourceAddress', () => {
  it('writes E.164 numbers as international / ISDN without the +', () => {
    expect(sourceAddress('+12015550100')).toEqual({ ton: 1, npi: 1, address: '12015550100' });
    expect(sourceAddress(' +447700900123 ')).toEqual({ ton: TON.international, npi: NPI.isdn, address: '447700900123' });
  });

  it('writes short codes as network specific, or as the carrier says', () => {
    expect(sourceAddress('12345')).toEqual({ ton: 3, npi: 0, address: '12345' });
    expect(sourceAddress('898')).toEqual({ ton: 3, npi: 0, address: '898' });
    expect(sourceAddress('12345678', { shortCode: { ton: 0, npi: 1 } })).toEqual({ ton: 0, npi: 1, address: '12345678' });
  });

  it('writes alphanumeric senders as TON 5 / NPI 0', () => {
    expect(sourceAddress('AcmeDental')).toEqual({ ton: 5, npi: 0, address: 'AcmeDental' });
    expect(sourceAddress('Acme 24-7 X')).toEqual({ ton: 5, npi: 0, address: 'Acme 24-7 X' });
    expect(sourceAddress('1stBank')).toEqual({ ton: 5, npi: 0, address: '1stBank' });
  });

  it('refuses what an SMSC could only guess at, with a clear non-retryable error', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['   ', /empty/],
      ['AcmeDentalCare', /14 characters; handsets show at most 11/],
      ['12', /neither/],
      ['2015550100', /neither/], // national digits: Parley stores E.164
      ['+0123456', /neither/],
      ['+1234567890123456', /neither/],
      ['Café', /neither/],
    ];
    for (const [input, message] of cases) {
      const error = refusal(() => sourceAddress(input));
      expect(error.code, input).toBe('invalid_sender');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(message);
    }
  });
});

describe('destinationAddress', () => {
  it('takes E.164 numbers and short codes, never alphanumeric ids', () => {
    expect(destinationAddress('+12015550123')).toEqual({ ton: 1, npi: 1, address: '12015550123' });
    expect(destinationAddress('55555')).toEqual({ ton: 3, npi: 0, address: '55555' });
    const error = refusal(() => destinationAddress('AcmeDental'));
    expect([error.code, error.retryable]).toEqual(['invalid_number', false]);
  });
});

describe('readInboundAddress', () => {
  it('reads international numbers as E.164', () => {
    expect(readInboundAddress({ ton: 1, npi: 1, address: '12015550123' })).toBe('+12015550123');
    expect(readInboundAddress({ ton: 1, npi: 1, address: '+12015550123' })).toBe('+12015550123');
    expect(readInboundAddress({ ton: 1, npi: 1, address: '1 201-555-0123\0' })).toBe('+12015550123');
    expect(readInboundAddress({ ton: 0, npi: 1, address: '+12015550123' })).toBe('+12015550123');
  });

  it('passes national numbers, short codes and alphanumeric senders on as written', () => {
    expect(readInboundAddress({ ton: 2, npi: 1, address: '2015550123' })).toBe('2015550123');
    expect(readInboundAddress({ ton: 0, npi: 0, address: '12015550123' })).toBe('12015550123');
    expect(readInboundAddress({ ton: 3, npi: 0, address: '12345' })).toBe('12345');
    expect(readInboundAddress({ ton: 5, npi: 0, address: 'AcmeBank' })).toBe('AcmeBank');
    expect(readInboundAddress({ ton: 1, npi: 1, address: 'NotDigits' })).toBe('NotDigits');
  });

  it('round-trips every E.164 number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9]\d{1,14}$/), (e164) => {
        expect(readInboundAddress(sourceAddress(e164))).toBe(e164);
      }),
    );
  });
});
