import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Clock } from './ports.js';
import {
  DEFAULT_QUIET_HOURS,
  effectiveSendWindow,
  nextWindowOpening,
  parseSendWindow,
  type QuietHoursPolicy,
} from './quiet-hours.js';
import { recipientZone, type RecipientZone } from './recipient-time-zone.js';

/** A clock the test sets, as the app injects `ctx.clock`. */
class TestClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const NEW_YORK = recipientZone({ contactTimeZone: null, phoneNumber: '+12125550123' });
const LOS_ANGELES = recipientZone({ contactTimeZone: null, phoneNumber: '+13105550123' });
const HONOLULU = recipientZone({ contactTimeZone: null, phoneNumber: '+18085550123' });
const PHOENIX = recipientZone({ contactTimeZone: null, phoneNumber: '+16025550123' });
const DENVER = recipientZone({ contactTimeZone: null, phoneNumber: '+13035550123' });
const MIAMI = recipientZone({ contactTimeZone: null, phoneNumber: '+13055550123' });
const PENSACOLA = recipientZone({ contactTimeZone: null, phoneNumber: '+18505550123' });
const OKLAHOMA_CITY = recipientZone({ contactTimeZone: null, phoneNumber: '+14055550123' });
const TORONTO = recipientZone({ contactTimeZone: null, phoneNumber: '+14165550123' });
const LONDON = recipientZone({ contactTimeZone: null, phoneNumber: '+447400123456' });
const BERLIN = recipientZone({ contactTimeZone: null, phoneNumber: '+4915112345678' });

const clock = new TestClock(new Date('2026-01-15T12:00:00Z'));

/** When the next window opens for `zone` at `iso` under `policy`, as an ISO string (null: now). */
function opening(iso: string, zone: RecipientZone | null, policy: QuietHoursPolicy = DEFAULT_QUIET_HOURS): string | null {
  clock.set(iso);
  return nextWindowOpening(clock.now(), zone, policy, 'America/Chicago')?.toISOString() ?? null;
}

const localFormats = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock time in `timeZone`, read independently of the module (formatToParts). */
function local(instant: Date | string, timeZone: string): string {
  let format = localFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    localFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(instant));
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

const policy = (window: string, regionWindows: QuietHoursPolicy['regionWindows'] = {}): QuietHoursPolicy => ({
  window: parseSendWindow(window),
  regionWindows,
});

describe('parseSendWindow', () => {
  it.each([
    ['08:00-21:00', '08:00', '21:00'],
    ['8:00 - 17:30', '08:00', '17:30'],
    ['09:00–17:00', '09:00', '17:00'],
    ['00:00-24:00', '00:00', '24:00'],
    [' 07:15-07:16 ', '07:15', '07:16'],
  ])('%j → %s to %s', (value, start, end) => {
    expect(parseSendWindow(value)).toEqual({ start, end });
  });

  it.each([
    ['', /must be two times of day joined by "-"/],
    ['0800-2100', /start "0800" is not a time of day/],
    ['08:00', /must be two times of day/],
    ['25:00-26:00', /start "25:00" is not a time of day \(HH:MM, 00:00 to 23:59\)/],
    ['08:60-21:00', /start "08:60" is not a time of day/],
    ['08:00-24:30', /end "24:30" is not a time of day \(HH:MM, 00:00 to 24:00\)/],
    ['24:00-24:00', /start "24:00" is not a time of day/],
    ['08:00-08:00', /is empty/],
    ['21:00-08:00', /start 21:00 is after end 08:00; a send window cannot cross midnight/],
    ['8am-9pm', /start "8am" is not a time of day/],
  ])('refuses %j, saying what is wrong', (value, message) => {
    expect(() => parseSendWindow(value)).toThrow(message);
  });
});

describe('DEFAULT_QUIET_HOURS', () => {
  it('is 08:00–21:00, and 08:00–20:00 in Florida and Oklahoma', () => {
    expect(DEFAULT_QUIET_HOURS).toEqual({
      window: { start: '08:00', end: '21:00' },
      regionWindows: { 'US-FL': { start: '08:00', end: '20:00' }, 'US-OK': { start: '08:00', end: '20:00' } },
    });
    expect(Object.isFrozen(DEFAULT_QUIET_HOURS.regionWindows)).toBe(true);
  });
});

describe('effectiveSendWindow', () => {
  it('narrows the window by the region, never widens it', () => {
    expect(effectiveSendWindow(DEFAULT_QUIET_HOURS, null)).toEqual({ start: '08:00', end: '21:00' });
    expect(effectiveSendWindow(DEFAULT_QUIET_HOURS, 'US-NY')).toEqual({ start: '08:00', end: '21:00' });
    expect(effectiveSendWindow(DEFAULT_QUIET_HOURS, 'US-FL')).toEqual({ start: '08:00', end: '20:00' });
    const office = { ...DEFAULT_QUIET_HOURS, window: parseSendWindow('09:00-17:00') };
    expect(effectiveSendWindow(office, 'US-FL')).toEqual({ start: '09:00', end: '17:00' });
    const late = { ...DEFAULT_QUIET_HOURS, window: parseSendWindow('07:00-22:00') };
    expect(effectiveSendWindow(late, 'US-OK')).toEqual({ start: '08:00', end: '20:00' });
  });

  it('refuses a region window that leaves no time at all', () => {
    const evening = { ...DEFAULT_QUIET_HOURS, window: parseSendWindow('20:30-21:00') };
    expect(() => effectiveSendWindow(evening, 'US-FL')).toThrow(/US-FL .* does not overlap/);
  });
});

describe('nextWindowOpening: inside and outside the window', () => {
  it('lets a New York message through from 08:00 up to 20:59:59 local, not at 21:00:00', () => {
    expect(opening('2026-01-15T17:00:00Z', NEW_YORK)).toBeNull(); // 12:00
    expect(opening('2026-01-15T13:00:00Z', NEW_YORK)).toBeNull(); // 08:00:00
    expect(opening('2026-01-16T01:59:59Z', NEW_YORK)).toBeNull(); // 20:59:59
    expect(opening('2026-01-16T01:59:59.999Z', NEW_YORK)).toBeNull();
    expect(opening('2026-01-16T02:00:00Z', NEW_YORK)).toBe('2026-01-16T13:00:00.000Z'); // 21:00:00 → 08:00 tomorrow
  });

  it('holds a message created at 07:59 local until 08:00 the same day', () => {
    expect(opening('2026-01-15T12:59:00Z', NEW_YORK)).toBe('2026-01-15T13:00:00.000Z');
    expect(opening('2026-01-15T12:59:59.999Z', NEW_YORK)).toBe('2026-01-15T13:00:00.000Z');
  });

  it('holds a message overnight, across midnight, until 08:00', () => {
    expect(opening('2026-01-16T04:30:00Z', NEW_YORK)).toBe('2026-01-16T13:00:00.000Z'); // 23:30
    expect(opening('2026-01-16T05:30:00Z', NEW_YORK)).toBe('2026-01-16T13:00:00.000Z'); // 00:30
    // 23:30 on 31 January: the next opening is on 1 February.
    expect(local(opening('2026-02-01T04:30:00Z', NEW_YORK) ?? '', 'America/New_York')).toBe('2026-02-01 08:00:00');
    // New Year's Eve.
    expect(opening('2027-01-01T03:00:00Z', NEW_YORK)).toBe('2027-01-01T13:00:00.000Z');
  });

  it("reads each recipient's own clock", () => {
    const instant = '2026-01-16T03:30:00Z'; // 22:30 New York, 19:30 Los Angeles, 17:30 Honolulu
    expect(opening(instant, NEW_YORK)).toBe('2026-01-16T13:00:00.000Z');
    expect(opening(instant, LOS_ANGELES)).toBeNull();
    expect(opening(instant, HONOLULU)).toBeNull();
    expect(opening('2026-01-15T17:59:59Z', HONOLULU)).toBe('2026-01-15T18:00:00.000Z'); // 07:59:59 HST
    expect(opening('2026-01-16T05:00:00Z', LOS_ANGELES)).toBe('2026-01-16T16:00:00.000Z'); // 21:00 PST
    expect(opening('2026-01-16T02:30:00Z', TORONTO)).toBe('2026-01-16T13:00:00.000Z'); // 21:30 EST
  });

  it('ends the day at 20:00 in Florida and Oklahoma', () => {
    expect(opening('2026-01-16T00:59:59Z', MIAMI)).toBeNull(); // 19:59:59 EST
    expect(opening('2026-01-16T01:00:00Z', MIAMI)).toBe('2026-01-16T13:00:00.000Z'); // 20:00 EST
    expect(opening('2026-01-16T01:00:00Z', NEW_YORK)).toBeNull(); // the same instant is fine in New York
    expect(opening('2026-01-16T02:00:00Z', PENSACOLA)).toBe('2026-01-16T14:00:00.000Z'); // 20:00 CST → 08:00 CST
    expect(opening('2026-01-16T01:59:59Z', PENSACOLA)).toBeNull(); // 19:59:59 CST
    expect(opening('2026-01-16T02:30:00Z', OKLAHOMA_CITY)).toBe('2026-01-16T14:00:00.000Z'); // 20:30 CST
    expect(opening('2026-07-16T00:59:00Z', OKLAHOMA_CITY)).toBeNull(); // 19:59 CDT
    expect(opening('2026-07-16T01:00:00Z', OKLAHOMA_CITY)).toBe('2026-07-16T13:00:00.000Z'); // 20:00 CDT → 08:00 CDT
  });

  it('reads a UK and a German recipient on their clocks, in winter and in summer', () => {
    expect(opening('2026-01-15T21:30:00Z', LONDON)).toBe('2026-01-16T08:00:00.000Z'); // 21:30 GMT
    expect(opening('2026-07-01T20:30:00Z', LONDON)).toBe('2026-07-02T07:00:00.000Z'); // 21:30 BST
    expect(opening('2026-07-01T19:59:59Z', LONDON)).toBeNull(); // 20:59:59 BST
    expect(opening('2026-01-15T07:30:00Z', BERLIN)).toBeNull(); // 08:30 CET
    expect(opening('2026-01-15T06:59:59Z', BERLIN)).toBe('2026-01-15T07:00:00.000Z'); // 07:59:59 CET
    expect(opening('2026-07-15T19:00:00Z', BERLIN)).toBe('2026-07-16T06:00:00.000Z'); // 21:00 CEST
  });

  it("uses the contact's own zone over the area code, and ignores an invalid one", () => {
    const movedWest = recipientZone({ contactTimeZone: 'America/Los_Angeles', phoneNumber: '+12125550123' });
    expect(opening('2026-01-16T03:00:00Z', movedWest)).toBeNull(); // 22:00 in New York, 19:00 where they live
    const typo = recipientZone({ contactTimeZone: 'America/Los_Angles', phoneNumber: '+12125550123' });
    expect(opening('2026-01-16T03:00:00Z', typo)).toBe('2026-01-16T13:00:00.000Z');
    // A Florida number keeps Florida's window wherever its owner says they live.
    const snowbird = recipientZone({ contactTimeZone: 'America/New_York', phoneNumber: '+13055550123' });
    expect(opening('2026-01-16T01:30:00Z', snowbird)).toBe('2026-01-16T13:00:00.000Z');
  });

  it("falls back to the workspace's zone when the recipient's is unknown", () => {
    const unknown = recipientZone({ contactTimeZone: null, phoneNumber: '+18005550123' });
    expect(unknown).toBeNull();
    const at = new Date('2026-01-16T02:30:00Z'); // 21:30 New York, 20:30 Chicago
    expect(nextWindowOpening(at, unknown, DEFAULT_QUIET_HOURS, 'America/New_York')?.toISOString()).toBe(
      '2026-01-16T13:00:00.000Z',
    );
    expect(nextWindowOpening(at, unknown, DEFAULT_QUIET_HOURS, 'America/Chicago')).toBeNull();
  });

  it('applies a configured 09:00–17:00 window, narrowed further nowhere', () => {
    const office = policy('09:00-17:00', DEFAULT_QUIET_HOURS.regionWindows);
    expect(opening('2026-01-15T13:30:00Z', NEW_YORK, office)).toBe('2026-01-15T14:00:00.000Z'); // 08:30
    expect(opening('2026-01-15T14:00:00Z', NEW_YORK, office)).toBeNull(); // 09:00
    expect(opening('2026-01-15T21:59:59Z', NEW_YORK, office)).toBeNull(); // 16:59:59
    expect(opening('2026-01-15T22:00:00Z', NEW_YORK, office)).toBe('2026-01-16T14:00:00.000Z'); // 17:00
    expect(opening('2026-01-15T22:00:00Z', MIAMI, office)).toBe('2026-01-16T14:00:00.000Z'); // Florida's 20:00 does not widen it
  });

  it('refuses an invalid zone or date with a clear error', () => {
    const now = new Date('2026-01-15T12:00:00Z');
    expect(() => nextWindowOpening(now, null, DEFAULT_QUIET_HOURS, 'Mars/Base')).toThrow(
      'fallback time zone "Mars/Base" is not a valid IANA time zone',
    );
    const bogus: RecipientZone = { timeZone: 'Nowhere/Land', region: null, source: 'contact' };
    expect(() => nextWindowOpening(now, bogus, DEFAULT_QUIET_HOURS, 'UTC')).toThrow("recipient's time zone");
    expect(() => nextWindowOpening(new Date(Number.NaN), NEW_YORK, DEFAULT_QUIET_HOURS, 'UTC')).toThrow('not a valid date');
    const broken = { window: { start: '8', end: '21:00' }, regionWindows: {} };
    expect(() => nextWindowOpening(now, NEW_YORK, broken, 'UTC')).toThrow('start "8" is not a time of day');
  });
});

describe('nextWindowOpening: daylight saving time', () => {
  it('US spring forward (2026-03-08): an overnight message opens at 08:00 EDT, not 08:00 EST', () => {
    expect(opening('2026-03-08T02:00:00Z', NEW_YORK)).toBe('2026-03-08T12:00:00.000Z'); // 21:00 EST on the 7th
    expect(opening('2026-03-08T06:30:00Z', NEW_YORK)).toBe('2026-03-08T12:00:00.000Z'); // 01:30 EST
    expect(opening('2026-03-08T07:30:00Z', NEW_YORK)).toBe('2026-03-08T12:00:00.000Z'); // 03:30 EDT
    expect(opening('2026-03-08T11:59:59Z', NEW_YORK)).toBe('2026-03-08T12:00:00.000Z'); // 07:59:59 EDT
    expect(opening('2026-03-08T12:00:00Z', NEW_YORK)).toBeNull();
    expect(opening('2026-03-09T00:59:59Z', NEW_YORK)).toBeNull(); // 20:59:59 EDT
    expect(opening('2026-03-09T01:00:00Z', NEW_YORK)).toBe('2026-03-09T12:00:00.000Z'); // 21:00 EDT
  });

  it('Phoenix keeps Mountain Standard Time while Denver moves', () => {
    const instant = '2026-03-09T14:30:00Z'; // 07:30 in Phoenix, 08:30 in Denver
    expect(opening(instant, PHOENIX)).toBe('2026-03-09T15:00:00.000Z');
    expect(opening(instant, DENVER)).toBeNull();
    expect(opening('2026-01-15T14:30:00Z', PHOENIX)).toBe(opening('2026-01-15T14:30:00Z', DENVER)); // same in winter
  });

  it('a window opening inside the spring-forward gap opens at the first valid local time after it', () => {
    const early = policy('02:30-21:00');
    const opensAt = opening('2026-03-08T06:00:00Z', NEW_YORK, early); // 01:00 EST; 02:30 does not exist
    expect(opensAt).toBe('2026-03-08T07:00:00.000Z');
    expect(local(opensAt ?? '', 'America/New_York')).toBe('2026-03-08 03:00:00');
    expect(opening('2026-03-08T07:00:00Z', NEW_YORK, early)).toBeNull(); // 03:00 EDT is inside
    // The next day 02:30 exists again.
    expect(opening('2026-03-09T06:00:00Z', NEW_YORK, early)).toBe('2026-03-09T06:30:00.000Z');
  });

  it('US fall back (2026-11-01): an overnight message opens at 08:00 EST', () => {
    expect(opening('2026-11-01T01:30:00Z', NEW_YORK)).toBe('2026-11-01T13:00:00.000Z'); // 21:30 EDT on the 31st
    expect(opening('2026-11-01T05:30:00Z', NEW_YORK)).toBe('2026-11-01T13:00:00.000Z'); // 01:30 EDT
    expect(opening('2026-11-01T06:30:00Z', NEW_YORK)).toBe('2026-11-01T13:00:00.000Z'); // 01:30 EST (again)
    expect(opening('2026-11-01T12:59:59Z', NEW_YORK)).toBe('2026-11-01T13:00:00.000Z'); // 07:59:59 EST
    expect(opening('2026-11-02T01:59:59Z', NEW_YORK)).toBeNull(); // 20:59:59 EST
    expect(opening('2026-11-02T02:00:00Z', NEW_YORK)).toBe('2026-11-02T13:00:00.000Z');
  });

  it('a window opening in the repeated fall-back hour opens at the occurrence still ahead', () => {
    const early = policy('01:30-21:00');
    expect(opening('2026-11-01T05:10:00Z', NEW_YORK, early)).toBe('2026-11-01T05:30:00.000Z'); // 01:10 EDT → 01:30 EDT
    expect(opening('2026-11-01T05:45:00Z', NEW_YORK, early)).toBeNull(); // 01:45 EDT
    // The clock falls back from 01:59:59 EDT to 01:00 EST, out of the window, and reaches 01:30 again.
    expect(opening('2026-11-01T06:10:00Z', NEW_YORK, early)).toBe('2026-11-01T06:30:00.000Z'); // 01:10 EST → 01:30 EST
  });

  it('EU change (2026-03-29): Berlin and London open at 08:00 summer time', () => {
    expect(opening('2026-03-28T20:15:00Z', BERLIN)).toBe('2026-03-29T06:00:00.000Z'); // 21:15 CET → 08:00 CEST
    expect(opening('2026-03-28T22:00:00Z', LONDON)).toBe('2026-03-29T07:00:00.000Z'); // 22:00 GMT → 08:00 BST
    const early = policy('02:30-21:00');
    expect(opening('2026-03-29T00:30:00Z', BERLIN, early)).toBe('2026-03-29T01:00:00.000Z'); // 01:30 CET → 03:00 CEST
    // The US has already changed: three weeks in which New York is four hours behind London, not five.
    expect(opening('2026-03-20T12:30:00Z', NEW_YORK)).toBeNull(); // 08:30 EDT
  });

  it('walks the New York fall-back night minute by minute with the injected clock', () => {
    clock.set('2026-10-31T23:00:00Z'); // 19:00 EDT
    const allowedAt: string[] = [];
    const flips: string[] = [];
    let wasAllowed = true;
    while (clock.now() < new Date('2026-11-01T15:00:00Z')) {
      const allowed = nextWindowOpening(clock.now(), NEW_YORK, DEFAULT_QUIET_HOURS, 'UTC') === null;
      if (allowed !== wasAllowed) flips.push(`${allowed ? 'open' : 'close'} ${local(clock.now(), 'America/New_York')}`);
      if (allowed) allowedAt.push(clock.now().toISOString());
      wasAllowed = allowed;
      clock.advance(60_000);
    }
    expect(flips).toEqual(['close 2026-10-31 21:00:00', 'open 2026-11-01 08:00:00']);
    expect(allowedAt).toHaveLength(2 * 60 + 2 * 60); // 19:00–21:00 EDT and 08:00–10:00 EST
  });
});

describe('nextWindowOpening: properties', () => {
  const zones = [
    'America/New_York',
    'America/Phoenix',
    'Pacific/Honolulu',
    'Europe/London',
    'Europe/Berlin',
    'America/Santiago', // DST changes at midnight
    'America/Havana', // and at 01:00
    'Australia/Lord_Howe', // a 30-minute DST shift
    'Asia/Kathmandu', // +05:45
    'Pacific/Chatham', // +12:45 / +13:45
    'Africa/Casablanca', // DST suspended during Ramadan
  ];
  const minutes = (total: number) => `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
  const windowArb = fc
    .tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1440 }))
    .filter(([start, end]) => start < end)
    .map(([start, end]) => ({ start: minutes(start), end: minutes(end) }));
  const HOUR = 3600_000;
  /** Instants (to within three hours) at which `timeZone` changed its offset in 2026. */
  const changesIn2026 = (timeZone: string): number[] => {
    const offset = (at: number) => Date.parse(`${local(new Date(at), timeZone).replace(' ', 'T')}Z`) - Math.floor(at / 1000) * 1000;
    const changes: number[] = [];
    let previous = offset(Date.UTC(2026, 0, 1));
    for (let at = Date.UTC(2026, 0, 1); at < Date.UTC(2027, 0, 1); at += 3 * HOUR) {
      const current = offset(at);
      if (current !== previous) changes.push(at);
      previous = current;
    }
    return changes;
  };
  // Half the cases land within a day and a half of a DST change, where the work is.
  const changesByZone = new Map<string, number[]>();
  const zoneAndInstantArb = fc.constantFrom(...zones).chain((timeZone) => {
    const changes = changesByZone.get(timeZone) ?? changesIn2026(timeZone);
    changesByZone.set(timeZone, changes);
    const anywhere = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2028, 0, 1) });
    if (changes.length === 0) return fc.tuple(fc.constant(timeZone), anywhere);
    const nearChange = fc
      .tuple(fc.constantFrom(...changes), fc.integer({ min: -36 * HOUR, max: 36 * HOUR }))
      .map(([change, delta]) => change + delta);
    return fc.tuple(fc.constant(timeZone), fc.oneof(anywhere, nearChange));
  });

  const insideWindow = (instant: number, timeZone: string, window: { start: string; end: string }) => {
    const clockTime = local(new Date(instant), timeZone).slice(11); // HH:MM:SS
    return clockTime >= `${window.start}:00` && clockTime < `${window.end}:00`;
  };

  it('gives null exactly inside the window, else the first later instant inside it', () => {
    fc.assert(
      fc.property(zoneAndInstantArb, windowArb, ([timeZone, instant], window) => {
        const zone: RecipientZone = { timeZone, region: null, source: 'contact' };
        const result = nextWindowOpening(new Date(instant), zone, { window, regionWindows: {} }, 'UTC');
        if (insideWindow(instant, timeZone, window)) {
          expect(result).toBeNull();
          return;
        }
        expect(result).not.toBeNull();
        const opensAt = result?.getTime() ?? 0;
        expect(opensAt).toBeGreaterThan(instant);
        expect(opensAt - instant).toBeLessThanOrEqual(2 * 24 * 3600_000);
        expect(insideWindow(opensAt, timeZone, window)).toBe(true);
        // Nothing in between is inside: every minute boundary, and the second before the opening.
        expect(insideWindow(opensAt - 1000, timeZone, window)).toBe(false);
        for (let at = Math.ceil(instant / 60_000) * 60_000; at < opensAt; at += 60_000) {
          if (insideWindow(at, timeZone, window)) expect.fail(`${new Date(at).toISOString()} is inside before the opening`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
