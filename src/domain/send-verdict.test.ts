import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPLIANCE, type ComplianceSettings } from './compliance-settings.js';
import { REVIEW_HOLD_RECHECK_MS, sendVerdict, type VerdictInput } from './send-verdict.js';

const NEW_YORK_NOON = new Date('2026-06-10T16:00:00.000Z');
const NEW_YORK_2230 = new Date('2026-06-11T02:30:00.000Z');

function input(overrides: Partial<VerdictInput> = {}, settings: Partial<ComplianceSettings> = {}): VerdictInput {
  return {
    message: { category: 'marketing', consentExempt: false, sendAt: null, createdAt: NEW_YORK_NOON.toISOString() },
    optedOut: false,
    reviewPending: false,
    recipient: { phoneNumber: '+12015550123', timeZone: null },
    marketingSentAt: [],
    settings: { ...DEFAULT_COMPLIANCE, ...settings },
    now: NEW_YORK_NOON,
    validitySeconds: 4 * 3600,
    ...overrides,
  };
}

describe('sendVerdict', () => {
  it('sends marketing inside the window, under the cap, with consent', () => {
    expect(sendVerdict(input())).toEqual({ kind: 'send' });
  });

  it('refuses a message to a contact who opted out, unless it is consent-exempt', () => {
    expect(sendVerdict(input({ optedOut: true }))).toMatchObject({ kind: 'refuse', refusal: { status: 'canceled', errorCode: 'recipient_opted_out' } });
    const exempt = input({ optedOut: true, message: { category: 'transactional', consentExempt: true, sendAt: null, createdAt: NEW_YORK_NOON.toISOString() } });
    expect(sendVerdict(exempt)).toEqual({ kind: 'send' });
  });

  it('holds marketing while a consent review is pending, but not other categories, and not at creation', () => {
    const held = sendVerdict(input({ reviewPending: true }));
    expect(held).toMatchObject({ kind: 'defer', reschedule: false });
    expect(held.kind === 'defer' && held.until.getTime() - NEW_YORK_NOON.getTime()).toBe(REVIEW_HOLD_RECHECK_MS);
    const transactional = input({ reviewPending: true, message: { category: 'transactional', consentExempt: false, sendAt: null, createdAt: NEW_YORK_NOON.toISOString() } });
    expect(sendVerdict(transactional)).toEqual({ kind: 'send' });
    expect(sendVerdict(input({ reviewPending: true, atCreation: true }))).toEqual({ kind: 'send' });
  });

  it("defers marketing in the recipient's quiet hours to the window's opening, moving sendAt", () => {
    const atNight = { now: NEW_YORK_2230, message: { category: 'marketing' as const, consentExempt: false, sendAt: null, createdAt: NEW_YORK_2230.toISOString() } };
    const verdict = sendVerdict(input(atNight));
    expect(verdict).toMatchObject({ kind: 'defer', reschedule: true, until: new Date('2026-06-11T12:00:00.000Z') });
    // Quiet hours off: it goes.
    expect(sendVerdict(input(atNight, { quietHours: null })).kind).toBe('send');
    // A contact in Los Angeles: 19:30 there.
    expect(sendVerdict(input({ ...atNight, recipient: { phoneNumber: '+12015550123', timeZone: 'America/Los_Angeles' } })).kind).toBe('send');
    // Not for transactional messages.
    const code = input({ now: NEW_YORK_2230, message: { category: 'transactional', consentExempt: false, sendAt: null, createdAt: NEW_YORK_2230.toISOString() } });
    expect(sendVerdict(code)).toEqual({ kind: 'send' });
  });

  it('holds marketing over the cap until the send that blocks it ages out of the window', () => {
    const sent = ['2026-06-10T01:00:00.000Z', '2026-06-10T09:00:00.000Z', '2026-06-10T15:00:00.000Z'];
    const verdict = sendVerdict(input({ marketingSentAt: sent }));
    // Three in the window, cap 3: the oldest ages out 24 h after it was sent.
    expect(verdict).toMatchObject({ kind: 'defer', reschedule: true, until: new Date('2026-06-11T01:00:00.000Z') });
    expect(sendVerdict(input({ marketingSentAt: sent.slice(1) })).kind).toBe('send');
    expect(sendVerdict(input({ marketingSentAt: sent }, { marketingCap: { max: 3, windowHours: 24, overCap: 'fail' } }))).toMatchObject({
      kind: 'refuse',
      refusal: { status: 'failed', errorCode: 'frequency_capped' },
    });
    expect(sendVerdict(input({ marketingSentAt: sent }, { marketingCap: null })).kind).toBe('send');
  });

  it('fails a message past its validity before any marketing rule', () => {
    const old = input({ message: { category: 'marketing', consentExempt: false, sendAt: null, createdAt: '2026-06-10T10:00:00.000Z' }, reviewPending: true });
    expect(sendVerdict(old)).toMatchObject({ kind: 'refuse', refusal: { errorCode: 'validity_expired' } });
  });
});

describe('quiet hours where an area code spans two zones', () => {
  it('holds marketing to the Florida panhandle (850) until the window is open in both Central and Eastern time', () => {
    // 19:30 Central = 20:30 Eastern: Florida's window (to 20:00) is closed in Tallahassee.
    const now = new Date('2026-06-11T00:30:00.000Z');
    const verdict = sendVerdict(input({ now, recipient: { phoneNumber: '+18505550142', timeZone: null }, message: { category: 'marketing', consentExempt: false, sendAt: null, createdAt: now.toISOString() } }));
    // Opens at 08:00 Central (09:00 Eastern), when both windows are open.
    expect(verdict).toMatchObject({ kind: 'defer', until: new Date('2026-06-11T13:00:00.000Z') });
    // Mid-afternoon: open in both.
    const afternoon = new Date('2026-06-10T19:00:00.000Z');
    expect(sendVerdict(input({ now: afternoon, recipient: { phoneNumber: '+18505550142', timeZone: null }, message: { category: 'marketing', consentExempt: false, sendAt: null, createdAt: afternoon.toISOString() } })).kind).toBe('send');
  });
});
