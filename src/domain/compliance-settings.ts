/**
 * A workspace's compliance settings: how consent is scoped, what the automatic replies
 * say, when marketing may go out and how often. Stored as one JSON document per
 * workspace; every field has a default, so a workspace that never changed anything
 * follows the rules as documented (docs/compliance.md).
 */
export type OptOutScope = 'workspace' | 'number';
export type OverCapAction = 'defer' | 'fail';

export interface FrequencyCap {
  /** Marketing messages per contact within the window. */
  max: number;
  windowHours: number;
  /** Over the cap: hold the message until the window allows it, or fail it (`frequency_capped`). */
  overCap: OverCapAction;
}

export interface ComplianceSettings {
  /** The name in automatic replies; null = the workspace's name. */
  brandName: string | null;
  /** How customers reach a person (a phone number, an address, a URL); in the HELP reply. */
  supportContact: string | null;
  /** Templates with {{brand}} and {{support}}; null = the defaults below. */
  optOutReply: string | null;
  optInReply: string | null;
  /** STOP applies to every number of the workspace, or only the number it was sent to. STOPALL is always workspace-wide. */
  optOutScope: OptOutScope;
  /** Marketing send window in the recipient's local time, 'HH:MM-HH:MM'; null = no quiet hours. */
  quietHours: string | null;
  /** Stricter windows by region (ISO 3166-2, e.g. 'US-FL'), applied when the window is on. */
  regionQuietHours: Record<string, string>;
  /** The zone for recipients whose zone nothing tells (IANA name). */
  timeZone: string;
  /** null = no cap. */
  marketingCap: FrequencyCap | null;
}

export const DEFAULT_COMPLIANCE: ComplianceSettings = {
  brandName: null,
  supportContact: null,
  optOutReply: null,
  optInReply: null,
  optOutScope: 'workspace',
  quietHours: '08:00-21:00',
  // Florida (FTSA) and Oklahoma (OTSA) allow telephone solicitation only until 20:00.
  regionQuietHours: { 'US-FL': '08:00-20:00', 'US-OK': '08:00-20:00' },
  timeZone: 'America/New_York',
  marketingCap: { max: 3, windowHours: 24, overCap: 'defer' },
};

/** Stored settings over the defaults: a field added later takes its default for old workspaces. */
export function complianceFrom(stored: Partial<ComplianceSettings> | null | undefined): ComplianceSettings {
  return { ...DEFAULT_COMPLIANCE, ...(stored ?? {}) };
}

export const DEFAULT_OPT_OUT_REPLY =
  '{{brand}}: You have been unsubscribed and will receive no more messages. Reply START to resubscribe.';
export const DEFAULT_OPT_IN_REPLY =
  '{{brand}}: You have been resubscribed to messages. Reply STOP to unsubscribe, HELP for help.';
export const DEFAULT_HELP_REPLY = '{{brand}}: {{support}}Reply STOP to unsubscribe. Msg & data rates may apply.';

export interface ReplyValues {
  brand: string;
  support: string | null;
}

/**
 * Fills a reply template. `{{workspace}}` is kept as another name for the brand (older
 * help texts use it). An empty support contact leaves no dangling "Support:".
 */
export function renderComplianceReply(template: string, values: ReplyValues): string {
  // Function replacements, so a name such as "Bob's $& Shop" is inserted literally.
  return template
    .replaceAll('{{brand}}', () => values.brand)
    .replaceAll('{{workspace}}', () => values.brand)
    .replaceAll('{{support}}', () => (values.support ? `Help at ${values.support}. ` : ''));
}

export function replyValues(workspace: { name: string; compliance: ComplianceSettings }): ReplyValues {
  return { brand: workspace.compliance.brandName ?? workspace.name, support: workspace.compliance.supportContact };
}
