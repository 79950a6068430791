import { complianceFrom, type ComplianceSettings } from '../domain/compliance-settings.js';
import type { Selectable } from 'kysely';
import type {
  ApiKey,
  BusinessNumber,
  CarrierRecord,
  CarrierType,
  ConsentEvent,
  Contact,
  Conversation,
  Message,
  MessageCategory,
  MessageDirection,
  Note,
  NumberKind,
  Team,
  Template,
  User,
  Workspace,
} from '../domain/models.js';
import type { MessageStatus } from '../domain/message-status.js';
import type { SmsEncoding } from '../domain/sms-encoding.js';
import type {
  ApiKeyTable,
  CarrierTable,
  ConsentEventTable,
  ContactTable,
  ConversationTable,
  MessageTable,
  NoteTable,
  NumberTable,
  TeamTable,
  TemplateTable,
  UserTable,
  WorkspaceTable,
} from './schema.js';

/** Rows are snake_case with portable types; the core sees camelCase records. */
export function toWorkspace(row: Selectable<WorkspaceTable>): Workspace {
  return {
    id: row.id,
    name: row.name,
    defaultCountry: row.default_country,
    helpText: row.help_text,
    smartEncoding: Number(row.smart_encoding) === 1,
    unknownOutcome: row.unknown_outcome === 'retry' ? 'retry' : 'fail',
    maxSegmentsPerSecond: row.max_segments_per_second === null ? null : Number(row.max_segments_per_second),
    compliance: complianceFrom(JSON.parse(row.compliance || '{}') as Partial<ComplianceSettings>),
    createdAt: row.created_at,
  };
}

export function toUser(row: Selectable<UserTable>): User {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    email: row.email,
    name: row.name,
    role: row.role as User['role'],
    createdAt: row.created_at,
  };
}

export function toApiKey(row: Selectable<ApiKeyTable>): ApiKey {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export function toCarrier(row: Selectable<CarrierTable>): CarrierRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    type: row.type as CarrierType,
    name: row.name,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

export function toNumber(row: Selectable<NumberTable>): BusinessNumber {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    carrierId: row.carrier_id,
    phoneNumber: row.phone_number,
    kind: row.kind as NumberKind,
    mps: row.mps === null ? null : Number(row.mps),
    createdAt: row.created_at,
  };
}

export function toContact(row: Selectable<ContactTable>): Contact {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    phoneNumber: row.phone_number,
    name: row.name,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    optedOutAt: row.opted_out_at,
    timeZone: row.time_zone,
    consentReviewAt: row.consent_review_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toConversation(row: Selectable<ConversationTable>): Conversation {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    numberId: row.number_id,
    contactId: row.contact_id,
    lastMessageAt: row.last_message_at,
    lastMessagePreview: row.last_message_preview,
    createdAt: row.created_at,
    status: row.status === 'closed' ? 'closed' : 'open',
    assigneeUserId: row.assignee_user_id,
    assigneeTeamId: row.assignee_team_id,
    snoozedUntil: row.snoozed_until,
    lastInboundAt: row.last_inbound_at,
    lastReadAt: row.last_read_at,
    lastActivityAt: row.last_activity_at,
  };
}

export function toTeam(row: Selectable<TeamTable>): Team {
  return { id: row.id, workspaceId: row.workspace_id, name: row.name, createdAt: row.created_at };
}

export function toTemplate(row: Selectable<TemplateTable>): Template {
  return { id: row.id, workspaceId: row.workspace_id, name: row.name, body: row.body, createdAt: row.created_at };
}

export function toNote(row: Selectable<NoteTable>): Note {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    conversationId: row.conversation_id,
    authorUserId: row.author_user_id,
    authorLabel: row.author_label,
    body: row.body,
    createdAt: row.created_at,
  };
}

export function toMessage(row: Selectable<MessageTable>, carrierMessageIds: string[]): Message {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    conversationId: row.conversation_id,
    numberId: row.number_id,
    contactId: row.contact_id,
    direction: row.direction as MessageDirection,
    from: row.from_phone,
    to: row.to_phone,
    body: row.body,
    category: row.category as MessageCategory,
    status: row.status as MessageStatus,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    encoding: row.encoding as SmsEncoding,
    segments: Number(row.segments),
    carrierId: row.carrier_id,
    carrierMessageIds:
      carrierMessageIds.length > 0 ? carrierMessageIds : row.carrier_message_id ? [row.carrier_message_id] : [],
    consentExempt: Number(row.consent_exempt) === 1,
    attempts: Number(row.attempts),
    sendAt: row.send_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    scheduledAt: row.scheduled_at,
    queuedAt: row.queued_at,
    sendingAt: row.sending_at,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
    undeliveredAt: row.undelivered_at,
    failedAt: row.failed_at,
    canceledAt: row.canceled_at,
    receivedAt: row.received_at,
  };
}

export function toConsentEvent(row: Selectable<ConsentEventTable>): ConsentEvent {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    contactId: row.contact_id,
    kind: row.kind as ConsentEvent['kind'],
    source: row.source as ConsentEvent['source'],
    scope: row.scope === 'number' ? 'number' : 'workspace',
    numberId: row.number_id,
    evidence: row.evidence,
    messageId: row.message_id,
    rule: row.rule,
    actor: row.actor,
    createdAt: row.created_at,
  };
}
