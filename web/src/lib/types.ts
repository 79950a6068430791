/** The shapes the inbox reads from Parley's API (docs/inbox-api.md). */

export type Role = 'owner' | 'admin' | 'agent';

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  createdAt: string;
}

export interface Workspace {
  id: string;
  name: string;
  /** The name in automatic replies and {{business.name}}; null = the workspace's name. */
  brandName?: string | null;
  defaultCountry: string;
}

export interface Session {
  user: User;
  workspace: Workspace;
  csrfToken: string;
}

export interface Contact {
  id: string;
  phoneNumber: string;
  name: string | null;
  attributes: Record<string, string>;
  optedOut: boolean;
  optedOutAt: string | null;
  consentReviewPending: boolean;
  timeZone: string | null;
}

export interface BusinessNumber {
  id: string;
  phoneNumber: string;
  carrierId: string;
  kind: string;
  mps: number;
}

export type Assignee = { type: 'user' | 'team'; id: string; name: string } | null;

export interface Conversation {
  id: string;
  contact: Contact;
  number: BusinessNumber;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  status?: 'open' | 'closed';
  assignee?: Assignee;
  snoozedUntil?: string | null;
  unread?: boolean;
  lastInboundAt?: string | null;
  createdAt: string;
}

export interface Message {
  id: string;
  conversationId: string;
  direction: 'outbound' | 'inbound';
  from: string;
  to: string;
  body: string;
  status: string;
  errorCode: string | null;
  errorMessage: string | null;
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  createdAt: string;
}

export interface Note {
  id: string;
  conversationId: string;
  body: string;
  author: { id: string; name: string } | null;
  createdAt: string;
}

export interface Team {
  id: string;
  name: string;
}

export interface Template {
  id: string;
  name: string;
  body: string;
}

export interface ConsentEvent {
  id: string;
  kind: string;
  source: string;
  scope: 'workspace' | 'number';
  number: string | null;
  evidence: string | null;
  rule: string | null;
  actor: string;
  createdAt: string;
}

export interface Consent {
  contactId: string;
  optedOut: boolean;
  optedOutNumbers: { number: string; since: string }[];
  consentReviewPending: boolean;
  events: ConsentEvent[];
}

export interface Carrier {
  id: string;
  type: string;
  name: string;
  status: string;
  lastError: string | null;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface HandsetMessage {
  direction: string;
  peer: string;
  body: string;
  carrierMessageId: string;
  at: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export type ConversationView = 'open' | 'mine' | 'unassigned' | 'snoozed' | 'closed';
