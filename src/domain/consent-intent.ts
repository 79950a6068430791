/**
 * Consent intent in an inbound reply: does this text revoke consent (and how surely),
 * ask to opt back in, or ask for help? Supersedes the exact-keyword `classifyKeyword`:
 * since the FCC's revocation rule (in force April 11, 2025) a revocation may come in any
 * reasonable words, so "please stop texting me" must count, while "can you stop by
 * tomorrow?" must not. The rules are written out for people in docs/opt-out-rules.md;
 * the table of real-world replies that pins them is consent-intent.cases.ts.
 *
 * The cost of the two mistakes is not the same, and the design follows from that:
 * - a missed clear revocation is a legal exposure, so every clear form is `high`;
 * - a false opt-out silently loses texts the customer wanted, so anything a reasonable
 *   reader could take either way is `ambiguous`: the app flags the conversation for a
 *   person and holds marketing to the contact until someone resolves it.
 *
 * Pure and allocation-light: it runs on every inbound message, so every pattern and word
 * list is built once at module load.
 */

export type ConsentConfidence = 'high' | 'ambiguous';
export type ConsentIntent =
  | { action: 'opt_out'; scope: 'all' | 'default'; confidence: ConsentConfidence; rule: string; language: 'en' | 'es'; matched: string }
  | { action: 'opt_in'; rule: string; matched: string }
  | { action: 'help'; rule: string; matched: string };

type Language = 'en' | 'es';
type OptOut = Extract<ConsentIntent, { action: 'opt_out' }>;

// ---------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------

const words = (list: string): ReadonlySet<string> => new Set(list.trim().split(/\s+/));

/**
 * A regular expression written over several lines, for the long alternations below: each
 * line break and the indentation after it are dropped, so lines break only before a `|`.
 */
const rx = (flags: string, source: string): RegExp => new RegExp(source.replace(/\n\s*/g, ''), flags);

/**
 * Politeness, urgency and greeting words that do not change what a keyword means:
 * "stop please", "ugh stop", "STOP NOW", "hola, baja por favor".
 */
const FILLERS_EN = words(`
  please pls plz plx plse plez pleas plis pleez ughh thanks thankyou thank thx thnx thnks tks ty tysm tyvm
  now rightnow immediately asap already just ok okay k kk ugh omg god gosh jeez geez seriously srsly fr
  sir maam again sorry hi hello hey yo forever permanently guys yall folks man dude bro wtf ffs damn dammit
`);
const FILLERS_ES = words(`
  porfavor porfa porfis xfa xfavor pf favor gracias grax ya ahora inmediatamente hola senor senora senorita
  disculpe perdon oiga oye
`);
/** Laughter turns a keyword into banter that a person should read ("omg stop 😂"). */
const LAUGH_TOKEN = /^(?:(?:ha){2,}h?|(?:he){2,}|(?:ja){2,}j?|(?:je){2,}|lol[sz]?|lmf?ao|rofl|jk|xd)$/;
const LAUGH_EMOJI = /[\u{1F602}\u{1F923}\u{1F606}\u{1F639}]/u;
/**
 * Delight around a bare "Stop!" makes it an exclamation ("Stop!!! That's the best news
 * ever"), not a request; it never softens a revocation said in words.
 */
const DELIGHT_WORDS = words(`love loved amazing awesome great best wonderful fantastic incredible kind sweet blush blushing cute
  funny hilarious wow yay excited exciting unbelievable nice perfect beautiful gorgeous congrats congratulations`);
const DELIGHT_EMOJI = rx('u', String.raw`[\u{1F60A}\u{1F60D}\u{1F970}\u{2764}\u{1F618}\u{1F929}\u{1F973}\u{1F389}\u{1F44F}\u{1F495}\u{1F496}\u{1F97A}\u{263A}]`);

interface KeywordEntry {
  readonly action: 'opt_out' | 'opt_in' | 'opt_in_if_opted_out' | 'help';
  readonly language: Language;
  readonly scope: 'all' | 'default';
  /**
   * high: alone or with courtesy words. with_courtesy: ambiguous alone, high with a
   * courtesy word ("para" is also the preposition "for"; "para ya" is not). ambiguous:
   * always for a person.
   */
  readonly strength: 'high' | 'with_courtesy' | 'ambiguous';
}

/** Whole-message keyword phrases, after courtesy words are set aside. */
const KEYWORDS = new Map<string, KeywordEntry>();
function define(
  action: KeywordEntry['action'],
  language: Language,
  strength: KeywordEntry['strength'],
  scope: KeywordEntry['scope'],
  phrases: string,
): void {
  for (const phrase of phrases.split('|')) KEYWORDS.set(phrase.trim(), { action, language, strength, scope });
}
// The FCC's per-se words ("stop", "quit", "end", "revoke", "opt out", "cancel",
// "unsubscribe") and the carriers' usual set (STOPALL, OPTOUT, REMOVE).
define('opt_out', 'en', 'high', 'default', `stop|unsubscribe|unsub|unsubscribe me|cancel|end|quit|revoke|revoke consent
  |optout|opt out|opt me out|remove|remove me|stop it|stopit|quit it|stop this|stop that|stop them|stop these`);
define('opt_out', 'en', 'high', 'all', `stopall|stop all|stop everything|unsubscribe all|unsubscribe me from all
  |unsubscribe from all|unsubscribe everything|unsubscribe me from everything|unsubscribe from everything
  |cancel all|end all|quit all|optout all|opt out all|opt out of all|opt out of everything|remove me from all
  |remove me from everything`);
define('opt_out', 'en', 'ambiguous', 'default', `enough|thats enough|enough is enough|no more|never`);
define('opt_out', 'en', 'high', 'default', `no texting|no more texting|no texts|no messages`);
define('opt_out', 'es', 'high', 'default', `baja|de baja|dar de baja|darme de baja|dame de baja|deme de baja|denme de baja
  |me doy de baja|alto|cancelar|parar|paren|pare|detener|detengan|detente|detenganse|desuscribir|desuscribirme|desuscribanme
  |cancelar suscripcion|cancelar subscripcion|anular suscripcion`);
define('opt_out', 'es', 'high', 'all', `baja todo|baja de todo|darme de baja de todo|alto todo|cancelar todo|parar todo`);
define('opt_out', 'es', 'with_courtesy', 'default', `para`);
define('opt_out', 'es', 'ambiguous', 'default', `no mas|basta|no quiero|nunca|nunca mas|cancela|cancelen`);
define('opt_in', 'en', 'high', 'default', `start|unstop`);
define('opt_in_if_opted_out', 'en', 'high', 'default', `yes`);
define('opt_in_if_opted_out', 'es', 'high', 'default', `si`);
define('help', 'en', 'high', 'default', `help|info|help me`);
define('help', 'es', 'high', 'default', `ayuda|informacion`);

/** Common slips of the thumb for STOP; "stopp" is probably STOP, but a person should look. */
const STOP_TYPOS = words(`stopp stpo sotp st0p stpp stahp`);
const STOP_ENTRY: KeywordEntry = { action: 'opt_out', language: 'en', strength: 'high', scope: 'default' };

/**
 * Every opt-out keyword phrase holds at least one of these words: a clause without any is
 * not a keyword, and most clauses are turned away with one set lookup per word.
 */
const KEYWORD_WORDS: ReadonlySet<string> = (() => {
  const common = words(`me no de all of from it this that them these is thats everything todo su`);
  const set = new Set<string>();
  for (const [phrase, entry] of KEYWORDS) {
    if (entry.action !== 'opt_out') continue;
    for (const word of phrase.split(' ')) if (!common.has(word)) set.add(word);
  }
  return set;
})();
const hasKeywordWord = (tokens: readonly string[]): boolean => tokens.some((t) => KEYWORD_WORDS.has(t) || STOP_TYPOS.has(t));

/** Single opt-out words that may be repeated or combined: "stop stop stop", "STOP UNSUBSCRIBE". */
const REPEATABLE = words(`stop stopall unsubscribe unsub cancel end quit revoke optout remove baja alto cancelar parar`);

/** Whole clauses that back up a keyword next to them: "Who is this? STOP", "No. Stop." */
const SUPPORT_CLAUSES: ReadonlySet<string> = new Set(
  `who is this|who dis|who this|whos this|who is that|who are you|who r u|who are u|who is dis|i dont know you
  |dont know you|i dont know who this is|idk who this is|i told you|i already told you|told you|im done|i said
  |no thanks|no thankyou|nope|no|nah|for real|what is this|whats this|who is texting me
  |quien es|quien eres|quien habla|no te conozco|no lo conozco|no la conozco|no gracias|que es esto
  |have a nice day|have a good day|have a great day|have a nice one|have a good one|have a great one
  |have a good night|have a nice evening|have a good evening|have a nice weekend|have a good weekend
  |kind regards|best regards|warm regards|regards|best|thanks|thankyou|thx|ty|cheers|sincerely|take care
  |bye|goodbye|gracias|saludos|que tenga buen dia|buen dia|buenas noches`
    .split('|')
    .map((s) => s.trim()),
);

/** Words that cannot be a signature name: a trailing "Stop" line is the message, not a name. */
const NOT_A_NAME = words(`
  stop stopall unsubscribe unsub cancel end quit revoke optout opt out remove start unstop yes no help info
  baja alto para parar cancelar ayuda si me my i you your it this that the a an is to for of and or not please
  now texting text texts message messages me us list number all everything again sent sign light lights loss here
  there by monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight
`);

// ---------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------

const TRAILING_DECORATION = /[\s\p{P}\p{S}\p{Cf}\p{M}]+$/u;
/** "Sent from my iPhone", "Get Outlook for Android", "Enviado desde mi iPhone", last on the message. */
const DEVICE_SIGNATURE = rx('i', String.raw`(?:^|[\s\-–—~])(?:sent (?:from|via|with|using|by) (?:my |the 
  |a )?|get outlook for |enviado (?:desde|con|por) (?:mi |el )?)(?:iphone|ipad|android|samsung|galaxy
  |phone|mobile|smartphone|blackberry|pixel|verizon|t-mobile|tmobile|sprint|at&t|att|motorola|moto|lg|htc
  |huawei|xiaomi|oneplus|nokia|device|cell|cellphone|celular|tablet|yahoo|outlook|mail|gmail|aol|windows
  |ios|tel[eé]fono|m[oó]vil)\b[^\n]{0,40}\s*$`);
/** A "-- " line and everything after it. */
const SEPARATOR_SIGNATURE = /\n[ \t]*-{2,}[ \t]*(?:\n[\s\S]*)?$/;
const NAME = String.raw`(\p{L}[\p{L}'’.]*(?:[ \t]+\p{L}[\p{L}'’.]*){0,2})`;
/** "STOP - Maria", "stop\n~ J. Smith". */
const DASH_NAME = new RegExp(String.raw`(?:^|[ \t\n])[-–—~]+[ \t]*${NAME}$`, 'u');
/** "Stop. Thanks, Maria": the courtesy word stays, the name goes. */
const COURTESY_NAME = rx('iu', String.raw`(?:^|[\s,.!;])(?:thanks|thank you|thx|regards|best regards
  |best|cheers|gracias|saludos|atentamente|sincerely|love|bendiciones
  |atte)[ \t]*[,.!]*[ \t\n]*[-–—~]?[ \t]*${NAME}$`);
/** A keyword then a capitalised name and nothing else: "STOP Maria", "Unsubscribe John Smith". */
const KEYWORD_THEN_NAME = /^[\s\p{P}\p{S}]*([A-Za-z]+)[\s,]+(\p{Lu}\p{Ll}+(?:[ \t]+\p{Lu}\p{Ll}*\.?)?)$/u;
const KEYWORDS_BEFORE_A_NAME = words(`stop stopall unsubscribe optout baja alto unstop`);
/** A capitalised name alone on the last line: "STOP\nMaria". */
const NAME_LINE = new RegExp(String.raw`\n[ \t]*${NAME}$`, 'u');

const WRONG_HASH = /\bwrong\s*#/gi;
const ELONGATION = /(\p{L})\1{2,}/gu; // "stooop", "pleeease"
const APOSTROPHES = /['‘’ʼ`´]/g; // "don’t" → "dont"
const MARKS = /\p{M}+/gu;
const CLAUSE_BREAK = /[.!?;,:\n\r…¡¿()[\]{}|]+|\s[-–—~]+\s|[-–—]{2,}/u;
const NON_WORD = /[^\p{L}\p{N}]+/gu;
const CONTRACTIONS = new Map([
  ['thank you', 'thankyou'], ['thank u', 'thankyou'], ['thank ya', 'thankyou'], ['thanks you', 'thankyou'],
  ['por favor', 'porfavor'], ['x favor', 'porfavor'], ['right now', 'rightnow'], ['do not', 'dont'],
  ['don t', 'dont'], ['dnt', 'dont'], ['can not', 'cannot'], ['will not', 'wont'], ['did not', 'didnt'],
  ['does not', 'doesnt'], ['should not', 'shouldnt'], ['would not', 'wouldnt'], ['could not', 'couldnt'],
  ['i am', 'im'], ['any more', 'anymore'], ['un subscribe', 'unsubscribe'], ['opt in', 'optin'],
]);
const CONTRACTION = new RegExp(String.raw`\b(?:${[...CONTRACTIONS.keys()].join('|')})\b`, 'g');

interface Reply {
  /** Clauses (split at sentence punctuation), each as lowercase, accent-free words joined by one space. */
  readonly clauses: readonly string[];
  /** Every word of the message, in order. */
  readonly tokens: readonly string[];
  readonly signature: boolean;
  readonly laughing: boolean;
  readonly delighted: boolean;
}

function looksLikeName(candidate: string, capitalised: boolean): boolean {
  if (capitalised) {
    const first = candidate.charAt(0);
    if (first === first.toLowerCase()) return false;
  }
  for (const word of candidate.toLowerCase().split(/[\s.]+/)) {
    const plain = word.replace(APOSTROPHES, '');
    if (plain !== '' && (NOT_A_NAME.has(plain) || isFiller(plain))) return false;
  }
  return true;
}

/** Removes a trailing signature; returns the text unchanged when there is none. */
function stripSignature(text: string): string {
  let s = text.replace(DEVICE_SIGNATURE, '').replace(SEPARATOR_SIGNATURE, '').replace(TRAILING_DECORATION, '');
  let m = DASH_NAME.exec(s);
  if (m && m.index > 0 && m[1] !== undefined && looksLikeName(m[1], false)) {
    s = s.slice(0, m.index).replace(TRAILING_DECORATION, '');
  }
  m = COURTESY_NAME.exec(s);
  if (m && m[1] !== undefined && looksLikeName(m[1], true)) {
    s = s.slice(0, s.length - m[1].length).replace(TRAILING_DECORATION, '');
  }
  m = KEYWORD_THEN_NAME.exec(s);
  if (m && m[2] !== undefined && KEYWORDS_BEFORE_A_NAME.has(m[1]?.toLowerCase() ?? '') && looksLikeName(m[2], true)) {
    s = s.slice(0, s.length - m[2].length).replace(TRAILING_DECORATION, '');
  }
  m = NAME_LINE.exec(s);
  if (m && m.index > 0 && m[1] !== undefined && looksLikeName(m[1], true)) {
    s = s.slice(0, m.index).replace(TRAILING_DECORATION, '');
  }
  return s;
}

function readReply(body: string): Reply {
  const text = body.normalize('NFKC').replace(WRONG_HASH, 'wrong number').replace(TRAILING_DECORATION, '');
  const stripped = stripSignature(text);
  const plain = stripped
    .toLowerCase()
    .normalize('NFD')
    .replace(MARKS, '')
    .replace(APOSTROPHES, '')
    .replace(ELONGATION, '$1');
  const clauses: string[] = [];
  const tokens: string[] = [];
  let laughing = LAUGH_EMOJI.test(body);
  let delighted = DELIGHT_EMOJI.test(body);
  for (const part of plain.split(CLAUSE_BREAK)) {
    const clause = part
      .replace(NON_WORD, ' ')
      .trim()
      .replace(CONTRACTION, (c) => CONTRACTIONS.get(c) ?? c);
    if (clause === '') continue;
    clauses.push(clause);
    for (const token of clause.split(' ')) {
      tokens.push(token);
      if (LAUGH_TOKEN.test(token)) laughing = true;
      if (DELIGHT_WORDS.has(token)) delighted = true;
    }
  }
  return { clauses, tokens, signature: stripped !== text, laughing, delighted };
}

const SPANISH_HINTS = words(`el la los las un una es esto este esta de del que por para con mi su sus te ya gracias hola
  quien numero mensajes favor porfavor muy pero y o si hablo ingles espanol`);
const ENGLISH_HINTS = words(`the a an is this that of to for with my your you please thanks hi who number messages it and or
  but i im`);
/** For rules whose words are the same in both languages ("STOP", "spam"): which language is around them? */
function languageOf(tokens: readonly string[]): Language {
  let balance = 0;
  for (const t of tokens) {
    if (SPANISH_HINTS.has(t)) balance++;
    if (ENGLISH_HINTS.has(t)) balance--;
  }
  return balance > 0 ? 'es' : 'en';
}

const isFiller = (token: string): boolean => FILLERS_EN.has(token) || FILLERS_ES.has(token);

// ---------------------------------------------------------------------------
// Rule 1: the whole message is a keyword (with courtesy words or a signature)
// ---------------------------------------------------------------------------

interface KeywordHit {
  readonly entry: KeywordEntry;
  readonly courtesy: boolean;
  readonly spanishCourtesy: boolean;
  readonly laughing: boolean;
  readonly repeated: boolean;
  readonly variant: 'exact' | 'spelled_out' | 'misspelled';
}

const UNSUBSCRIBE_ENTRY: KeywordEntry = { action: 'opt_out', language: 'en', strength: 'high', scope: 'default' };

/** Levenshtein distance, bounded: only called on a handful of short words. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** "unsubcribe", "unsuscribe": no other word is that close, so a typo means the same. */
const isUnsubscribeTypo = (word: string): boolean =>
  word.length >= 8 && word.length <= 13 && word.startsWith('un') && !/(?:ed|ing|es|er)$/.test(word) &&
  editDistance(word, 'unsubscribe') <= 2;

/** Reads a run of words as a keyword phrase, setting courtesy and laughter words aside. */
function keywordOf(tokens: readonly string[], agreed = false): KeywordHit | null {
  if (tokens.length > 20) return null; // a keyword with its courtesy words is short
  const kept: string[] = [];
  let courtesy = agreed;
  let spanishCourtesy = false;
  let laughing = false;
  for (const token of tokens) {
    if (isFiller(token)) {
      courtesy = true;
      if (FILLERS_ES.has(token)) spanishCourtesy = true;
    } else if (LAUGH_TOKEN.test(token)) {
      laughing = true;
    } else {
      kept.push(token);
    }
  }
  if (kept.length === 0) return null;
  const base = { courtesy, spanishCourtesy, laughing, repeated: false };
  const phrase = kept.join(' ');
  const entry = KEYWORDS.get(phrase);
  if (entry) return { ...base, entry, variant: 'exact' };
  if (kept.length > 1 && (kept.includes('yes') || kept.includes('si'))) {
    // "Yes, stop": the yes agrees with the keyword that follows.
    const rest = kept.filter((t) => t !== 'yes' && t !== 'si');
    if (rest.length > 0) return keywordOf(rest.concat(tokens.filter(isFiller)), true);
  }
  const repeatable = (t: string): boolean => REPEATABLE.has(t) || t === 'help' || t === 'info';
  if (kept.length > 1 && kept.every(repeatable) && kept.some((t) => REPEATABLE.has(t))) {
    const all = kept.includes('stopall');
    const spanish = kept.every((t) => KEYWORDS.get(t)?.language === 'es');
    return {
      ...base,
      repeated: true,
      variant: 'exact',
      entry: { action: 'opt_out', language: spanish ? 'es' : 'en', strength: 'high', scope: all ? 'all' : 'default' },
    };
  }
  if (kept.length >= 3 && kept.every((t) => t.length === 1)) {
    const spelled = KEYWORDS.get(kept.join(''));
    if (spelled) return { ...base, entry: spelled, variant: 'spelled_out' };
  }
  if (kept.length === 1 && STOP_TYPOS.has(phrase)) return { ...base, entry: STOP_ENTRY, variant: 'misspelled' };
  if (kept.length === 1 && isUnsubscribeTypo(phrase)) return { ...base, entry: UNSUBSCRIBE_ENTRY, variant: 'misspelled' };
  return null;
}

// ---------------------------------------------------------------------------
// Rule 2: revocation in plain words
// ---------------------------------------------------------------------------

const alt = (list: string): string => list.trim().split(/\s*\|\s*/).join('|');

/** Verbs of texting and contacting, -ing form ("stop texting me"). */
const V_ING = alt(`texting|txting|texing|textin|texting me|messaging|msging|messeging|sending|contacting|spamming
  |bothering|harassing|harrassing|pinging|hitting me up|blowing up my phone|blowing me up|calling|emailing|mailing|ringing`);
/** Verbs of texting and contacting, base form ("don't text me"). */
const V_BASE = alt(`text|txt|tx|message|msg|messege|send|contact|spam|bother|harass|harrass|ping|sms|hit me up
  |reach out to|call|email|mail|ring|phone`);
/** What a business sends by text. Plural only where the singular is an ordinary object ("I don't want the offer"). */
const MSG_NOUN = alt(`texts|text messages|text|txts|txt|messages|message|msgs|msg|sms|smss|notifications|notification
  |alerts|promos|promo|promotions|promotional messages|ads|advertisements|advertising|marketing|offers|deals
  |coupons|updates|reminders|newsletters|spam|junk|blasts|robotexts|stuff|crap|shit|garbage|nonsense|bs
  |marketing ones|promo ones|promotional ones|sales ones|ad ones`);
/** Other channels: "stop calling me" revokes calls, which this platform does not make. */
const OTHER_CHANNEL = rx('', String.raw`^(?:calling|emailing|mailing|ringing|call|email|mail|ring
  |phone|calls|emails|robocalls|phone calls|letters|catalogs|flyers)$`);
/** Determiners and adjectives allowed between a verb and what is sent ("stop all these stupid promo texts"). */
const DET = `(?:(?:${alt(`the|these|those|this|that|your|ur|yalls|yall|all|any|of|such|more|further|future|my|mass|group
  |damn|dang|stupid|annoying|fucking|freaking|frickin|effing|constant|endless|spam|spammy|marketing|promo|promotional
  |automated|auto|random|daily|weekly|junk|unwanted|unsolicited|repeated|text|sms`)}) )`;

const ES_V_IMP = alt(`manden|mandes|mande|envien|envies|envie|escriban|escribas|escriba|contacten|contactes|contacte
  |textees|texteen|textee|molesten|molestes|moleste|mensajeen|llamen|llames|llame|marquen|marques`);
const ES_V_INF = alt(`mandar|enviar|escribir|contactar|textear|molestar|mensajear|llamar|marcar`);
const ES_MSG = alt(`mensajes|mensaje|mensajitos|mensajes de texto|textos|texto|sms|msj|msjs|mensajitos|promociones
  |ofertas|notificaciones|publicidad|anuncios|recordatorios|spam|avisos|cosas`);
const ES_OTHER_CHANNEL = /^(?:llamen|llames|llame|llamar|marquen|marques|marcar|llamadas|correos)/;

/** "stop texting me", "quit messaging me", "stop sending me these". */
const STOP_VERB_ING = new RegExp(String.raw`\b(?:stop|quit|cease|end|discontinue|halt)\s+(?<verb>${V_ING})\b`);
/** "don't text me", "never contact me again", "can you not message me". */
const DONT_VERB = rx('', String.raw`\b(?:dont|never|can you not|could you not|can u not
  |stop)\s+(?:(?:ever|again|u|you|ya|yall|guys|please|pls|even)\s+){0,2}(?<verb>${V_BASE})\b`);
/** "stop the texts", "no more messages", "enough with the promos", "cancel my reminders". */
const STOP_NOUN = rx('', String.raw`\b(?:(?:stop|stop with|quit|quit with|cease|halt|discontinue
  |cancel|enough|enough with|enough of|kill|opt out of|unsubscribe from
  |unsubscribe me from)\s+${DET}{0,4}(?:[a-z]+\s+)?|end\s+(?:all|these|the|your|ur|those
  |this)\s+${DET}{0,2})(?<noun>${MSG_NOUN}|calls|emails|robocalls|phone calls)\b`);
/** "no more texts", "no messages please": only at the start of a clause ("I got no messages" is a report). */
const NO_MORE_NOUN = rx('', String.raw`^(?:(?:please|pls|plz|ok|okay|just|hi|hey|hello|seriously|so
  |and)\s+)*no\s+(?:more\s+|further\s+)?${DET}{0,2}(?<noun>${MSG_NOUN}|calls|emails)\b`);
/** "remove me", "delete my number", "take me off your list", "get me off this". */
const REMOVE_ME = rx('', String.raw`\b(?:(?:remove|delete|erase|drop|wipe|unenroll|unenrol
  |unlist)\s+(?<obj>me|us|my number|my phone number|my phone|my cell|my cell number|my info|my information
  |my details|my contact|my contact info|this number|this phone number|my name|my num)|(?:take|get|put
  |scratch|strike|cross|keep)\s+(?<obj2>me|us|my number|my phone number|my phone|my name|this number
  |my info)\s+(?<off>off|out of|out)|(?:want|wanna|need|like|would like|get|be|stay
  |keep)\s+(?:to\s+be\s+)?(?<want>off|out of|removed from|taken off|deleted from))\b`);
/** Anywhere: "unsubscribe", "unsub", "how do I unsubscribe". */
const UNSUBSCRIBE = /\b(?:unsubscribe|unsub|unsubscribing|unsuscribe|unsubcribe|unsubscibe)\b/;
/** "I already unsubscribed" (high); "I unsubscribed by mistake" (a person looks). */
const UNSUBSCRIBED = /\b(?:unsubscribed|unsubbed|opted out|optedout)\b/;
/** "opt out", "opt me out", "opting out", "optout". */
const OPT_OUT = /\b(?:(?:opt|opting)\s+(?:me\s+)?out|optout|opt\s+(?:me\s+)?outta)\b/;
/** "I don't want these texts", "I no longer want to receive messages", "don't need reminders". */
const DONT_WANT = rx('', String.raw`\b(?:dont|no longer|never|dont ever)\s+(?:want|wanna
  |need)\s+(?:to\s+(?:receive|get|be getting|keep getting|keep receiving|see)\s+|(?:any
  |to have)\s+)?(?:anymore\s+)?${DET}{0,3}(?<noun>${MSG_NOUN}|calls|emails)\b`);
/** "I don't want these anymore": these texts, or these shoes? */
const DONT_WANT_THESE = rx('', String.raw`\b(?:dont|no longer)\s+(?:want|need)\s+(?:these|them|this
  |any of this|any of these)\s+(?:anymore|any longer|no more)\b`);
/** "I don't want to be texted", "do not want to be contacted". */
const DONT_WANT_CONTACT = rx('', String.raw`\b(?:dont|no longer|never)\s+(?:want|wanna|wish
  |like)\s+(?:to\s+)?(?:be\s+)?(?<verb>texted|messaged|contacted|spammed|bothered|called|emailed)\b`);
/** "how do I stop getting these", "I want to stop receiving texts". */
const STOP_RECEIVING = /\b(?:stop|quit)\s+(?:receiving|recieving|getting|gettin)\b/;
/** "leave me alone", "lose my number". */
const LEAVE_ME = rx('', String.raw`\b(?:leave me alone|leave me be|leave us alone|lose my number
  |lose this number|forget my number|forget this number|delete my number|delete this number)\b`);
/** "I revoke consent", "withdraw my permission", "cancel my text subscription". */
const REVOKE_CONSENT = rx('', String.raw`\b(?:revoke|revoking|withdraw|withdrawing|rescind|retract
  |pull|cancel|cancelling|canceling|terminate|end)\s+(?:my\s+|all\s+|any\s+|the\s+|your\s+)?(?:consent
  |permission|authorization|authorisation|text subscription|sms subscription|texting subscription
  |text message subscription|subscription to (?:texts|text messages|your texts|these texts|sms))\b`);
/** "I do not consent to these messages". */
const NO_CONSENT_NOW = /\b(?:dont|no longer)\s+consent\b/;
/** "I said stop", "I already texted STOP". */
const SAID_STOP = rx('', String.raw`\b(?:said|texted|replied|typed|sent|wrote|told you|told u
  |asked you to|asked u to|already said)\s+(?:you\s+|u\s+)?(?:to\s+)?(?:stop|unsubscribe|remove me|cancel
  |quit|end)\b`);

// Spanish
/** "no me manden más mensajes", "no me vuelvan a escribir", "nunca me contacten". */
const ES_NO_ME = rx('', String.raw`\b(?:no|nunca|jamas|ni)\s+(?:mas\s+)?(?:(?:me|nos|le
  |les)\s+)?(?:(?:vuelvan|vuelvas|vuelva)\s+a\s+(?<inf>${ES_V_INF})(?:me|nos)?|(?<imp>${ES_V_IMP}))\b`);
/** "dejen de escribirme", "deja de mandarme mensajes", "pueden dejar de enviarme". */
const ES_DEJEN = rx('', String.raw`\b(?:dejen|deje|deja|dejes|dejar|dejan|dejaran|paren|pare|para
  |parale|parenle|parar)\s+de\s+(?<inf>${ES_V_INF})(?<me>me|nos|le)?\b`);
/** "déjenme en paz". */
const ES_PAZ = /\b(?:dejenme|dejeme|dejame|dejennos|dejarme)\s+en\s+paz\b/;
/** "quítenme de su lista", "sáquenme", "me pueden quitar de la lista?", "quiero salir de la lista". */
const ES_QUITAR = rx('', String.raw`\b(?:quitenme|quiteme|quitame|quitarme|sacame|saquenme|saqueme
  |sacarme|borrenme|borreme|borrame|borrarme|eliminenme|elimineme|eliminame|eliminarme|remuevanme
  |remueveme|removerme|bajenme|me\s+(?:saquen|quiten|borren|eliminen|remuevan|saque|quite|borre|elimine)
  |me\s+(?:pueden|puede|podrian|podria|puedes|podrias)\s+(?:quitar|sacar|borrar|eliminar|remover)|salir)\b`);
/** "quiero darme de baja", "denme de baja", "desuscribirme". */
const ES_DE_BAJA = rx('', String.raw`\b(?:(?:darme|dame|deme|denme|dar|darse|dese|doy|me doy
  |quiero darme|quisiera darme)\s+de\s+baja|desuscrib\w*|desinscrib\w*|anular\s+(?:mi\s+
  |la\s+)?suscripcion)\b`);
/** "borren mi número", "quiten este número de su lista". */
const ES_QUITAR_NUMERO = rx('', String.raw`\b(?:quiten|quite|quita|borren|borre|borra|eliminen
  |elimine|elimina|saquen|saque|saca|remuevan|bajen|(?:pueden|puede|podrian|podria|puedes)\s+(?:borrar
  |quitar|eliminar|sacar))\s+(?:mi numero|mi telefono|mi celular|mi cel|este numero|mis datos)\b`);
const ES_SERVICE_WORDS = /\b(?:lista de espera|espera|cita|citas|reservacion|reserva|pedido|orden|agenda|horario|clase)\b/;
const ES_LIST_TARGET = rx('', String.raw`^(?:de\s+(?:su|la|tu|esta|sus|esa|las|todas las|todas sus|toda|todo|sus listas
  |sus contactos|la base|el sistema)|porfavor|porfa|ya|gracias|ahora)\b`);
/** "ya no quiero recibir mensajes", "no quiero más mensajes", "no quiero que me manden". */
const ES_NO_QUIERO = rx('', String.raw`\bno\s+(?:quiero|deseo|necesito
  |me interesa)\s+(?:(?:seguir\s+)?recibi(?:r|endo)\s+)?(?:(?:mas|sus|tus|estos|esos|estas|esas|ningun
  |ninguno|ninguna|los|las|mas de sus|mas de estos)\s+){0,2}(?:${ES_MSG})\b`);
const ES_NO_QUIERO_RECIBIR = /\bno\s+(?:quiero|deseo)\s+(?:seguir\s+)?recibi(?:r|endo)\b/;
const ES_NO_QUIERO_QUE = rx('', String.raw`\bno\s+(?:quiero|deseo)\s+que\s+me\s+(?:sigan\s+
  |vuelvan\s+a\s+)?(?:${ES_V_IMP}|${ES_V_INF}|escribiendo|mandando|enviando|contactando|molestando)\b`);
/** "no más mensajes", "basta de mensajes", "cancelar los mensajes". */
const ES_NO_MAS_NOUN = rx('', String.raw`(?:^(?:(?:por favor|porfavor|porfa|ya|hola
  |oiga)\s+)*no\s+mas|\bbasta\s+(?:ya\s+)?de|\bcancel(?:ar|en|e|a)|\bparen\s+(?:con\s+)?
  |\bdetengan)\s+(?:(?:los|las|sus|tus|estos|esos|mas|tanto|tantos|tanta|tantas)\s+)?(?:${ES_MSG})\b`);
/** "no me interesan sus ofertas": not interested in what is sent. */
const ES_NOT_INTERESTED_IN_MESSAGES = new RegExp(
  String.raw`\bno\s+me\s+interesan?\s+(?:(?:sus|tus|estos|esos|los|las|mas)\s+)?(?:${ES_MSG})\b`,
);

// Ambiguous patterns: a person decides.
const NOT_INTERESTED = rx('', String.raw`^(?:(?:im|am|we are|were|sorry|no|nope|thanks|thankyou|but
  |really|just|honestly|totally|completely|still|ok|okay)\s+)*(?:not|no longer
  |not really)\s+interested(?:\s+(?:anymore|any more|at all|at this time|at the moment|right now|rightnow
  |now|thanks|thankyou|sorry|please|pls|in this|in that|in these|in it|in any of this|in any of it
  |in your offers|in your services|in your products))*$`);
const NOT_INTERESTED_IN_MESSAGES = new RegExp(String.raw`\bnot\s+interested\s+in\s+${DET}{0,3}(?:${MSG_NOUN})\b`);
const WRONG_NUMBER = rx('', String.raw`\b(?:wrong (?:number|num|person|phone|guy|girl|contact)
  |not my (?:number|phone|cell)|passed away|deceased|is dead|has died|died last|not the (?:right 
  |correct )?(?:number|person)|(?:doesnt|does not|no longer) (?:have|has|use|uses|own|owns) this (?:number
  |phone)|this (?:number|phone) (?:is no longer|isnt|is not|no longer belongs to) \w+|you have the wrong
  |youve got the wrong|u have the wrong|no one by that name|nobody by that name)\b(?!\s+for\b)`);
const SPAM = /\b(?:spam|spammer|spammers|spammy|scam|scammer|scammers|junk mail)\b/;
const NO_CONSENT_CLAIM = rx('', String.raw`\b(?:never|didnt|dont remember
  |never ever)\s+(?:(?:sign(?:ed)?|signing)\s+up|subscribe[d]?|opt(?:ed)?\s*in|optin
  |agree[d]?(?:\s+to\s+(?:this|these|texts|messages))?|consent(?:ed)?|gave\s+(?:you\s+|u\s+)?(?:my number
  |permission|consent|my consent)|give\s+(?:you\s+|u\s+)?(?:my number|permission
  |consent))\b(?:\s+for\s+(?!this\b|these\b|texts\b|messages\b|any\b|your\b|it\b)\w+)?`);
const HOW_GOT_NUMBER = rx('', String.raw`\b(?:how did (?:you|u|yall|you guys) get (?:my
  |this) (?:number|phone|cell|info)|who gave (?:you|u) (?:my|this) (?:number|phone)|where did (?:you
  |u) get (?:my|this) (?:number|phone))\b`);
const HOSTILE = rx('', String.raw`\b(?:fuck|f|fck|fk|fuk|piss|bugger|buzz|shove|sod|eff|frick
  |frig)\s+off\b|^(?:(?:just|please|pls|now)\s+)*(?:go away|get lost|go to hell|drop dead)(?:\s+(?:please
  |pls|now|already))*$`);
const COMPLAINT = rx('', String.raw`\bwhy\s+(?:do|does|are|r|is|would|am\s+i|do\s+i
  |dont)\s+(?:(?:you|u|yall|you guys|this number|i|still|keep|always|even|continue to)\s+){0,3}(?:texting
  |txting|messaging|contacting|spamming|sending\s+me|getting\s+${DET}{0,2}(?:${MSG_NOUN}|these|this|them)
  |receiving\s+${DET}{0,2}(?:${MSG_NOUN}|these|this|them)|text\s+me|message\s+me)\b
  |\btoo\s+many\s+(?:texts|messages|txts|msgs|notifications|reminders|promos)\b|\b(?:text|message|txt
  |texting|messaging)\s+(?:me\s+)?(?:way\s+)?too\s+(?:much|often|many)\b|\b(?:block|blocking|blocked
  |report|reporting|reported)\s+(?:you|u|this|this number|your number|yall|you guys|it|your company)\b`);
const DONE_WITH = rx('', String.raw`\bim\s+(?:so\s+)?done\s+with\s+(?:you|u|this|these|yall|you guys
  |your|ur|this company|this place|it)\b`);
const DATA_REQUEST = rx('', String.raw`\b(?:delete|erase|remove
  |forget)\s+(?:all\s+)?(?:my\s+)?(?:data|personal data|personal information|personal info)\b
  |^(?:please\s+)?forget me\b|\bmy data deleted\b`);
const PAUSE = new RegExp(String.raw`\b(?:pause|hold|suspend)\s+${DET}{0,3}(?:${MSG_NOUN})\b`);
const CANCEL_SUBSCRIPTION = rx('', String.raw`\b(?:cancel|cancelling|canceling|end|stop
  |terminate)\s+(?:my\s+|the\s+|this\s+)?(?:subscription|membership)\b|\bcancelar\s+mi\s+suscripcion\b`);
const ES_NOT_INTERESTED = /\b(?:no me interesan?|no estoy interesad[oa]|no nos interesa|ya no me interesa)\b/;
const ES_WRONG_NUMBER = rx('', String.raw`\b(?:numero equivocado|ya no (?:tiene|usa) este numero
  |no es (?:mi|su) numero|fallecio|fallecido|fallecida|se equivocaron de numero|se equivoco de numero
  |esta equivocado|equivocados?)\b`);
const ES_AMBIGUOUS_CANCEL = /\b(?:quiero|necesito|quisiera|puedo|podria|como)\s+cancelar$/;
const ES_DONE_WITH = rx('', String.raw`\bno\s+quiero\s+(?:saber\s+)?nada\s+(?:con|de)\s+(?:ustedes
  |uds|ud|usted|ti|su empresa)\b`);
const ES_COMPLAINT = rx('', String.raw`\b(?:estafa|estafadores|bloquear|bloqueado|bloqueados|bloqueo
  |reportar|reportarlos|denunciar|por que me (?:siguen\s+)?(?:mandan|mandando|envian|enviando|escriben
  |escribiendo|llaman|llamando)|tantos mensajes|demasiados mensajes)\b`);

// Context for the tail of a revocation: what follows "stop texting".
const OBJ_ME = rx('', String.raw`^(?:me|us|this number|this phone|this cell|my number|my phone
  |my cell|my phone number|my cell phone|to me|to this number|me or my \w+|me and my \w+)(?:\s+|$)`);
const OBJ_YOU = /^(?:you|u|yall|ya|him|her|them guys)\b/;
const OBJ_SENT = new RegExp(String.raw`^${DET}{0,3}(?:${MSG_NOUN}|these|those|them|this|that|anything|things|any|nothing)\b`);
const OBJ_OTHER = rx('', String.raw`^(?:my|his|their|our|your|ur|the|a|an|people|everyone|customers?
  |clients?|mom|dad|wife|husband|son|daughter|kids?|ex|boss|friends?|family|her)\b`);
const TEMPORAL = rx('', String.raw`^(?:(?:at|before|after|by|past) \d+[a-z]*|before|after|until|till
  |til|at night|at work|in the morning|in the evening|at this hour|during|between|past|so early|so late
  |this early|this late|early|late|on (?:weekends|the weekend|holidays|(?:mon|tues|wednes|thurs|fri|satur
  |sun)days?)|while|when im|tonight|today|tomorrow)\b`);
const FREQUENCY = rx('', String.raw`^(?:so much|so often|so many|all the time|constantly|every
  |everyday|multiple times|twice|too much|too often|this much|this often|non stop|nonstop)\b`);
const TEMPORARY = rx('', String.raw`^(?:for now|for a while|for a bit|for a few|for the (?:next
  |rest)|for (?:a|one|two|\d+) (?:day|days|week|weeks|month|months)|this week|this month|for today
  |for the weekend)\b`);
const ES_TEMPORAL = rx('', String.raw`^(?:antes|despues|hasta|en la noche|por la noche|de noche
  |en la manana|por la manana|tan temprano|temprano|tan tarde|tarde|hoy|manana|el (?:lunes|martes
  |miercoles|jueves|viernes|sabado|domingo)|los (?:fines|domingos|sabados)|durante|entre|a las|mientras
  |en el trabajo)\b`);
const ES_FREQUENCY = rx('', String.raw`^(?:tanto|tantos|tantas|tan seguido|todo el tiempo
  |todos los dias|a cada rato|cada rato|cada dia|a diario|seguido)\b`);
const ES_TEMPORARY = rx('', String.raw`^(?:por ahora|por un tiempo|por unos dias|por un rato
  |esta semana|este mes|por hoy|por el momento)\b`);
const ES_OBJ_SENT = new RegExp(String.raw`^(?:(?:mas|nada|ningun|ninguno|ninguna|los|las|sus|tus|estos|esos|mas de)\s+)*(?:${ES_MSG}|nada|mas)\b`);
const ES_OBJ_OTHER = /^(?:el|la|los|las|un|una|mi|su|tu|a mi|a su|al|a la)\b/;
/** A clear "text me instead" makes "don't call me" a preference, not a revocation. */
const TEXTING_WELCOME = rx('', String.raw`\b(?:text me|keep texting|texts are fine|text is fine
  |please text|pls text|text only|text is (?:fine|ok|okay|better)|txt me|message me|text instead
  |texts are (?:fine|ok|okay)|texting is (?:fine|ok|okay|better)|prefer texts?|just text|only text
  |mandame mensaje|mandenme mensajes?|escribeme|escribanme|mejor por mensaje|solo mensajes)\b`);
const TEXTING_WORD = rx('', String.raw`\b(?:text|texts|texting|txt|txting|message|messages|messaging
  |msg|msgs|sms|send|sending|mensajes?|textos?|escribir\w*|mandar\w*|enviar\w*)\b`);

type Verdict = 'high' | 'ambiguous' | 'none';
interface TailVerdict {
  readonly verdict: Verdict;
  readonly why?: 'qualified_request' | 'other_person' | 'unclear_object';
}
const HIGH: TailVerdict = { verdict: 'high' };
const NONE: TailVerdict = { verdict: 'none' };

/** After "stop sending me": words that go on about the sending itself, or start a new thought. */
const SENDING_CONTINUES = rx('', String.raw`^(?:anymore|again|ever|any|please|pls|plz|thanks|thankyou|now|or|and|i|im|who
  |from|about|regarding|with|re|because|cause|bc|cuz|unless|its|it|this|omg|ugh|wtf|seriously|already|asap|immediately)\b`);

/**
 * What follows a revocation verb decides how sure it is: nothing, "me", "these", a new
 * thought → high; "so much" or "for now" → a person decides; "before 9am" → a scheduling
 * preference; "you" → the customer talking about themselves; "my ex" → someone else.
 */
function tailOf(rest: string, sendLike: boolean, language: Language): TailVerdict {
  if (language === 'es') {
    if (rest === '') return HIGH;
    if (ES_TEMPORAL.test(rest)) return NONE;
    if (ES_FREQUENCY.test(rest) || ES_TEMPORARY.test(rest)) return { verdict: 'ambiguous', why: 'qualified_request' };
    if (ES_OBJ_SENT.test(rest)) return HIGH;
    if (ES_OBJ_OTHER.test(rest) && !/^(?:a mi numero|a este numero|al \w+ numero)/.test(rest)) {
      return sendLike ? NONE : { verdict: 'ambiguous', why: 'other_person' };
    }
    return HIGH;
  }
  let r = rest;
  const me = OBJ_ME.exec(r);
  if (me) r = r.slice(me[0].length);
  else if (OBJ_YOU.test(r)) return NONE;
  if (r === '') return HIGH;
  if (TEMPORAL.test(r)) return NONE;
  if (FREQUENCY.test(r) || TEMPORARY.test(r)) return { verdict: 'ambiguous', why: 'qualified_request' };
  if (OBJ_SENT.test(r)) return HIGH;
  if (!me && OBJ_OTHER.test(r)) return sendLike ? NONE : { verdict: 'ambiguous', why: 'other_person' };
  if (!me && sendLike && /^(?:it|him|anyone|someone|somebody|anybody)\b/.test(r)) return NONE; // "don't send it yet"
  if (me && sendLike && !SENDING_CONTINUES.test(r)) {
    // "stop sending me pictures of your dog": something is sent, but is it the marketing?
    return { verdict: 'ambiguous', why: 'unclear_object' };
  }
  return HIGH;
}

const NEGATORS_EN = words(`dont never cant cannot wont didnt doesnt shouldnt wouldnt couldnt not isnt arent aint`);
const NEGATORS_ES = words(`no nunca jamas ni`);
/** Words that may stand between a negation and its verb: "don't you ever", "never want you to". */
const SKIPPABLE = words(`you u ya yall guys ever please pls plz just even really again to want need wanna mean ask
  tell expect like me anyone anybody say said want`);
/** "no me vuelvan a escribir", "no, por favor, dejen de…". */
const SKIPPABLE_ES = words(`me nos le ya por favor porfavor`);
const OVERRIDES = words(`why if unless when`);
/** "I'll stop texting you", "we can stop sending": the customer is talking about themselves. */
const SUBJECTS = words(`i we ill well id ive he she they it`);
const AUXILIARIES = words(`will can could should must shall also gonna going would just then might may`);
const QUESTION_PAST = words(`did has have had`);
const QUESTION_SUBJECTS = words(`you u yall they it`);
const QUESTION_OPENERS = words(`can could may how should`);

/**
 * Is the phrase starting at word `index` of `clause` negated ("don't stop texting me",
 * "I can't stop smiling"), said of the speaker ("I'll stop texting"), or asked about the
 * past ("did you stop texting me?")? "If you don't stop texting me" and "why won't you
 * stop" are still revocations.
 */
function isNegated(words: readonly string[], index: number, language: Language, speakerMatters = false): boolean {
  const negators = language === 'es' ? NEGATORS_ES : NEGATORS_EN;
  if (speakerMatters && language === 'en') {
    // Speaker as subject, right before the verb (auxiliaries aside).
    let j = index - 1;
    while (j >= 0 && AUXILIARIES.has(words[j] ?? '')) j--;
    // "can I stop …", "how do I stop": a question about stopping, not a statement.
    const asking = words.slice(Math.max(0, j - 2), j).some((w) => QUESTION_OPENERS.has(w));
    if (j >= 0 && SUBJECTS.has(words[j] ?? '') && !asking) return true;
  }
  for (let i = index - 1; i >= 0; i--) {
    const w = words[i] ?? '';
    if (negators.has(w)) {
      for (let k = Math.max(0, i - 3); k < i; k++) {
        if (OVERRIDES.has(words[k] ?? '') || (language === 'es' && words[k] === 'si')) return false;
      }
      return true;
    }
    if (language === 'en' && QUESTION_PAST.has(w) && QUESTION_SUBJECTS.has(words[i + 1] ?? '')) return true;
    const skippable = language === 'es' ? SKIPPABLE_ES.has(w) : SKIPPABLE.has(w) || AUXILIARIES.has(w);
    if (!skippable) return false;
  }
  return false;
}

/** Word index of a character offset in a clause. */
const wordIndexAt = (clause: string, offset: number): number => {
  let count = 0;
  for (let i = 0; i < offset; i++) if (clause.charCodeAt(i) === 32) count++;
  return count;
};

interface Found {
  readonly confidence: ConsentConfidence;
  readonly rule: string;
  readonly language: Language;
  readonly scope: 'all' | 'default';
  readonly matched: string;
}

const ALL_WORDS = /\b(?:all|everything|todo|todos|todas)\b/;
const scopeOf = (matched: string): 'all' | 'default' => (ALL_WORDS.test(matched) ? 'all' : 'default');

/** A finding; rules fired by Spanish words carry an `_es` suffix. */
function found(
  confidence: ConsentConfidence,
  rule: string,
  language: Language,
  matched: string,
  scope = scopeOf(matched),
): Found {
  return { confidence, rule: language === 'es' && !rule.endsWith('_es') ? `${rule}_es` : rule, language, scope, matched };
}

/** The verb phrase plus what it is about, for the evidence and the scope: "stop sending all of these texts". */
function withObject(verbPhrase: string, after: string): string {
  const me = OBJ_ME.exec(after);
  const rest = me ? after.slice(me[0].length) : after;
  const sent = OBJ_SENT.exec(rest);
  return [verbPhrase, me?.[0].trim(), sent?.[0]].filter((p) => p).join(' ');
}

/** Turns a tail verdict into a finding (or nothing). */
function fromTail(
  tail: TailVerdict,
  language: Language,
  matched: string,
  otherChannel: boolean,
  message: string,
): Found | null {
  if (tail.verdict === 'none') return null;
  if (otherChannel) {
    if (TEXTING_WELCOME.test(message)) return null;
    return found('ambiguous', 'other_channel', language, matched);
  }
  if (tail.verdict === 'ambiguous') return found('ambiguous', tail.why ?? 'qualified_request', language, matched);
  return found('high', 'plain_words', language, matched);
}

/**
 * Revocations in plain words inside one clause. Returns the first finding; a `high`
 * here is final, an `ambiguous` one is kept in case a later clause is clearer.
 */
function plainWords(clause: string, message: string): Found | null {
  const w = clause.split(' ');
  let m: RegExpExecArray | null;
  let ambiguous: Found | null = null;
  const consider = (f: Found | null): Found | null => {
    if (f && f.confidence === 'high') return f;
    if (f && !ambiguous) ambiguous = f;
    return null;
  };
  const negated = (index: number, language: Language = 'en', speakerMatters = false): boolean =>
    isNegated(w, wordIndexAt(clause, index), language, speakerMatters);
  const rest = (match: RegExpExecArray): string => clause.slice(match.index + match[0].length).trim();
  const hasTextingWord = (s: string): boolean => TEXTING_WORD.test(s);

  // English
  if ((m = STOP_VERB_ING.exec(clause)) && !negated(m.index, 'en', true)) {
    const verb = m.groups?.['verb'] ?? '';
    const sendLike = verb === 'sending';
    const other = OTHER_CHANNEL.test(verb) && !hasTextingWord(rest(m));
    const r = consider(fromTail(tailOf(rest(m), sendLike, 'en'), 'en', withObject(m[0], rest(m)), other, message));
    if (r) return r;
  }
  if (
    (m = DONT_VERB.exec(clause)) &&
    !(m[0].startsWith('stop') ? negated(m.index, 'en', true) : isSpeakerStatement(w, wordIndexAt(clause, m.index)))
  ) {
    const verb = m.groups?.['verb'] ?? '';
    const after = rest(m);
    const sendLike = verb === 'send';
    let tail = tailOf(after, sendLike, 'en');
    // "don't send" / "don't send me" with nothing said about what: probably an order.
    const saysWhat = OBJ_SENT.test(after.replace(OBJ_ME, '')) || /\b(?:anymore|again|ever)\b/.test(after);
    if (sendLike && tail.verdict === 'high' && !saysWhat) {
      tail = { verdict: 'ambiguous', why: 'qualified_request' };
    }
    const other = OTHER_CHANNEL.test(verb) && !hasTextingWord(after);
    const r = consider(fromTail(tail, 'en', withObject(m[0], after), other, message));
    if (r) return r;
  }
  if ((m = STOP_NOUN.exec(clause)) && !negated(m.index, 'en', true)) {
    const noun = m.groups?.['noun'] ?? '';
    const r = consider(fromTail(HIGH, 'en', m[0], OTHER_CHANNEL.test(noun), message));
    if (r) return r;
  }
  if ((m = NO_MORE_NOUN.exec(clause))) {
    const noun = m.groups?.['noun'] ?? '';
    const r = consider(fromTail(HIGH, 'en', m[0], OTHER_CHANNEL.test(noun), message));
    if (r) return r;
  }
  if ((m = REMOVE_ME.exec(clause)) && !negated(m.index)) {
    const r = consider(removeVerdict(m, rest(m)));
    if (r) return r;
  }
  if ((m = REMOVE_FROM_LIST.exec(clause)) && !negated(m.index)) {
    const target = m.groups?.['target'] ?? '';
    const verb = m[0].slice(0, m[0].length - target.length);
    const r = consider(listVerdict((head) => `${verb}${head}`.trim(), target, true));
    if (r) return r;
  }
  if ((m = UNSUBSCRIBE.exec(clause)) && !negated(m.index)) {
    const after = rest(m);
    if (isAboutEmail(after)) {
      const r = consider(fromTail(HIGH, 'en', clause.slice(m.index), true, message));
      if (r) return r;
    } else {
      return found('high', 'plain_words', 'en', clause.slice(m.index), scopeOf(after));
    }
  }
  if ((m = UNSUBSCRIBED.exec(clause)) && !negated(m.index) && !(isAboutEmail(rest(m)) && TEXTING_WELCOME.test(message))) {
    if (/\balready\b/.test(clause.slice(0, m.index))) return found('high', 'plain_words', 'en', clause);
    consider(found('ambiguous', 'past_opt_out', 'en', clause));
  }
  if ((m = OPT_OUT.exec(clause)) && !negated(m.index)) {
    const after = rest(m);
    const of = /^of\s+(.*)$/.exec(after);
    if (!of) return found('high', 'plain_words', 'en', clause.slice(m.index));
    const object = of[1] ?? '';
    if (OBJ_SENT.test(object) || /^(?:all|everything|it|this|these|the list)\b/.test(object) || /\blist\b/.test(object)) {
      return found('high', 'plain_words', 'en', clause.slice(m.index));
    }
    // "opt out of the extended warranty": about something else.
  }
  if ((m = DONT_WANT.exec(clause))) {
    const noun = m.groups?.['noun'] ?? '';
    const r = consider(fromTail(HIGH, 'en', m[0], OTHER_CHANNEL.test(noun), message));
    if (r) return r;
  }
  if ((m = DONT_WANT_THESE.exec(clause))) consider(found('ambiguous', 'unclear_object', 'en', m[0]));
  if ((m = DONT_WANT_CONTACT.exec(clause))) {
    const verb = m.groups?.['verb'] ?? '';
    const r = consider(fromTail(HIGH, 'en', m[0], verb === 'called' || verb === 'emailed', message));
    if (r) return r;
  }
  if ((m = STOP_RECEIVING.exec(clause)) && !negated(m.index)) {
    const after = rest(m);
    if (after === '' || OBJ_SENT.test(after) || /^(?:from|messages|texts)\b/.test(after)) {
      return found('high', 'plain_words', 'en', `${m[0]} ${after}`.trim());
    }
  }
  if ((m = LEAVE_ME.exec(clause)) && !negated(m.index)) {
    return found('high', 'plain_words', 'en', m[0]);
  }
  if ((m = REVOKE_CONSENT.exec(clause)) && !negated(m.index)) return found('high', 'plain_words', 'en', m[0]);
  if ((m = NO_CONSENT_NOW.exec(clause))) return found('high', 'plain_words', 'en', clause.slice(m.index));
  if ((m = SAID_STOP.exec(clause)) && !negated(m.index)) return found('high', 'plain_words', 'en', m[0]);
  if ((m = NOT_INTERESTED_IN_MESSAGES.exec(clause))) return found('high', 'plain_words', 'en', m[0]);

  // Spanish
  if ((m = ES_NO_ME.exec(clause))) {
    const verb = m.groups?.['imp'] ?? m.groups?.['inf'] ?? '';
    const after = rest(m);
    const sendLike = /^(?:mand|envi)/.test(verb);
    const other = ES_OTHER_CHANNEL.test(verb) && !hasTextingWord(after);
    const r = consider(fromTail(tailOf(after, sendLike, 'es'), 'es', m[0], other, message));
    if (r) return r;
  }
  if ((m = ES_DEJEN.exec(clause)) && !negated(m.index, 'es')) {
    const verb = m.groups?.['inf'] ?? '';
    const after = rest(m);
    const sendLike = /^(?:mand|envi)/.test(verb);
    const other = ES_OTHER_CHANNEL.test(verb) && !hasTextingWord(after);
    let tail = tailOf(after, sendLike, 'es');
    // "deja de escribir en mayúsculas": without "me", stop writing what, to whom?
    const saysWhat = after === '' || ES_OBJ_SENT.test(after) || /^(?:porfavor|porfa|ya|gracias|y)\b/.test(after);
    if (m.groups?.['me'] === undefined && tail.verdict === 'high' && !saysWhat) {
      tail = { verdict: 'ambiguous', why: 'unclear_object' };
    }
    const r = consider(fromTail(tail, 'es', m[0], other, message));
    if (r) return r;
  }
  if ((m = ES_PAZ.exec(clause))) return found('high', 'plain_words', 'es', m[0]);
  if ((m = ES_DE_BAJA.exec(clause)) && !negated(m.index, 'es')) {
    return found('high', 'plain_words', 'es', clause.slice(m.index));
  }
  if ((m = ES_QUITAR_NUMERO.exec(clause)) && !negated(m.index, 'es')) {
    const after = rest(m);
    if (!/\blista de espera\b/.test(after)) return found('high', 'plain_words', 'es', clause.slice(m.index));
  }
  if ((m = ES_QUITAR.exec(clause)) && !negated(m.index, 'es')) {
    const after = rest(m);
    if (m[0] === 'salir' && !/^de\b.*\blista\b/.test(after)) {
      // "vamos a salir": only "salir de la lista" is about texts.
    } else if (ES_SERVICE_WORDS.test(after)) {
      // "quítenme de la lista de espera": about the service, not about texts.
    } else if (after === '' || ES_LIST_TARGET.test(after) || /^de\b.*\blista/.test(after)) {
      return found('high', 'plain_words', 'es', m[0] + (after ? ` ${after}` : ''));
    }
  }
  if ((m = ES_NO_QUIERO.exec(clause))) return found('high', 'plain_words', 'es', m[0]);
  if ((m = ES_NO_QUIERO_QUE.exec(clause))) return found('high', 'plain_words', 'es', m[0]);
  if ((m = ES_NO_QUIERO_RECIBIR.exec(clause))) {
    const after = rest(m);
    if (after === '' || ES_OBJ_SENT.test(after) || /^(?:porfavor|gracias)\b/.test(after)) {
      return found('high', 'plain_words', 'es', m[0]);
    }
  }
  if ((m = ES_NO_MAS_NOUN.exec(clause)) && !negated(m.index, 'es')) return found('high', 'plain_words', 'es', m[0]);
  if ((m = ES_NOT_INTERESTED_IN_MESSAGES.exec(clause))) return found('high', 'plain_words', 'es', m[0]);

  return ambiguous;
}

/** "unsubscribe from your emails": another channel. */
function isAboutEmail(after: string): boolean {
  const head = /^(?:me\s+)?from\s+((?:\S+\s*){1,4})/.exec(after)?.[1] ?? '';
  return EMAIL_WORDS.test(head) && !/\b(?:text|texts|texting|sms|txt)\b/.test(head);
}

/** "I don't text much", "you don't text me anymore :(": a statement about someone, not a request. */
function isSpeakerStatement(words: readonly string[], index: number): boolean {
  const before = words[index - 1];
  return before !== undefined && /^(?:i|we|he|she|they|it|you|u|people|my|mom|dad|id|ill)$/.test(before);
}

const WAITLIST_WORDS = rx('', String.raw`\b(?:waitlist|waitinglist|wait|waiting|schedule|calendar
  |appointment|appointments|reservation|reservations|order|orders|roster|class|team|cart|booking|bookings
  |queue|line|guest|guestlist|grocery|shopping|wish|wishlist|todo)\b`);
/** "mailing list" is what many people call any list; "email" is not. */
const EMAIL_WORDS = /\b(?:email|emails|e mail|newsletter|newsletters)\b/;
/** What may stand before "list" for it to be the list the texts come from. */
const CONTACT_LIST_MODIFIERS = words(`the your ur this that all these those any every yalls yall my of text texting sms txt
  mailing contact contacts calling call marketing distribution subscriber subscription message messaging promo
  promotional customer phone number numbers spam`);
const LIST_WORDS = rx('', String.raw`\b(?:list|lists|database|system|contacts|records|mailing
  |texting|sms|texts|messages|marketing|subscription|subscribers|program|it|this|that|there|everything|all
  |here)\b`);

const COURTESY_OR_NEW_THOUGHT = rx('', String.raw`^(?:please|pls|plz|thanks|thankyou|thx|now|asap
  |immediately|already|i|im|who|and|or|its|you|wrong|never|because|bc|cuz|ok|again|permanently|forever|too
  |this is)\b`);
const LIST_TARGET_START = /^(?:of\s+)?(?:your|ur|the|this|that|all|these|those|any|every|yalls|yall|my)\b/;

/**
 * "remove me", "take me off your list" → high; "… off the waitlist" → about the service,
 * not texts; "… from the group chat", "remove me as the contact" → a person looks.
 */
function removeVerdict(m: RegExpExecArray, after: string): Found | null {
  const groups = m.groups ?? {};
  let phrase = (extra: string): string => `${m[0]} ${extra}`.trim();
  let target: string;
  if (groups['obj'] !== undefined) {
    const from = /^(?:from|off|off of|out of)\s+(.*)$/.exec(after);
    if (!from) {
      if (after === '' || COURTESY_OR_NEW_THOUGHT.test(after)) return found('high', 'plain_words', 'en', phrase(after));
      return found('ambiguous', 'unclear_object', 'en', phrase(after));
    }
    target = from[1] ?? '';
    const connector = after.slice(0, after.length - target.length);
    phrase = (extra) => `${m[0]} ${connector}${extra}`.trim(); // "remove me from your list"
  } else {
    // "take me off …", "I want off …"
    const clearOff = groups['off'] === 'off' || groups['off'] === 'out of';
    if (after === '' || COURTESY_OR_NEW_THOUGHT.test(after)) {
      return clearOff
        ? found('high', 'plain_words', 'en', phrase(after))
        : found('ambiguous', 'unclear_object', 'en', phrase(after)); // "I want out"? of what?
    }
    if (!LIST_TARGET_START.test(after)) return null; // "get me off at the next stop", "take me out tonight"
    target = after;
  }
  return listVerdict(phrase, target, groups['obj'] !== undefined || groups['obj2'] !== undefined);
}

/** What list is someone to be taken off? `personal`: "remove me from …" rather than "get off …". */
function listVerdict(phrase: (extra: string) => string, target: string, personal: boolean): Found | null {
  const head = target.split(' ').slice(0, 4).join(' ');
  if (WAITLIST_WORDS.test(head)) return null; // "take me off the waitlist"
  if (EMAIL_WORDS.test(head) && !/\b(?:text|texting|sms|txt)\b/.test(head)) {
    return found('ambiguous', 'other_channel', 'en', phrase(head));
  }
  const words = head.split(' ');
  const list = words.findIndex((w) => w === 'list' || w === 'lists');
  if (list > 0 && !CONTACT_LIST_MODIFIERS.has(words[list - 1] ?? '')) {
    return found('ambiguous', 'unclear_object', 'en', phrase(head)); // "the carpool list", "the VIP list"
  }
  if (LIST_WORDS.test(head)) return found('high', 'plain_words', 'en', phrase(head));
  return personal ? found('ambiguous', 'unclear_object', 'en', phrase(head)) : null; // "get off the bus"
}

/** "remove from list", "take off list", "off your list please": the "me" left out. */
const REMOVE_FROM_LIST = rx('', String.raw`(?:\b(?:remove|delete|take|drop|unenroll
  |unenrol)\s+(?:from|off|off of|out of)|^(?:(?:please|pls|plz)\s+)?off)\s+(?<target>(?:(?:the|your|ur
  |this|that|all|these|any|my|of|yalls)\s+){0,2}(?:[a-z]+\s+)?(?:list|lists|texts|messages|sms
  |texting)\b.*)$`);

// ---------------------------------------------------------------------------
// Ambiguous patterns and stray keywords
// ---------------------------------------------------------------------------

function ambiguousPatterns(clause: string): Found | null {
  let m: RegExpExecArray | null;
  if (NOT_INTERESTED.test(clause)) return found('ambiguous', 'not_interested', 'en', clause);
  if ((m = WRONG_NUMBER.exec(clause))) return found('ambiguous', 'wrong_number', 'en', m[0]);
  if ((m = NO_CONSENT_CLAIM.exec(clause)) && !/\bfor\s+\w+$/.test(m[0])) {
    return found('ambiguous', 'no_consent_claim', 'en', m[0]); // not "I didn't sign up for the 5k"
  }
  if ((m = HOW_GOT_NUMBER.exec(clause))) return found('ambiguous', 'no_consent_claim', 'en', m[0]);
  if ((m = SPAM.exec(clause)) && !/\bnot\s+(?:a\s+)?$/.test(clause.slice(0, m.index))) {
    return found('ambiguous', 'complaint', languageOf(clause.split(' ')), clause);
  }
  if ((m = COMPLAINT.exec(clause))) return found('ambiguous', 'complaint', 'en', m[0]);
  if ((m = HOSTILE.exec(clause))) return found('ambiguous', 'hostile', 'en', m[0]);
  if ((m = DONE_WITH.exec(clause))) return found('ambiguous', 'done_with_us', 'en', m[0]);
  if ((m = PAUSE.exec(clause))) return found('ambiguous', 'qualified_request', 'en', m[0]);
  if ((m = DATA_REQUEST.exec(clause))) return found('ambiguous', 'unclear_object', 'en', m[0]);
  if ((m = CANCEL_SUBSCRIPTION.exec(clause))) {
    return found('ambiguous', 'cancel_subscription', m[0].startsWith('cancelar') ? 'es' : 'en', m[0]);
  }
  if ((m = ES_NOT_INTERESTED.exec(clause))) return found('ambiguous', 'not_interested', 'es', m[0]);
  if ((m = ES_WRONG_NUMBER.exec(clause))) return found('ambiguous', 'wrong_number', 'es', m[0]);
  if ((m = ES_COMPLAINT.exec(clause))) return found('ambiguous', 'complaint', 'es', m[0]);
  if ((m = ES_DONE_WITH.exec(clause))) return found('ambiguous', 'done_with_us', 'es', m[0]);
  if ((m = ES_AMBIGUOUS_CANCEL.exec(clause))) return found('ambiguous', 'ambiguous_stop_verb', 'es', m[0]);
  return null;
}

const STRAY_VERBS = words(`stop quit cancel revoke end`);
/** "what happens if I reply stop?": the word mentioned, not used. */
const MENTION_BEFORE = words(`reply replying text texting type typing send sending say saying write writing word does`);
/** Words before "stop" that make it a noun: "the bus stop", "next stop", "a quick stop". */
const BEFORE_NOUN = words(`the a an bus next last first each every my your our his her their this that one pit full non
  rest truck train subway metro tram whistle final short quick brief only no 1st 2nd 3rd another
  texts messages reminders alerts it they rain`); // and subjects: "why did my texts stop?"
/** Words after "stop" that make it about something else: "stop by", "stop at the bank". */
const AFTER_ELSEWHERE = words(`by in at over off for to into past and on there here sign signs light lights loss watch gap
  motion button payment payments order orders smoking drinking eating worrying thinking`);
/** Words after "stop" that leave what should stop unsaid: "stop it", "stop with this", "cancel everything". */
const AFTER_STILL_VAGUE = words(`it this that already now with please pls plz ok okay me lol thanks thankyou asap seriously
  everything omg ugh again`);
const DETERMINERS = words(`the my your our his her their a an all these those ur`);

/**
 * A stop-verb in a longer message with nothing saying what should stop: "ugh just stop
 * with this", "I need to cancel", "I quit". A person reads it.
 */
function strayKeyword(clause: string, banter: boolean): Found | null {
  if (banter) return null; // "stop it you're too funny 😂"
  const w = clause.split(' ');
  for (let i = 0; i < w.length; i++) {
    const word = w[i] ?? '';
    if (!STRAY_VERBS.has(word)) continue;
    // "end" is too common a word ("when does the sale end"): only "end it", "end this" opening a clause.
    if (word === 'end' && (i !== 0 || !/^(?:it|this|that|these|now)$/.test(w[i + 1] ?? ''))) continue;
    if (isNegated(w, i, 'en', !((word === 'quit' || word === 'revoke') && w[i - 1] === 'i'))) continue;
    if (MENTION_BEFORE.has(w[i - 1] ?? '')) continue;
    const before = w[i - 1];
    if (before !== undefined && BEFORE_NOUN.has(before)) continue;
    const next = w[i + 1];
    if (next === undefined) return found('ambiguous', 'ambiguous_stop_verb', 'en', clause);
    if (AFTER_STILL_VAGUE.has(next) || isFiller(next)) return found('ambiguous', 'ambiguous_stop_verb', 'en', clause);
    if (AFTER_ELSEWHERE.has(next) || (next.endsWith('ing') && next.length > 4)) continue; // "stop by", "stop smiling"
    if (DETERMINERS.has(next)) continue; // "quit my job", "cancel my appointment", "stop the deliveries"
    if (word === 'revoke') return found('ambiguous', 'ambiguous_stop_verb', 'en', clause);
  }
  return null;
}

// ---------------------------------------------------------------------------
// The classifier
// ---------------------------------------------------------------------------

function optOut(f: Found, laughing: boolean): OptOut {
  // Laughter makes a clear form banter that a person should read: "lol stop texting me".
  const confidence = laughing ? 'ambiguous' : f.confidence;
  const rule = laughing && f.confidence === 'high' ? `${f.rule}_laughing` : f.rule;
  return { action: 'opt_out', scope: f.scope, confidence, rule, language: f.language, matched: f.matched };
}

function keywordRule(hit: KeywordHit, reply: Reply): string {
  if (hit.variant === 'spelled_out') return 'keyword_spelled_out';
  if (hit.variant === 'misspelled') return 'keyword_misspelled';
  if (hit.repeated) return 'keyword_repeated';
  if (reply.signature) return 'keyword_with_signature';
  if (hit.courtesy) return 'keyword_with_courtesy';
  return 'keyword';
}

/** "I've asked 3 times", "I already told you": the keyword next to it is meant. */
const ALREADY_ASKED = rx('', String.raw`^(?:i|ive|i have|i already|ive already|i have already
  |i keep)\s+(?:already\s+)?(?:asked|told|said|texted|replied|requested|sent|asking|telling|saying)\b`);

/** A clause that is a clear opt-out keyword, courtesy words aside. */
function clauseKeyword(clause: string): KeywordHit | null {
  const words = clause.split(' ');
  if (!hasKeywordWord(words)) return null;
  const k = keywordOf(words);
  return k && k.entry.action === 'opt_out' && k.entry.strength === 'high' && k.variant === 'exact' ? k : null;
}

/**
 * "who is this stop", "stop wrong number", "no longer interested please remove": a keyword
 * run at either end of a clause whose other part backs it up.
 */
function splitKeywordRun(clause: string): { keyword: string; hit: KeywordHit } | null {
  const w = clause.split(' ');
  if (!hasKeywordWord(w.slice(0, 3)) && !hasKeywordWord(w.slice(-3))) return null;
  for (let n = 1; n <= 3 && n < w.length; n++) {
    for (const [keyword, other] of [
      [w.slice(w.length - n), w.slice(0, w.length - n)],
      [w.slice(0, n), w.slice(n)],
    ] as const) {
      const hit = clauseKeyword(keyword.join(' '));
      const rest = other.join(' ');
      if (hit && (isSupportClause(rest) || ambiguousPatterns(rest))) return { keyword: keyword.join(' '), hit };
    }
  }
  return null;
}

function isSupportClause(clause: string): boolean {
  const kept = clause
    .split(' ')
    .filter((t) => !isFiller(t) && !LAUGH_TOKEN.test(t))
    .join(' ');
  return kept === '' || SUPPORT_CLAUSES.has(kept) || ALREADY_ASKED.test(kept);
}

/** The whole message as a keyword (rule 1), or undefined when it is not one. */
function wholeMessageKeyword(reply: Reply, optedOut: boolean): ConsentIntent | null | undefined {
  const hit = keywordOf(reply.tokens);
  if (!hit) return undefined;
  const { entry } = hit;
  const language: Language = entry.language === 'es' || hit.spanishCourtesy ? 'es' : 'en';
  const es = language === 'es' ? '_es' : '';
  const rule = keywordRule(hit, reply) + es;
  const matched = reply.tokens.join(' ');
  const laughing = hit.laughing || reply.laughing;
  if (entry.action === 'opt_out') {
    const strong = entry.strength === 'high' || (entry.strength === 'with_courtesy' && hit.courtesy);
    let confidence: ConsentConfidence = strong ? 'high' : 'ambiguous';
    let why = strong ? rule : `ambiguous_keyword${es}`;
    // A misspelled UNSUBSCRIBE has no other meaning; a misspelled STOP might ("stoo").
    if (hit.variant === 'misspelled' && entry !== UNSUBSCRIBE_ENTRY) confidence = 'ambiguous';
    if (laughing && confidence === 'high') {
      confidence = 'ambiguous';
      why = `${rule}_laughing`;
    }
    return { action: 'opt_out', scope: entry.scope, confidence, rule: why, language, matched };
  }
  if (laughing) return null; // "start lol": banter
  if (entry.action === 'opt_in') return { action: 'opt_in', rule, matched };
  if (entry.action === 'help') return { action: 'help', rule, matched };
  // YES / SÍ: an opt-in only while opted out; otherwise "yes" answers something else.
  return optedOut ? { action: 'opt_in', rule: `yes_while_opted_out${es}`, matched } : undefined;
}

/** Nothing but stop-sign or raised-hand emoji: probably STOP, but only a person can tell. */
const STOP_EMOJI_ONLY = rx('u', String.raw`^(?:\s|\p{Cf}|\u{FE0F}
  |\p{Emoji_Modifier})*(?:(?:\u{1F6D1}|\u{26D4}|\u{1F6AB}|\u{270B}|\u{1F91A})(?:\s|\p{Cf}|\u{FE0F}
  |\p{Emoji_Modifier})*)+$`);

/** null = an ordinary reply for a human. */
export function readConsentIntent(body: string, context: { optedOut: boolean }): ConsentIntent | null {
  const reply = readReply(body);
  if (reply.tokens.length === 0) {
    return STOP_EMOJI_ONLY.test(body) ? optOut(found('ambiguous', 'stop_emoji', 'en', body.trim()), false) : null;
  }
  const message = reply.clauses.join(' ');

  // 1. The whole message is a keyword, maybe with courtesy words or a signature.
  const keyword = wholeMessageKeyword(reply, context.optedOut);
  if (keyword !== undefined) return keyword;

  // 2. Revocation in plain words anywhere; a clear one settles it.
  let ambiguous: Found | null = null;
  const consider = (f: Found | null): OptOut | null => {
    if (f?.confidence === 'high') return optOut(f, reply.laughing);
    if (f && !ambiguous) ambiguous = f;
    return null;
  };
  const plain: (Found | null)[] = [];
  for (const clause of reply.clauses) {
    const f = plainWords(clause, message);
    const clear = consider(f);
    if (clear) return clear;
    plain.push(f);
  }
  // "NO. STOP. TEXTING. ME.": full stops for emphasis, not sentences.
  if (reply.clauses.length > 1 && reply.clauses.every((c) => c.split(' ').length <= 2)) {
    const clear = consider(plainWords(message, message));
    if (clear) return clear;
  }

  // 3. A keyword standing as its own clause in a longer message: "Who is this? STOP",
  //    "wrong number stop". Backed up by the rest → high; next to anything else → a person.
  let keywordClause: string | null = null;
  let keywordLanguage: Language = 'en';
  let scope: 'all' | 'default' = 'default';
  const patterns = reply.clauses.map(ambiguousPatterns);
  const hits = reply.clauses.map((clause) => {
    const k = clauseKeyword(clause);
    return k ? { keyword: clause, hit: k } : splitKeywordRun(clause);
  });
  for (const k of hits) {
    if (!k) continue;
    keywordClause ??= k.keyword;
    if (k.hit.entry.language === 'es' || k.hit.spanishCourtesy) keywordLanguage = 'es';
    if (k.hit.entry.scope === 'all') scope = 'all';
  }
  const supported =
    keywordClause !== null &&
    reply.clauses.every((clause, i) => hits[i] || plain[i] || patterns[i] || isSupportClause(clause));
  if (keywordClause !== null) {
    if (keywordLanguage === 'en') keywordLanguage = languageOf(reply.tokens);
    const rule = supported ? 'keyword_with_context' : 'keyword_in_message';
    // A keyword with delighted words around it ("Stop!!! That's the best news") is most likely
    // joy, but a keyword is never dropped unread: a person decides.
    return optOut(found(supported ? 'high' : 'ambiguous', rule, keywordLanguage, keywordClause, scope), reply.laughing);
  }

  if (ambiguous) return optOut(ambiguous, false);

  // 4. Complaints, half-said revocations, a vague keyword among other words: a person decides.
  for (const [i, clause] of reply.clauses.entries()) {
    const f = patterns[i] ?? weakKeyword(clause) ?? strayKeyword(clause, reply.laughing || reply.delighted);
    if (f) return optOut(f, false);
  }
  return null;
}

/** "No more, I'm moving away": a word that is only ever ambiguous, as a clause of its own. */
function weakKeyword(clause: string): Found | null {
  const words = clause.split(' ');
  if (!hasKeywordWord(words)) return null;
  const k = keywordOf(words);
  if (!k || k.entry.action !== 'opt_out' || k.entry.strength === 'high') return null;
  return found('ambiguous', 'ambiguous_keyword', k.entry.language, clause);
}
