import { describe, expect, it } from 'vitest';
import { nanpAreaCode, nanpAreaCodes } from './nanp-area-codes.js';
import { countryTimeZones, isValidTimeZone, recipientZone } from './recipient-time-zone.js';

const zoneOf = (phoneNumber: string, contactTimeZone: string | null = null) =>
  recipientZone({ contactTimeZone, phoneNumber });

describe('recipientZone', () => {
  it.each([
    ['+12125550123', 'America/New_York', 'US-NY'], // New York
    ['+12135550123', 'America/Los_Angeles', 'US-CA'], // Los Angeles
    ['+18085550123', 'Pacific/Honolulu', 'US-HI'], // Honolulu
    ['+16025550123', 'America/Phoenix', 'US-AZ'], // Phoenix: no DST
    ['+13035550123', 'America/Denver', 'US-CO'],
    ['+19075550123', 'America/Anchorage', 'US-AK'],
    ['+13055550123', 'America/New_York', 'US-FL'], // Miami
    ['+18505550123', 'America/Chicago', 'US-FL'], // the Panhandle: most of 850 is Central
    ['+14055550123', 'America/Chicago', 'US-OK'], // Oklahoma City
    ['+19185550123', 'America/Chicago', 'US-OK'], // Tulsa
    ['+19155550123', 'America/Denver', 'US-TX'], // El Paso
    ['+13175550123', 'America/Indiana/Indianapolis', 'US-IN'],
    ['+17875550123', 'America/Puerto_Rico', 'US-PR'],
    ['+16715550123', 'Pacific/Guam', 'US-GU'],
    ['+14165550123', 'America/Toronto', 'CA-ON'], // Toronto
    ['+15145550123', 'America/Toronto', 'CA-QC'], // Montréal
    ['+13065550123', 'America/Regina', 'CA-SK'], // Saskatchewan: no DST
    ['+17095550123', 'America/St_Johns', 'CA-NL'],
    ['+19025550123', 'America/Halifax', null], // Nova Scotia and Prince Edward Island share 902
  ])('%s is in %s (%s) by its area code', (phoneNumber, timeZone, region) => {
    expect(zoneOf(phoneNumber)).toMatchObject({ timeZone, region, source: 'area_code' });
  });

  it('names the other zones of an area code that spans several', () => {
    expect(zoneOf('+18505550123')?.otherTimeZones).toEqual(['America/New_York']);
    expect(zoneOf('+12085550123')?.otherTimeZones).toEqual(['America/Los_Angeles']);
    expect(zoneOf('+12125550123')?.otherTimeZones).toBeUndefined();
  });

  it.each([
    ['+447400123456', 'Europe/London'], // UK mobile
    ['+442079460958', 'Europe/London'], // London landline
    ['+4915112345678', 'Europe/Berlin'], // German mobile
    ['+493012345678', 'Europe/Berlin'], // Berlin landline
    ['+33612345678', 'Europe/Paris'],
    ['+61412345678', 'Australia/Sydney'], // several zones: the most populous
    ['+5511987654321', 'America/Sao_Paulo'],
    ['+18765550123', 'America/Jamaica'], // a NANP country other than the US and Canada
  ])('%s is in %s by its country', (phoneNumber, timeZone) => {
    expect(zoneOf(phoneNumber)).toEqual({ timeZone, region: null, source: 'country' });
  });

  it('prefers the zone recorded on the contact, keeping the region of a Florida area code', () => {
    expect(zoneOf('+13055550123', 'America/Los_Angeles')).toEqual({
      timeZone: 'America/Los_Angeles',
      region: 'US-FL',
      source: 'contact',
    });
    expect(zoneOf('+447400123456', 'Asia/Tokyo')).toEqual({ timeZone: 'Asia/Tokyo', region: null, source: 'contact' });
    expect(zoneOf('12345', 'Europe/Berlin')).toEqual({ timeZone: 'Europe/Berlin', region: null, source: 'contact' });
  });

  it.each(['Mars/Olympus_Mons', 'EST5EDT6', '+05:00x', '', '   ', 'new york'])(
    'ignores an invalid contact zone %j and uses the number',
    (contactTimeZone) => {
      expect(zoneOf('+12125550123', contactTimeZone)).toEqual({
        timeZone: 'America/New_York',
        region: 'US-NY',
        source: 'area_code',
      });
    },
  );

  it.each([
    ['12345', 'a short code'],
    ['+18005550123', 'toll-free'],
    ['+18885550123', 'toll-free'],
    ['+15005550123', 'non-geographic personal number'],
    ['+80012345678', 'international freephone'],
    ['not a number', 'garbage'],
  ])('knows nothing of %s (%s)', (phoneNumber) => {
    expect(zoneOf(phoneNumber)).toBeNull();
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA zones and rejects the rest', () => {
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Europe/Kyiv')).toBe(true);
    expect(isValidTimeZone('Nowhere/Special')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('NANP area code table', () => {
  const table = nanpAreaCodes();

  it('lists only well-formed area codes, each with a zone Intl knows', () => {
    expect(table.size).toBeGreaterThan(420);
    for (const [code, { timeZone, region }] of table) {
      expect(code).toMatch(/^[2-9]\d\d$/);
      expect(code.slice(1)).not.toBe('11');
      expect(isValidTimeZone(timeZone), `${code} → ${timeZone}`).toBe(true);
      if (region !== null) expect(region).toMatch(/^(US|CA)-[A-Z]{2}$/);
    }
  });

  it('has no toll-free or other non-geographic codes', () => {
    for (const code of ['500', '521', '600', '622', '700', '800', '833', '844', '855', '866', '877', '888', '900']) {
      expect(nanpAreaCode(code), code).toBeUndefined();
    }
  });

  it('puts exactly the Florida and Oklahoma area codes in Florida and Oklahoma', () => {
    const inRegion = (region: string) =>
      [...table].filter(([, entry]) => entry.region === region).map(([code]) => code).sort();
    expect(inRegion('US-FL')).toEqual(
      '239 305 321 324 352 386 407 448 561 645 656 689 727 728 754 772 786 813 850 863 904 941 954'.split(' '),
    );
    expect(inRegion('US-OK')).toEqual(['405', '539', '572', '580', '918']);
  });

  it('covers every state, DC and the territories', () => {
    const regions = new Set([...table.values()].map((entry) => entry.region));
    const states =
      'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU MP AS';
    for (const state of states.split(' ')) expect(regions.has(`US-${state}`), state).toBe(true);
    for (const province of 'AB BC MB NB NL ON QC SK'.split(' ')) expect(regions.has(`CA-${province}`), province).toBe(true);
  });
});

describe('country zone table', () => {
  it('names zones Intl knows, and leaves out the US and Canada (their area codes decide)', () => {
    const table = countryTimeZones();
    expect(Object.keys(table).length).toBeGreaterThan(150);
    for (const [country, zone] of Object.entries(table)) {
      expect(country).toMatch(/^[A-Z]{2}$/);
      expect(isValidTimeZone(zone), `${country} → ${zone}`).toBe(true);
    }
    expect(table.US).toBeUndefined();
    expect(table.CA).toBeUndefined();
  });
});
