import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { nanpAreaCode } from './nanp-area-codes.js';

/** Where a recipient is presumed to be, for quiet hours. */
export interface RecipientZone {
  /** IANA time zone. */
  timeZone: string;
  /** ISO 3166-2 subdivision when known from a NANP area code, e.g. 'US-FL'. */
  region: string | null;
  source: 'contact' | 'area_code' | 'country';
  /**
   * Other zones the area code also covers (850: the Florida panhandle is Central, Tallahassee
   * Eastern). Quiet hours must hold in every one of them, since the number cannot say which.
   */
  otherTimeZones?: readonly string[];
}

/**
 * NANP area codes whose territory spans two or more zones: the zones besides the one
 * nanp-area-codes.ts gives (that of most of the population).
 */
const SPLIT_AREA_CODES: Readonly<Record<string, readonly string[]>> = {
  '850': ['America/New_York'], // Florida panhandle: Tallahassee is Eastern
  '448': ['America/New_York'],
  '270': ['America/New_York'], // western Kentucky
  '364': ['America/New_York'],
  '423': ['America/Chicago'], // east Tennessee
  '931': ['America/New_York'], // middle Tennessee
  '208': ['America/Los_Angeles'], // Idaho: the panhandle is Pacific
  '986': ['America/Los_Angeles'],
  '541': ['America/Boise'], // Oregon: Malheur County is Mountain
  '458': ['America/Boise'],
  '605': ['America/Denver'], // South Dakota west river
  '701': ['America/Denver'], // south-west North Dakota
  '308': ['America/Denver'], // western Nebraska panhandle
  '620': ['America/Denver'], // four western Kansas counties
  '785': ['America/Denver'],
  '812': ['America/Chicago'], // south-west Indiana
  '930': ['America/Chicago'],
  '906': ['America/Chicago'], // Michigan's Upper Peninsula border counties
  '928': ['America/Denver'], // Navajo Nation observes DST, the rest of Arizona does not
  '907': ['America/Adak'], // Aleutians
  '807': ['America/Winnipeg'], // north-western Ontario
  '867': ['America/Whitehorse', 'America/Iqaluit', 'America/Rankin_Inlet'], // the territories
};

/**
 * The recipient's presumed time zone: the zone the business recorded on the contact when it is a
 * valid IANA zone, else the number's NANP area code, else its country. Null when nothing is known
 * (a short code, a toll-free or non-geographic number, a country of several zones not listed).
 *
 * `region` comes from the area code even when the contact has its own zone: Florida's and
 * Oklahoma's rules presume the recipient is in the state from the area code alone, so a Florida
 * number keeps Florida's stricter window wherever its owner says they live.
 *
 * @param input.contactTimeZone an IANA zone the business recorded on the contact; an invalid one
 *   is ignored (it came from a person or an import, and the number still tells something).
 * @param input.phoneNumber E.164 (`+14155550123`).
 */
export function recipientZone(input: { contactTimeZone: string | null; phoneNumber: string }): RecipientZone | null {
  const number = input.phoneNumber.trim();
  const nanp = NANP_E164.exec(number);
  const areaCode = nanp?.[1] === undefined ? undefined : nanpAreaCode(nanp[1]);
  const region = areaCode?.region ?? null;

  const contactZone = input.contactTimeZone?.trim() ?? '';
  if (contactZone !== '' && isValidTimeZone(contactZone)) return { timeZone: contactZone, region, source: 'contact' };
  if (areaCode) {
    const others = SPLIT_AREA_CODES[nanp?.[1] ?? ''];
    return { timeZone: areaCode.timeZone, region, source: 'area_code', ...(others ? { otherTimeZones: others } : {}) };
  }

  const country = countryOf(number);
  const zone = country === undefined ? undefined : COUNTRY_ZONES[country];
  return zone === undefined ? null : { timeZone: zone, region: null, source: 'country' };
}

/** Whether Intl (full ICU in Node) knows the zone, e.g. 'America/New_York' or 'UTC'. */
export function isValidTimeZone(timeZone: string): boolean {
  const known = zoneValidity.get(timeZone);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    valid = true;
  } catch {
    valid = false;
  }
  // Contact zones come from people and imports; keep the memo bounded.
  if (zoneValidity.size >= ZONE_VALIDITY_LIMIT) zoneValidity.clear();
  zoneValidity.set(timeZone, valid);
  return valid;
}

const ZONE_VALIDITY_LIMIT = 2_000;
const zoneValidity = new Map<string, boolean>();

/** +1 followed by a ten-digit NANP number (area code [2-9]XX, exchange [2-9]XX). */
const NANP_E164 = /^\+1([2-9]\d\d)[2-9]\d{6}$/;

function countryOf(e164: string): string | undefined {
  if (!/^\+\d{6,15}$/.test(e164)) return undefined;
  let country = countries.get(e164);
  if (country === undefined) {
    // Parsing with the full metadata costs tens of microseconds; the same recipients come back.
    country = parsePhoneNumberFromString(e164)?.country ?? null;
    if (countries.size >= COUNTRY_CACHE_LIMIT) countries.clear();
    countries.set(e164, country);
  }
  return country ?? undefined;
}

const COUNTRY_CACHE_LIMIT = 20_000;
const countries = new Map<string, string | null>();

/**
 * Country → IANA zone, for numbers whose area code says nothing. Single-zone countries, and
 * countries of several zones where one holds most people (each noted). The US and Canada are not
 * here: their area codes are, and a US or Canadian number without a known area code (toll-free,
 * non-geographic) has no presumed zone — the caller falls back to the workspace's zone.
 */
const COUNTRY_ZONES: Readonly<Record<string, string>> = {
  // NANP members other than the US and Canada, and the US territories (also by area code).
  AG: 'America/Antigua',
  AI: 'America/Anguilla',
  AS: 'Pacific/Pago_Pago',
  BB: 'America/Barbados',
  BM: 'Atlantic/Bermuda',
  BS: 'America/Nassau',
  DM: 'America/Dominica',
  DO: 'America/Santo_Domingo',
  GD: 'America/Grenada',
  GU: 'Pacific/Guam',
  JM: 'America/Jamaica',
  KN: 'America/St_Kitts',
  KY: 'America/Cayman',
  LC: 'America/St_Lucia',
  MP: 'Pacific/Saipan',
  MS: 'America/Montserrat',
  PR: 'America/Puerto_Rico',
  SX: 'America/Lower_Princes',
  TC: 'America/Grand_Turk',
  TT: 'America/Port_of_Spain',
  VC: 'America/St_Vincent',
  VG: 'America/Tortola',
  VI: 'America/St_Thomas',
  // Europe
  AD: 'Europe/Andorra',
  AL: 'Europe/Tirane',
  AT: 'Europe/Vienna',
  AX: 'Europe/Mariehamn',
  BA: 'Europe/Sarajevo',
  BE: 'Europe/Brussels',
  BG: 'Europe/Sofia',
  BY: 'Europe/Minsk',
  CH: 'Europe/Zurich',
  CY: 'Asia/Nicosia',
  CZ: 'Europe/Prague',
  DE: 'Europe/Berlin',
  DK: 'Europe/Copenhagen',
  EE: 'Europe/Tallinn',
  ES: 'Europe/Madrid', // the Canary Islands (Atlantic/Canary, one hour behind) hold ~5%
  FI: 'Europe/Helsinki',
  FO: 'Atlantic/Faroe',
  FR: 'Europe/Paris', // metropolitan France; overseas departments have their own country codes
  GB: 'Europe/London',
  GG: 'Europe/Guernsey',
  GI: 'Europe/Gibraltar',
  GR: 'Europe/Athens',
  HR: 'Europe/Zagreb',
  HU: 'Europe/Budapest',
  IE: 'Europe/Dublin',
  IM: 'Europe/Isle_of_Man',
  IS: 'Atlantic/Reykjavik',
  IT: 'Europe/Rome',
  JE: 'Europe/Jersey',
  LI: 'Europe/Vaduz',
  LT: 'Europe/Vilnius',
  LU: 'Europe/Luxembourg',
  LV: 'Europe/Riga',
  MC: 'Europe/Monaco',
  MD: 'Europe/Chisinau',
  ME: 'Europe/Podgorica',
  MK: 'Europe/Skopje',
  MT: 'Europe/Malta',
  NL: 'Europe/Amsterdam',
  NO: 'Europe/Oslo',
  PL: 'Europe/Warsaw',
  PT: 'Europe/Lisbon', // the Azores (one hour behind) hold ~2%
  RO: 'Europe/Bucharest',
  RS: 'Europe/Belgrade',
  RU: 'Europe/Moscow', // eleven zones; Moscow time covers roughly 70% of Russians
  SE: 'Europe/Stockholm',
  SI: 'Europe/Ljubljana',
  SK: 'Europe/Bratislava',
  SM: 'Europe/San_Marino',
  TR: 'Europe/Istanbul',
  UA: 'Europe/Kyiv',
  VA: 'Europe/Vatican',
  XK: 'Europe/Belgrade',
  // Caucasus, Middle East, Central Asia
  AE: 'Asia/Dubai',
  AM: 'Asia/Yerevan',
  AZ: 'Asia/Baku',
  BH: 'Asia/Bahrain',
  GE: 'Asia/Tbilisi',
  IL: 'Asia/Jerusalem',
  IQ: 'Asia/Baghdad',
  IR: 'Asia/Tehran',
  JO: 'Asia/Amman',
  KG: 'Asia/Bishkek',
  KW: 'Asia/Kuwait',
  KZ: 'Asia/Almaty', // one zone (UTC+5) since March 2024; older tz data still has two
  LB: 'Asia/Beirut',
  OM: 'Asia/Muscat',
  PS: 'Asia/Hebron',
  QA: 'Asia/Qatar',
  SA: 'Asia/Riyadh',
  SY: 'Asia/Damascus',
  TJ: 'Asia/Dushanbe',
  TM: 'Asia/Ashgabat',
  UZ: 'Asia/Tashkent',
  YE: 'Asia/Aden',
  // South, East and Southeast Asia
  AF: 'Asia/Kabul',
  BD: 'Asia/Dhaka',
  BN: 'Asia/Brunei',
  BT: 'Asia/Thimphu',
  CN: 'Asia/Shanghai',
  HK: 'Asia/Hong_Kong',
  ID: 'Asia/Jakarta', // three zones; Western Indonesia (Java, Sumatra) holds ~80% of people
  IN: 'Asia/Kolkata',
  JP: 'Asia/Tokyo',
  KH: 'Asia/Phnom_Penh',
  KR: 'Asia/Seoul',
  LA: 'Asia/Vientiane',
  LK: 'Asia/Colombo',
  MM: 'Asia/Yangon',
  MN: 'Asia/Ulaanbaatar', // the far west (Hovd) is one hour behind
  MO: 'Asia/Macau',
  MV: 'Indian/Maldives',
  MY: 'Asia/Kuala_Lumpur',
  NP: 'Asia/Kathmandu',
  PH: 'Asia/Manila',
  PK: 'Asia/Karachi',
  SG: 'Asia/Singapore',
  TH: 'Asia/Bangkok',
  TL: 'Asia/Dili',
  TW: 'Asia/Taipei',
  VN: 'Asia/Ho_Chi_Minh',
  // Oceania
  AU: 'Australia/Sydney', // five zones; NSW, Victoria, ACT and Tasmania (Sydney's rules) hold ~60%
  FJ: 'Pacific/Fiji',
  NZ: 'Pacific/Auckland', // the Chatham Islands (+45 min) hold a few hundred people
  PG: 'Pacific/Port_Moresby',
  TO: 'Pacific/Tongatapu',
  WS: 'Pacific/Apia',
  // Africa
  AO: 'Africa/Luanda',
  BF: 'Africa/Ouagadougou',
  BI: 'Africa/Bujumbura',
  BJ: 'Africa/Porto-Novo',
  BW: 'Africa/Gaborone',
  CD: 'Africa/Lubumbashi', // two zones; Central Africa Time (the east and south) holds the majority, Kinshasa is one hour behind
  CF: 'Africa/Bangui',
  CG: 'Africa/Brazzaville',
  CI: 'Africa/Abidjan',
  CM: 'Africa/Douala',
  CV: 'Atlantic/Cape_Verde',
  DJ: 'Africa/Djibouti',
  DZ: 'Africa/Algiers',
  EG: 'Africa/Cairo',
  ER: 'Africa/Asmara',
  ET: 'Africa/Addis_Ababa',
  GA: 'Africa/Libreville',
  GH: 'Africa/Accra',
  GM: 'Africa/Banjul',
  GN: 'Africa/Conakry',
  GQ: 'Africa/Malabo',
  GW: 'Africa/Bissau',
  KE: 'Africa/Nairobi',
  KM: 'Indian/Comoro',
  LR: 'Africa/Monrovia',
  LS: 'Africa/Maseru',
  LY: 'Africa/Tripoli',
  MA: 'Africa/Casablanca',
  MG: 'Indian/Antananarivo',
  ML: 'Africa/Bamako',
  MR: 'Africa/Nouakchott',
  MU: 'Indian/Mauritius',
  MW: 'Africa/Blantyre',
  MZ: 'Africa/Maputo',
  NA: 'Africa/Windhoek',
  NE: 'Africa/Niamey',
  NG: 'Africa/Lagos',
  RE: 'Indian/Reunion',
  RW: 'Africa/Kigali',
  SC: 'Indian/Mahe',
  SD: 'Africa/Khartoum',
  SL: 'Africa/Freetown',
  SN: 'Africa/Dakar',
  SO: 'Africa/Mogadishu',
  SS: 'Africa/Juba',
  ST: 'Africa/Sao_Tome',
  SZ: 'Africa/Mbabane',
  TD: 'Africa/Ndjamena',
  TG: 'Africa/Lome',
  TN: 'Africa/Tunis',
  TZ: 'Africa/Dar_es_Salaam',
  UG: 'Africa/Kampala',
  ZA: 'Africa/Johannesburg',
  ZM: 'Africa/Lusaka',
  ZW: 'Africa/Harare',
  // Latin America (outside the NANP)
  AR: 'America/Argentina/Buenos_Aires',
  AW: 'America/Aruba',
  BO: 'America/La_Paz',
  BR: 'America/Sao_Paulo', // four zones; Brasília time covers ~90% of Brazilians
  BZ: 'America/Belize',
  CL: 'America/Santiago', // Magallanes and Easter Island differ: a few hundred thousand people
  CO: 'America/Bogota',
  CR: 'America/Costa_Rica',
  CU: 'America/Havana',
  CW: 'America/Curacao',
  EC: 'America/Guayaquil', // the Galápagos are one hour behind
  GF: 'America/Cayenne',
  GL: 'America/Nuuk', // Nuuk and the west coast; Ittoqqortoormiit and Danmarkshavn differ
  GP: 'America/Guadeloupe',
  GT: 'America/Guatemala',
  GY: 'America/Guyana',
  HN: 'America/Tegucigalpa',
  HT: 'America/Port-au-Prince',
  MQ: 'America/Martinique',
  MX: 'America/Mexico_City', // four zones; Central time (no DST since 2022) covers ~75% of Mexicans
  NI: 'America/Managua',
  PA: 'America/Panama',
  PE: 'America/Lima',
  PY: 'America/Asuncion',
  SR: 'America/Paramaribo',
  SV: 'America/El_Salvador',
  UY: 'America/Montevideo',
  VE: 'America/Caracas',
};

/** The country → zone table, for tests and tooling. */
export function countryTimeZones(): Readonly<Record<string, string>> {
  return COUNTRY_ZONES;
}
