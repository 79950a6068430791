import { describe, expect, it } from 'vitest';
import { retryDelayMs, unsendableReason } from './send-rules.js';

const CREATED = '2026-01-01T12:00:00.000Z';
const at = (iso: string, plusSeconds = 0): Date => new Date(new Date(iso).getTime() + plusSeconds * 1000);

function check(options: {
  optedOut?: boolean;
  consentExempt?: boolean;
  sendAt?: string | null;
  now: Date;
  validitySeconds?: number;
}) {
  return unsendableReason({
    message: { consentExempt: options.consentExempt ?? false, sendAt: options.sendAt ?? null, createdAt: CREATED },
    contactOptedOut: options.optedOut ?? false,
    now: options.now,
    validitySeconds: options.validitySeconds ?? 3600,
  });
}

describe('unsendableReason', () => {
  it('lets a fresh message to a subscribed contact go', () => {
    expect(check({ now: at(CREATED, 1) })).toBeNull();
  });

  it('cancels a message to a contact who opted out, with recipient_opted_out', () => {
    expect(check({ optedOut: true, now: at(CREATED, 1) })).toMatchObject({
      status: 'canceled',
      errorCode: 'recipient_opted_out',
    });
  });

  it('sends a consent-exempt message (an opt-out confirmation) to an opted-out contact', () => {
    expect(check({ optedOut: true, consentExempt: true, now: at(CREATED, 1) })).toBeNull();
  });

  it('fails with validity_expired once the validity period after creation has passed', () => {
    expect(check({ now: at(CREATED, 3600), validitySeconds: 3600 })).toBeNull();
    expect(check({ now: at(CREATED, 3601), validitySeconds: 3600 })).toMatchObject({
      status: 'failed',
      errorCode: 'validity_expired',
    });
  });

  it('counts validity from sendAt for a scheduled message', () => {
    const sendAt = at(CREATED, 86_400).toISOString();
    expect(check({ sendAt, now: at(sendAt, 3599), validitySeconds: 3600 })).toBeNull();
    expect(check({ sendAt, now: at(sendAt, 3601), validitySeconds: 3600 })).toMatchObject({
      errorCode: 'validity_expired',
    });
  });

  it('reports an opt-out ahead of an expiry', () => {
    expect(check({ optedOut: true, now: at(CREATED, 7200), validitySeconds: 60 })?.errorCode).toBe('recipient_opted_out');
  });

  it('still expires a consent-exempt message', () => {
    expect(check({ optedOut: true, consentExempt: true, now: at(CREATED, 61), validitySeconds: 60 })?.errorCode).toBe(
      'validity_expired',
    );
  });
});

describe('retryDelayMs', () => {
  it('starts around one second', () => {
    expect(retryDelayMs(1, 0)).toBe(500);
    expect(retryDelayMs(1, 1)).toBe(1000);
    expect(retryDelayMs(0, 1)).toBe(1000);
  });

  it('grows with every attempt', () => {
    for (const random of [0, 0.5, 1]) {
      for (let attempt = 1; attempt < 9; attempt++) {
        expect(retryDelayMs(attempt + 1, random)).toBeGreaterThan(retryDelayMs(attempt, random));
      }
    }
  });

  it('stays within its jitter band', () => {
    for (let attempt = 1; attempt < 12; attempt++) {
      const low = retryDelayMs(attempt, 0);
      const high = retryDelayMs(attempt, 1);
      const mid = retryDelayMs(attempt, 0.37);
      expect(mid).toBeGreaterThanOrEqual(low);
      expect(mid).toBeLessThanOrEqual(high);
    }
  });

  it('is capped at five minutes, even for absurd attempt counts', () => {
    for (const attempt of [10, 20, 50, 2000]) {
      expect(retryDelayMs(attempt, 1)).toBe(300_000);
      expect(retryDelayMs(attempt, 0)).toBe(150_000);
    }
  });
});
