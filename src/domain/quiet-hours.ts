import { isValidTimeZone, type RecipientZone } from './recipient-time-zone.js';

/** The hours of the recipient's local day when marketing may be sent. */
export interface SendWindow {
  /** 'HH:MM' local, inclusive. */
  start: string;
  /** 'HH:MM' local, exclusive; '24:00' for the end of the day. */
  end: string;
}

export interface QuietHoursPolicy {
  window: SendWindow;
  /**
   * Stricter windows by ISO 3166-2 region, e.g. { 'US-FL': { start: '08:00', end: '20:00' } }.
   * A region's window only ever narrows `window`: a recipient in the region gets the hours both allow.
   */
  regionWindows: Record<string, SendWindow>;
}

/**
 * 08:00–21:00 in the recipient's local time (the US federal rule for telemarketing), and
 * 08:00–20:00 for recipients presumed in Florida or Oklahoma by area code, whose solicitation
 * acts end the day an hour earlier.
 */
export const DEFAULT_QUIET_HOURS: QuietHoursPolicy = deepFreeze({
  window: { start: '08:00', end: '21:00' },
  regionWindows: {
    'US-FL': { start: '08:00', end: '20:00' },
    'US-OK': { start: '08:00', end: '20:00' },
  },
});

/**
 * Reads a send window written 'HH:MM-HH:MM' (24-hour, local; an en dash works too), e.g.
 * '08:00-21:00' or '9:00 - 17:30'. The end may be '24:00'. Throws an Error naming what is wrong.
 *
 * A window must not cross midnight: a value like '21:00-08:00' is far more likely to be the quiet
 * period typed by mistake than a wish to text people at night, so it is refused, not guessed at.
 */
export function parseSendWindow(value: string): SendWindow {
  const parts = /^\s*(\S+?)\s*[-–]\s*(\S+?)\s*$/.exec(value);
  if (!parts?.[1] || !parts[2]) {
    throw new Error(`send window "${value}" must be two times of day joined by "-", e.g. "08:00-21:00"`);
  }
  const window = { start: normaliseTime(parts[1], 'start', value), end: normaliseTime(parts[2], 'end', value) };
  windowMinutes(window, `send window "${value}"`);
  return window;
}

/**
 * The window that applies to a recipient in `region`: the policy's window, narrowed by the
 * region's window when there is one. Throws when the two do not overlap (a configuration that
 * could never send there; config validation should call this for each region).
 */
export function effectiveSendWindow(policy: QuietHoursPolicy, region: string | null): SendWindow {
  const [start, end] = effectiveMinutes(policy, region);
  return { start: formatMinutes(start), end: formatMinutes(end) };
}

/**
 * Null when `now` is inside the recipient's send window; otherwise the instant (UTC) the next
 * window opens. The window is read on the recipient's wall clock: `zone.timeZone`, or
 * `fallbackTimeZone` (the workspace's zone) when the recipient's zone is unknown.
 *
 * Daylight saving is followed as the wall clock does: when the opening time does not exist that
 * day (02:30 on a spring-forward day) the window opens at the first valid local time after it
 * (03:00); when it exists twice (01:30 on a fall-back day) it opens at the first occurrence that
 * is still ahead.
 */
export function nextWindowOpening(
  now: Date,
  zone: RecipientZone | null,
  policy: QuietHoursPolicy,
  fallbackTimeZone: string,
): Date | null {
  const at = now.getTime();
  if (!Number.isFinite(at)) throw new Error('nextWindowOpening: now is not a valid date');
  const timeZone = zone?.timeZone ?? fallbackTimeZone;
  if (!isValidTimeZone(timeZone)) {
    const what = zone ? "recipient's time zone" : 'fallback time zone';
    throw new Error(`nextWindowOpening: ${what} "${timeZone}" is not a valid IANA time zone`);
  }
  const [start, end] = effectiveMinutes(policy, zone?.region ?? null);
  const clock = new WallClock(timeZone);
  const inside = (instant: number): boolean => {
    const wall = clock.at(instant);
    const seconds = wall.hour * 3600 + wall.minute * 60 + wall.second;
    return seconds >= start * 60 && seconds < end * 60;
  };
  if (inside(at)) return null;

  // The window can begin only where the wall clock reaches `start`, or where a DST transition
  // makes the clock jump into the window. The earliest such instant ahead of `now` that is inside
  // the window is the opening.
  let opening = Number.POSITIVE_INFINITY;
  const today = clock.at(at);
  findStart: for (let day = 0; day <= 2; day++) {
    // Out-of-range days roll over into the next month; each day's openings follow the last's.
    for (const candidate of clock.instantsOf(today.year, today.month, today.day + day, start)) {
      if (candidate > at && inside(candidate)) {
        opening = candidate;
        break findStart;
      }
    }
  }
  for (const transition of clock.transitionsBetween(at, Math.min(opening, at + LOOKAHEAD_MS))) {
    if (inside(transition)) {
      opening = Math.min(opening, transition);
      break;
    }
  }
  if (!Number.isFinite(opening)) {
    throw new Error(`nextWindowOpening: no opening of ${formatMinutes(start)}-${formatMinutes(end)} found in ${timeZone}`);
  }
  return new Date(opening);
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const LOOKAHEAD_MS = 3 * DAY_MS;

/** [start, end) in minutes of the local day, after narrowing by the region's window. */
function effectiveMinutes(policy: QuietHoursPolicy, region: string | null): [number, number] {
  const [start, end] = windowMinutes(policy.window, 'quiet hours window');
  const regional = region !== null && Object.hasOwn(policy.regionWindows, region) ? policy.regionWindows[region] : undefined;
  if (regional === undefined) return [start, end];
  const [regionStart, regionEnd] = windowMinutes(regional, `quiet hours window for ${region}`);
  const narrowed: [number, number] = [Math.max(start, regionStart), Math.min(end, regionEnd)];
  if (narrowed[0] >= narrowed[1]) {
    throw new Error(
      `quiet hours window for ${region} (${regional.start}-${regional.end}) does not overlap the window ` +
        `${policy.window.start}-${policy.window.end}: nothing could ever be sent there`,
    );
  }
  return narrowed;
}

function windowMinutes(window: SendWindow, what: string): [number, number] {
  const start = timeMinutes(window.start, `${what}: start`, false);
  const end = timeMinutes(window.end, `${what}: end`, true);
  if (start === end) throw new Error(`${what} is empty: start and end are both ${window.start}`);
  if (start > end) {
    throw new Error(
      `${what}: start ${window.start} is after end ${window.end}; a send window cannot cross midnight ` +
        `(give the hours when sending is allowed, not the quiet hours)`,
    );
  }
  return [start, end];
}

const TIME_OF_DAY = /^(\d{1,2}):(\d{2})$/;

function timeMinutes(value: string, what: string, allowEndOfDay: boolean): number {
  const parts = TIME_OF_DAY.exec(value);
  const hours = Number(parts?.[1]);
  const minutes = Number(parts?.[2]);
  const valid = parts !== null && minutes < 60 && (hours < 24 || (allowEndOfDay && hours === 24 && minutes === 0));
  if (!valid) {
    const range = allowEndOfDay ? '00:00 to 24:00' : '00:00 to 23:59';
    throw new Error(`${what} "${value}" is not a time of day (HH:MM, ${range})`);
  }
  return hours * 60 + minutes;
}

function normaliseTime(value: string, which: 'start' | 'end', whole: string): string {
  return formatMinutes(timeMinutes(value, `send window "${whole}": ${which}`, which === 'end'));
}

function formatMinutes(total: number): string {
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * The wall clock of one IANA zone, read through Intl (Node ships full ICU). Offsets are derived
 * from what the clock shows, so DST rules and their history come from the tz database, not from
 * this file.
 */
class WallClock {
  private readonly format: Intl.DateTimeFormat;
  /** One call reads the same instants several times (a day's offsets are the next day's). */
  private readonly seen = new Map<number, WallTime>();

  constructor(timeZone: string) {
    this.format = formatterFor(timeZone);
  }

  /** What the clock shows at `instant` (to the second). */
  at(instant: number): WallTime {
    const second = Math.floor(instant / 1000);
    let wall = this.seen.get(second);
    if (!wall) {
      // format() is several times cheaper than formatToParts(); en-US with these options always
      // reads "M/D/YYYY, HH:MM:SS" (checked against formatToParts in the tests).
      const text = this.format.format(second * 1000);
      const fields = (text.match(DIGITS) ?? []).map(Number);
      if (fields.length !== 6) throw new Error(`unexpected date format from Intl: "${text}"`);
      const [month, day, year, hour, minute, sec] = fields as [number, number, number, number, number, number];
      wall = { year, month, day, hour, minute, second: sec };
      this.seen.set(second, wall);
    }
    return wall;
  }

  /** Local time minus UTC at `instant`, in ms (whole seconds). */
  offset(instant: number): number {
    const wall = this.at(instant);
    const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
    return asUtc - Math.floor(instant / 1000) * 1000;
  }

  /**
   * The instants at which this clock shows `minutes` past midnight on the given local date
   * (out-of-range days roll over): none in a DST gap, two in an overlap, else one.
   */
  instantsOf(year: number, month: number, day: number, minutes: number): number[] {
    const asUtc = Date.UTC(year, month - 1, day, 0, minutes);
    const found: number[] = [];
    // The offset in force at that wall time is the one a day before or a day after it (no zone
    // changes twice in two days). Reading the clock at `asUtc - offset` shows the wanted wall time
    // exactly when that offset is in force there.
    for (const offset of new Set([this.offset(asUtc - DAY_MS), this.offset(asUtc + DAY_MS)])) {
      const instant = asUtc - offset;
      if (this.offset(instant) === offset) found.push(instant);
    }
    return found.sort((a, b) => a - b);
  }

  /** Instants in (from, to] at which the offset changes (the first second of the new offset). */
  transitionsBetween(from: number, to: number): number[] {
    const found: number[] = [];
    // Offsets change at most twice a year: equal offsets at both ends mean no change between.
    if (this.offset(from) === this.offset(to)) return found;
    const step = 6 * HOUR_MS; // no zone changes offset twice within six hours
    let low = from;
    let lowOffset = this.offset(low);
    while (low < to) {
      const high = Math.min(low + step, to);
      const highOffset = this.offset(high);
      if (highOffset !== lowOffset) found.push(this.firstWithOffset(low, high, highOffset));
      low = high;
      lowOffset = highOffset;
    }
    return found;
  }

  /** The first whole second in (low, high] with `offset`, given `high` has it and `low` has not. */
  private firstWithOffset(low: number, high: number, offset: number): number {
    let before = Math.floor(low / 1000);
    let after = Math.floor(high / 1000);
    while (after - before > 1) {
      const middle = Math.floor((before + after) / 2);
      if (this.offset(middle * 1000) === offset) after = middle;
      else before = middle;
    }
    return after * 1000;
  }
}

const DIGITS = /\d+/g;

const FORMATTER_LIMIT = 1_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Building a DateTimeFormat costs far more than using one; zones repeat on every send. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= FORMATTER_LIMIT) formatters.clear();
    formatters.set(timeZone, format);
  }
  return format;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  }
  return Object.freeze(value);
}
