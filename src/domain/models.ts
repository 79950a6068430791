import type { MessageStatus } from './message-status.js';
import type { SmsEncoding } from './sms-encoding.js';
import type { ComplianceSettings } from './compliance-settings.js';

/** Plain records the core works with; the store maps rows to these, the HTTP layer presents them. */
export interface Workspace {
  id: string;
  name: string;
  defaultCountry: string;
  helpText: string | null;
  /** Replace look-alike Unicode with GSM characters before sending (see smart-encoding.ts). */
  smartEncoding: boolean;
  /**
   * What a submit whose outcome is unknown (the worker died between the carrier call and
   * recording its answer) becomes: 'fail' with `submit_outcome_unknown` (at most once, the
   * default) or 'retry' (at least once: the customer may get it twice).
   */
  unknownOutcome: UnknownOutcomeRule;
  /** Segments per second across all the workspace's senders; null = only per-sender limits. */
  maxSegmentsPerSecond: number | null;
  /** Consent, replies, quiet hours and caps (see compliance-settings.ts). */
  compliance: ComplianceSettings;
  createdAt: string;
}

export type UnknownOutcomeRule = 'fail' | 'retry';

/** The workspace settings a user may change. */
export type WorkspaceSettings = Pick<
  Workspace,
  'smartEncoding' | 'helpText' | 'defaultCountry' | 'unknownOutcome' | 'maxSegmentsPerSecond'
> & { compliance?: Partial<ComplianceSettings> };

export interface User {
  id: string;
  workspaceId: string;
  email: string;
  name: string;
  role: 'owner' | 'admin' | 'agent';
  createdAt: string;
}

export interface ApiKey {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export type CarrierType = 'simulator' | 'smpp';

export interface CarrierRecord {
  id: string;
  workspaceId: string;
  type: CarrierType;
  name: string;
  settings: Record<string, unknown>;
  createdAt: string;
}

export type NumberKind = 'long_code' | 'toll_free' | 'short_code';

export interface BusinessNumber {
  id: string;
  workspaceId: string;
  carrierId: string;
  phoneNumber: string;
  kind: NumberKind;
  mps: number | null;
  createdAt: string;
}

export interface Contact {
  id: string;
  workspaceId: string;
  phoneNumber: string;
  name: string | null;
  attributes: Record<string, string>;
  /** Opted out of every number of the workspace (a copy of the consent ledger's verdict). */
  optedOutAt: string | null;
  /** The contact's own IANA time zone, when the business knows it (quiet hours). */
  timeZone: string | null;
  /** Since when an ambiguous reply awaits a person's decision; marketing is held meanwhile. */
  consentReviewAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A thread as it is first written; the inbox fields start open, unassigned, unread. */
export interface NewConversation {
  id: string;
  workspaceId: string;
  numberId: string;
  contactId: string;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  createdAt: string;
}

export type ConversationStatus = 'open' | 'closed';

export interface Conversation extends NewConversation {
  status: ConversationStatus;
  /** Who works the thread: a user, a team, or nobody (never both). */
  assigneeUserId: string | null;
  assigneeTeamId: string | null;
  /** Open, but out of the open views until then; a time in the past counts as open. */
  snoozedUntil: string | null;
  lastInboundAt: string | null;
  lastReadAt: string | null;
  /** The list's sort key: lastMessageAt, or createdAt before the first message. */
  lastActivityAt: string;
}

/** An inbound message arrived after anyone last read the thread. */
export function isUnread(conversation: Pick<Conversation, 'lastInboundAt' | 'lastReadAt'>): boolean {
  return (
    conversation.lastInboundAt !== null &&
    (conversation.lastReadAt === null || conversation.lastInboundAt > conversation.lastReadAt)
  );
}

/** Open and not snoozed at `now` (a snooze that ran out counts as open). */
export function isOpenAt(conversation: Pick<Conversation, 'status' | 'snoozedUntil'>, now: string): boolean {
  return conversation.status === 'open' && (conversation.snoozedUntil === null || conversation.snoozedUntil <= now);
}

export interface Team {
  id: string;
  workspaceId: string;
  name: string;
  createdAt: string;
}

export interface Template {
  id: string;
  workspaceId: string;
  name: string;
  body: string;
  createdAt: string;
}

/** An internal note on a thread: for staff only, never sent to the contact. */
export interface Note {
  id: string;
  workspaceId: string;
  conversationId: string;
  /** The user who wrote it; null when written with an API key. */
  authorUserId: string | null;
  /** The author's name as shown: the user's name, or 'API key <prefix>'. */
  authorLabel: string;
  body: string;
  createdAt: string;
}

export type MessageDirection = 'outbound' | 'inbound';
export type MessageCategory = 'transactional' | 'conversational' | 'marketing';

export interface Message {
  id: string;
  workspaceId: string;
  conversationId: string;
  numberId: string;
  contactId: string;
  direction: MessageDirection;
  from: string;
  to: string;
  body: string;
  category: MessageCategory;
  status: MessageStatus;
  errorCode: string | null;
  errorMessage: string | null;
  encoding: SmsEncoding;
  segments: number;
  carrierId: string | null;
  carrierMessageIds: string[];
  consentExempt: boolean;
  attempts: number;
  sendAt: string | null;
  createdAt: string;
  updatedAt: string;
  scheduledAt: string | null;
  queuedAt: string | null;
  sendingAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  undeliveredAt: string | null;
  failedAt: string | null;
  canceledAt: string | null;
  receivedAt: string | null;
}

/** The per-state timestamps of a message that has reached none of its states yet. */
export const NO_STATE_TIMESTAMPS = {
  scheduledAt: null,
  queuedAt: null,
  sendingAt: null,
  sentAt: null,
  deliveredAt: null,
  undeliveredAt: null,
  failedAt: null,
  canceledAt: null,
  receivedAt: null,
} as const satisfies Partial<Message>;

/**
 * The consent ledger's entries. `opted_out` / `opted_in` change what may be sent;
 * `help_requested` is kept as evidence; `review_requested` holds marketing to the contact
 * until a person settles an ambiguous reply (`review_resolved`, or an opt-out / opt-in).
 */
export type ConsentEventKind = 'opted_in' | 'opted_out' | 'help_requested' | 'review_requested' | 'review_resolved';

/** How the consent was expressed or gathered. */
export type ConsentSource = 'keyword' | 'plain_words' | 'api' | 'import' | 'agent' | 'web_form';

/** Workspace-wide, or only for one business number (`numberId`). */
export type ConsentScope = 'workspace' | 'number';

export interface ConsentEvent {
  id: string;
  workspaceId: string;
  contactId: string;
  kind: ConsentEventKind;
  source: ConsentSource;
  scope: ConsentScope;
  /** The business number a number-scoped event is about (and the one a text came in on). */
  numberId: string | null;
  /** The words that expressed it (the inbound text, or what the business recorded). */
  evidence: string | null;
  /** The inbound message that is the evidence, when it came by text. */
  messageId: string | null;
  /** Which recognition rule read the text (see consent-intent.ts), with its confidence. */
  rule: string | null;
  /** Who: 'contact' (by text), 'api_key:<prefix>', 'user:<id>', 'system'. */
  actor: string;
  createdAt: string;
}
