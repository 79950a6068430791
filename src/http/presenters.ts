import type { Static } from '@sinclair/typebox';
import { isUnread, type BusinessNumber, type Contact, type Message, type Note, type Team, type Template, type Workspace } from '../domain/models.js';
import type { CarrierView } from '../app/carrier.service.js';
import type { UnmatchedReceiptsReport } from '../app/unmatched-receipts.js';
import type { ConversationView } from '../app/queries.js';
import { senderRate } from '../domain/send-pace.js';
import { maskSensitiveData } from '../domain/sensitive-data.js';
import type {
  CarrierSchema,
  ContactSchema,
  ConversationSchema,
  MessageSchema,
  NoteSchema,
  NumberSchema,
  TeamSchema,
  TemplateSchema,
  UnmatchedReceiptsPage,
  WorkspaceSchema,
} from './schemas.js';

export function presentWorkspace(w: Workspace): Static<typeof WorkspaceSchema> {
  return {
    id: w.id,
    name: w.name,
    defaultCountry: w.defaultCountry,
    helpText: w.helpText,
    smartEncoding: w.smartEncoding,
    unknownOutcome: w.unknownOutcome,
    maxSegmentsPerSecond: w.maxSegmentsPerSecond,
    ...w.compliance,
    createdAt: w.createdAt,
  };
}

export function presentMessage(m: Message): Static<typeof MessageSchema> {
  const masked = maskSensitiveData(m.body);
  return {
    id: m.id,
    conversationId: m.conversationId,
    direction: m.direction,
    from: m.from,
    to: m.to,
    body: masked === m.body ? m.body : masked,
    bodyMasked: masked !== m.body,
    category: m.category,
    status: m.status,
    errorCode: m.errorCode,
    errorMessage: m.errorMessage,
    encoding: m.encoding,
    segments: m.segments,
    carrierMessageId: m.carrierMessageIds[0] ?? null,
    carrierMessageIds: m.carrierMessageIds,
    attempts: m.attempts,
    sendAt: m.sendAt,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    scheduledAt: m.scheduledAt,
    queuedAt: m.queuedAt,
    sendingAt: m.sendingAt,
    sentAt: m.sentAt,
    deliveredAt: m.deliveredAt,
    undeliveredAt: m.undeliveredAt,
    failedAt: m.failedAt,
    canceledAt: m.canceledAt,
    receivedAt: m.receivedAt,
  };
}

export function presentContact(c: Contact): Static<typeof ContactSchema> {
  return {
    id: c.id,
    phoneNumber: c.phoneNumber,
    name: c.name,
    attributes: c.attributes,
    optedOut: c.optedOutAt !== null,
    optedOutAt: c.optedOutAt,
    consentReviewPending: c.consentReviewAt !== null,
    timeZone: c.timeZone,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export function presentNumber(n: BusinessNumber): Static<typeof NumberSchema> {
  return {
    id: n.id,
    phoneNumber: n.phoneNumber,
    carrierId: n.carrierId,
    kind: n.kind,
    // What the worker paces this sender at, in segments per second.
    mps: senderRate(n.kind, n.mps),
    createdAt: n.createdAt,
  };
}

export function presentConversation(c: ConversationView): Static<typeof ConversationSchema> {
  return {
    id: c.id,
    contact: presentContact(c.contact),
    number: presentNumber(c.number),
    lastMessageAt: c.lastMessageAt,
    lastMessagePreview: c.lastMessagePreview === null ? null : maskSensitiveData(c.lastMessagePreview),
    createdAt: c.createdAt,
    status: c.status,
    assignee: c.assignee,
    snoozedUntil: c.snoozedUntil,
    unread: isUnread(c),
    lastInboundAt: c.lastInboundAt,
    lastReadAt: c.lastReadAt,
  };
}

export function presentNote(n: Note): Static<typeof NoteSchema> {
  return {
    id: n.id,
    conversationId: n.conversationId,
    body: n.body,
    author: { id: n.authorUserId, name: n.authorLabel },
    createdAt: n.createdAt,
  };
}

export function presentTeam(t: Team): Static<typeof TeamSchema> {
  return { id: t.id, name: t.name, createdAt: t.createdAt };
}

export function presentTemplate(t: Template): Static<typeof TemplateSchema> {
  return { id: t.id, name: t.name, body: t.body, createdAt: t.createdAt };
}

const SECRET_SETTING = /password|secret|token|apikey/i;

export function presentCarrier(c: CarrierView): Static<typeof CarrierSchema> {
  const settings = Object.fromEntries(
    Object.entries(c.settings).map(([key, value]) => [key, SECRET_SETTING.test(key) ? '********' : value]),
  );
  return {
    id: c.id,
    type: c.type,
    name: c.name,
    status: c.status,
    lastError: c.lastError,
    settings,
    unmatchedReceipts: c.unmatchedReceipts ?? 0,
    createdAt: c.createdAt,
  };
}

export function presentUnmatchedReceipts(r: UnmatchedReceiptsReport): Static<typeof UnmatchedReceiptsPage> {
  return {
    data: r.data.map((receipt) => ({
      id: receipt.id,
      carrierMessageId: receipt.carrierMessageId,
      status: receipt.status,
      errorCode: receipt.errorCode,
      raw: receipt.raw,
      receivedAt: receipt.receivedAt,
    })),
    nextCursor: r.nextCursor,
    unparseable: r.unparseable.map((u) => ({ reason: u.reason, raw: u.raw, at: u.at.toISOString() })),
  };
}
