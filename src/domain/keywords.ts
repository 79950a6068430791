/**
 * Standard carrier keywords: the floor of compliance (CTIA / carrier rules).
 * A message counts only when it is the keyword alone — any case, with surrounding
 * whitespace and punctuation ignored — so "Stop texting me about pizza" is a reply
 * for a human, not an opt-out.
 */
export type KeywordAction = 'opt_out' | 'opt_in' | 'help';

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN = new Set(['START', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);

/**
 * Whitespace, punctuation and symbols (emoji included), plus the invisible characters
 * phones attach to them: format characters (zero-width space, ZWJ) and variation
 * selectors ("✋️" is U+270B U+FE0F). Left in, "STOP ✋️" would not read as STOP.
 */
const DECORATION = String.raw`[\s\p{P}\p{S}\p{Cf}\u{FE00}-\u{FE0F}]+`;
const DECORATION_AT_ENDS = new RegExp(`^${DECORATION}|${DECORATION}$`, 'gu');

/** Strips decoration at both ends, then upper-cases. */
export function normalizeKeyword(body: string): string {
  return body.replace(DECORATION_AT_ENDS, '').toUpperCase();
}

/**
 * @param currentlyOptedOut YES only opts back in while the contact is opted out;
 *   otherwise it is an ordinary reply ("yes, see you Tuesday").
 */
export function classifyKeyword(body: string, currentlyOptedOut: boolean): KeywordAction | null {
  const word = normalizeKeyword(body);
  if (OPT_OUT.has(word)) return 'opt_out';
  if (OPT_IN.has(word)) return 'opt_in';
  if (word === 'YES' && currentlyOptedOut) return 'opt_in';
  if (HELP.has(word)) return 'help';
  return null;
}

export const DEFAULT_OPT_OUT_REPLY =
  'You have been unsubscribed and will receive no more messages from {{workspace}}. Reply START to resubscribe.';
export const DEFAULT_OPT_IN_REPLY =
  'You have been resubscribed to messages from {{workspace}}. Reply STOP to unsubscribe, HELP for help.';
export const DEFAULT_HELP_REPLY =
  '{{workspace}}: reply STOP to unsubscribe. Msg & data rates may apply.';

export function renderComplianceReply(template: string, workspaceName: string): string {
  // A function replacement, so a name such as "Bob's $& Shop" is inserted literally.
  return template.replaceAll('{{workspace}}', () => workspaceName);
}
