/**
 * Geographic area codes of the North American Numbering Plan in the United States (with its
 * territories) and Canada: the ISO 3166-2 subdivision each serves and the IANA time zone of
 * most of its people.
 *
 * Quiet hours only need "where is this customer presumed to be", and the law that asks for it
 * (Florida's and Oklahoma's telephone solicitation acts) presumes by area code, so an area code
 * is the right grain even though numbers are portable and mobile users move.
 *
 * Where an area code spans two time zones the zone covering most of its population is given, and
 * a comment says so. An area code that serves more than one state or province has region null.
 * Non-geographic codes (toll-free 8XX, 5XX personal, 600/622 Canadian, 900) are deliberately
 * absent: nothing about their holder's location is known. The other NANP countries (Jamaica, the
 * Bahamas, the Dominican Republic, …) are found through their country instead.
 *
 * Sources: state and provincial numbering plans as of early 2026, including overlays announced
 * and in service by then (e.g. 457 LA and 729 TN in 2025, 471 MS and 483 AL in 2026). Indiana and
 * Kentucky's own IANA zones are used where they are the local one; today they follow the same
 * rules as America/New_York.
 */

export interface NanpAreaCode {
  /** ISO 3166-2 code, e.g. 'US-FL' or 'CA-ON'; null when the area code serves several. */
  region: string | null;
  /** IANA time zone. */
  timeZone: string;
}

/** [region, IANA zone, area codes] — one row per region and zone. */
type Row = readonly [region: string | null, timeZone: string, areaCodes: string];

const EASTERN = 'America/New_York';
const CENTRAL = 'America/Chicago';
const MOUNTAIN = 'America/Denver';
const PACIFIC = 'America/Los_Angeles';

const ROWS: readonly Row[] = [
  // ---- United States ----
  ['US-AL', CENTRAL, '205 251 256 334 483 659 938'],
  ['US-AK', 'America/Anchorage', '907'], // the Aleutians west of 169°30′W are on Adak time: a few thousand people
  ['US-AZ', 'America/Phoenix', '480 520 602 623 928'], // no DST (the Navajo Nation keeps DST: small share of 928)
  ['US-AR', CENTRAL, '327 479 501 870'],
  [
    'US-CA',
    PACIFIC,
    '209 213 279 310 323 341 350 357 369 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 707 714 738 747 760 805 818 820 831 840 858 909 916 925 949 951',
  ],
  ['US-CO', MOUNTAIN, '303 719 720 748 970 983'],
  ['US-CT', EASTERN, '203 475 860 959'],
  ['US-DE', EASTERN, '302'],
  ['US-DC', EASTERN, '202 771'],
  ['US-FL', EASTERN, '239 305 321 324 352 386 407 561 645 656 689 727 728 754 772 786 813 863 904 941 954'],
  // 850/448 (the Panhandle): Pensacola, Fort Walton Beach and Panama City are Central, Tallahassee
  // and the Big Bend Eastern; the Central counties hold roughly two thirds of the people.
  ['US-FL', CENTRAL, '448 850'],
  ['US-GA', EASTERN, '229 404 470 478 678 706 762 770 912 943'],
  ['US-HI', 'Pacific/Honolulu', '808'],
  // Southern Idaho (Boise, Idaho Falls) is Mountain; the northern panhandle is Pacific.
  ['US-ID', 'America/Boise', '208 986'],
  ['US-IL', CENTRAL, '217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 861 872'],
  // 812/930: Evansville's corner is Central, the rest of southern Indiana Eastern.
  ['US-IN', 'America/Indiana/Indianapolis', '260 317 463 574 765 812 930'],
  ['US-IN', CENTRAL, '219'], // Gary and the Chicago suburbs of northwest Indiana
  ['US-IA', CENTRAL, '319 515 563 641 712'],
  ['US-KS', CENTRAL, '316 620 785 913'], // four western border counties are Mountain
  // 270/364: Bowling Green, Owensboro, Paducah and Hopkinsville are Central; Elizabethtown Eastern.
  ['US-KY', CENTRAL, '270 364'],
  ['US-KY', 'America/Kentucky/Louisville', '502'],
  ['US-KY', EASTERN, '606 859'],
  ['US-LA', CENTRAL, '225 318 337 457 504 985'],
  ['US-ME', EASTERN, '207'],
  ['US-MD', EASTERN, '227 240 301 410 443 667'],
  ['US-MA', EASTERN, '339 351 413 508 617 774 781 857 978'],
  // 906 (Upper Peninsula): four counties on the Wisconsin border are Central, the rest Eastern.
  ['US-MI', 'America/Detroit', '231 248 269 313 517 586 616 679 734 810 906 947 989'],
  ['US-MN', CENTRAL, '218 320 507 612 651 763 924 952'],
  ['US-MS', CENTRAL, '228 471 601 662 769'],
  ['US-MO', CENTRAL, '235 314 417 557 573 636 660 816 975'],
  ['US-MT', MOUNTAIN, '406'],
  ['US-NE', CENTRAL, '308 402 531'], // 308: the Panhandle (Scottsbluff) is Mountain, Grand Island–Kearney–North Platte Central
  ['US-NV', PACIFIC, '702 725 775'],
  ['US-NH', EASTERN, '603'],
  ['US-NJ', EASTERN, '201 551 609 640 732 848 856 862 908 973'],
  ['US-NM', MOUNTAIN, '505 575'],
  ['US-NY', EASTERN, '212 315 329 332 347 363 516 518 585 607 624 631 646 680 716 718 838 845 914 917 929 934'],
  ['US-NC', EASTERN, '252 336 472 704 743 828 910 919 980 984'],
  ['US-ND', CENTRAL, '701'], // the southwest (Dickinson, Williston's south) is Mountain; Fargo, Bismarck Central
  ['US-OH', EASTERN, '216 220 234 283 326 330 380 419 436 440 513 567 614 740 937'],
  ['US-OK', CENTRAL, '405 539 572 580 918'],
  ['US-OR', PACIFIC, '458 503 541 971'], // most of Malheur County (541) is Mountain
  ['US-PA', EASTERN, '215 223 267 272 412 445 484 570 582 610 717 724 814 835 878'],
  ['US-RI', EASTERN, '401'],
  ['US-SC', EASTERN, '803 821 839 843 854 864'],
  ['US-SD', CENTRAL, '605'], // West River (Rapid City) is Mountain; Sioux Falls and the east Central
  ['US-TN', EASTERN, '423 729 865'], // East Tennessee: Knoxville, Chattanooga, the Tri-Cities
  ['US-TN', CENTRAL, '615 629 731 901 931'],
  [
    'US-TX',
    CENTRAL,
    '210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 936 940 945 956 972 979',
  ],
  ['US-TX', MOUNTAIN, '915'], // El Paso and Hudspeth counties; 432 (Midland–Odessa) is Central
  ['US-UT', MOUNTAIN, '385 435 801'],
  ['US-VT', EASTERN, '802'],
  ['US-VA', EASTERN, '276 434 540 571 686 703 757 804 826 948'],
  ['US-WA', PACIFIC, '206 253 360 425 509 564'],
  ['US-WV', EASTERN, '304 681'],
  ['US-WI', CENTRAL, '262 274 353 414 534 608 715 920'],
  ['US-WY', MOUNTAIN, '307'],
  // ---- US territories in the NANP ----
  ['US-PR', 'America/Puerto_Rico', '787 939'],
  ['US-VI', 'America/St_Thomas', '340'],
  ['US-GU', 'Pacific/Guam', '671'],
  ['US-MP', 'Pacific/Saipan', '670'],
  ['US-AS', 'Pacific/Pago_Pago', '684'],
  // ---- Canada ----
  ['CA-AB', 'America/Edmonton', '368 403 587 780 825'],
  // 250/236/257/672/778: the East Kootenays (Cranbrook) are Mountain and the Peace River country
  // keeps Mountain Standard all year; the Lower Mainland, Island and Interior are Pacific.
  ['CA-BC', 'America/Vancouver', '236 250 257 604 672 778'],
  ['CA-MB', 'America/Winnipeg', '204 431 584'],
  ['CA-NB', 'America/Moncton', '428 506'],
  ['CA-NL', 'America/St_Johns', '709 879'], // most of Labrador is on Atlantic time
  ['CA-ON', 'America/Toronto', '226 249 289 343 365 382 416 437 519 548 613 647 683 705 742 753 807 905 942'], // 807: Kenora's west is Central
  ['CA-QC', 'America/Toronto', '263 354 367 418 438 450 468 514 579 581 819 873'], // the Magdalen Islands are Atlantic
  ['CA-SK', 'America/Regina', '306 474 639'], // Central Standard all year (Lloydminster follows Alberta)
  // 902/782 serve both Nova Scotia and Prince Edward Island, both on Atlantic time.
  [null, 'America/Halifax', '782 902'],
  // 867 serves Yukon (Mountain Standard all year), the Northwest Territories (Mountain) and Nunavut
  // (Mountain to Eastern): Mountain time with DST is right for most of its people most of the year.
  [null, 'America/Edmonton', '867'],
  // 273: a 2025 Canadian relief code for Ontario or Quebec (both America/Toronto); which complex
  // it overlays was not confirmed when this table was written, so no region is claimed.
  [null, 'America/Toronto', '273'],
];

const BY_CODE: ReadonlyMap<string, NanpAreaCode> = buildIndex(ROWS);

function buildIndex(rows: readonly Row[]): Map<string, NanpAreaCode> {
  const index = new Map<string, NanpAreaCode>();
  for (const [region, timeZone, codes] of rows) {
    for (const code of codes.split(' ')) {
      if (index.has(code)) throw new Error(`area code ${code} is listed twice`);
      index.set(code, Object.freeze({ region, timeZone }));
    }
  }
  return index;
}

/** The region and zone of a geographic US or Canadian area code ('415'), or undefined. */
export function nanpAreaCode(areaCode: string): NanpAreaCode | undefined {
  return BY_CODE.get(areaCode);
}

/** Every listed area code, for tests and tooling. */
export function nanpAreaCodes(): ReadonlyMap<string, NanpAreaCode> {
  return BY_CODE;
}
