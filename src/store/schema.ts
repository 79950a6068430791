/**
 * Table shapes, written once for both dialects. Portable choices, on purpose:
 * times are ISO-8601 UTC strings (sortable as text), booleans are 0/1 integers and
 * JSON is text, so SQLite and PostgreSQL return identical rows.
 */
export interface WorkspaceTable {
  id: string;
  name: string;
  default_country: string;
  help_text: string | null;
  created_at: string;
  /** 0/1; added by migration 0003. */
  smart_encoding: number;
  /** 'fail' | 'retry' (migration 0006): what a submit with an unknown outcome becomes. */
  unknown_outcome: string;
  /** Workspace-wide segments per second across all senders; null = no limit (0006). */
  max_segments_per_second: number | null;
  /** JSON of ComplianceSettings fields that differ from the defaults (0011). */
  compliance: string;
}

export interface UserTable {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  created_at: string;
}

export interface ApiKeyTable {
  id: string;
  workspace_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface CarrierTable {
  id: string;
  workspace_id: string;
  type: string;
  name: string;
  settings: string;
  created_at: string;
}

export interface NumberTable {
  id: string;
  workspace_id: string;
  carrier_id: string;
  phone_number: string;
  kind: string;
  mps: number | null;
  created_at: string;
}

export interface ContactTable {
  id: string;
  workspace_id: string;
  phone_number: string;
  name: string | null;
  attributes: string;
  opted_out_at: string | null;
  created_at: string;
  updated_at: string;
  /** IANA zone the business recorded for the contact (0011). */
  time_zone: string | null;
  /** An ambiguous reply awaits a person (0011); marketing is held. */
  consent_review_at: string | null;
}

export interface ConversationTable {
  id: string;
  workspace_id: string;
  number_id: string;
  contact_id: string;
  last_message_at: string | null;
  last_message_preview: string | null;
  created_at: string;
  /** 'open' | 'closed' (migration 0013). */
  status: string;
  /** At most one of the two is set. */
  assignee_user_id: string | null;
  assignee_team_id: string | null;
  /** Open but out of the open views until then; a past time counts as open. */
  snoozed_until: string | null;
  last_inbound_at: string | null;
  last_read_at: string | null;
  /** The list's sort key: coalesce(last_message_at, created_at), kept so by every touch. */
  last_activity_at: string;
}

export interface MessageTable {
  id: string;
  workspace_id: string;
  conversation_id: string;
  number_id: string;
  contact_id: string;
  direction: string;
  from_phone: string;
  to_phone: string;
  body: string;
  category: string;
  status: string;
  error_code: string | null;
  error_message: string | null;
  encoding: string;
  segments: number;
  carrier_id: string | null;
  carrier_message_id: string | null;
  consent_exempt: number;
  priority: number;
  attempts: number;
  send_at: string | null;
  next_attempt_at: string | null;
  /** next_attempt_at plus the priority's head start (migration 0006); the claim order. */
  claim_order: string | null;
  /** Set just before the carrier call (0006): with it an expired lease's outcome is unknown. */
  submit_started_at: string | null;
  lease_until: string | null;
  created_at: string;
  updated_at: string;
  scheduled_at: string | null;
  queued_at: string | null;
  sending_at: string | null;
  sent_at: string | null;
  delivered_at: string | null;
  undelivered_at: string | null;
  failed_at: string | null;
  canceled_at: string | null;
  received_at: string | null;
}

export interface MessageCarrierIdTable {
  carrier_id: string;
  carrier_message_id: string;
  message_id: string;
  part_index: number;
}

/**
 * Lookup keys of the ids in message_carrier_ids (migration 0004): hex, decimal, case and
 * leading-zero variants of one id share a key. Not unique; see carrierMessageIdKeys.
 */
export interface CarrierMessageKeyTable {
  carrier_id: string;
  key: string;
  message_id: string;
  part_index: number;
}

/** Keys of receipts still waiting for their message (migration 0004); removed once matched. */
export interface DeliveryReceiptKeyTable {
  receipt_id: string;
  carrier_id: string;
  key: string;
}

export interface MessageEventTable {
  id: string;
  message_id: string;
  kind: string;
  status: string;
  error_code: string | null;
  applied: number;
  detail: string | null;
  created_at: string;
}

/** Receipts that could not be read at all (migration 0010). */
export interface UnparseableReceiptTable {
  id: string;
  carrier_id: string;
  reason: string;
  raw: string;
  received_at: string;
}

/** What each process last reported about a carrier's connection (migration 0009). */
export interface CarrierStatusTable {
  carrier_id: string;
  process_id: string;
  status: string;
  last_error: string | null;
  updated_at: string;
}

/** Limiter state per sender ('number:<id>') and workspace ('workspace:<id>'), migration 0006. */
export interface SendPaceTable {
  key: string;
  next_at_ms: number;
  slowdown: number;
  updated_at: string;
}

export interface DeliveryReceiptTable {
  id: string;
  carrier_id: string;
  carrier_message_id: string;
  message_id: string | null;
  status: string;
  error_code: string | null;
  raw: string | null;
  applied: number;
  received_at: string;
}

export interface ConsentEventTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  kind: string;
  source: string;
  evidence: string | null;
  message_id: string | null;
  created_at: string;
  scope: string;
  number_id: string | null;
  rule: string | null;
  actor: string;
}

export interface NumberOptOutTable {
  contact_id: string;
  number_id: string;
  opted_out_at: string;
}

export interface AuditEventTable {
  id: string;
  workspace_id: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  /** JSON. */
  detail: string;
  created_at: string;
}

export interface IdempotencyKeyTable {
  workspace_id: string;
  key: string;
  request_hash: string;
  message_id: string;
  created_at: string;
}

export interface UnroutedInboundTable {
  id: string;
  carrier_id: string | null;
  from_phone: string;
  to_phone: string;
  body: string;
  carrier_message_id: string | null;
  received_at: string;
}

/** One part of a concatenated inbound text; see migration 0002. */
export interface InboundPartTable {
  id: string;
  carrier_id: string;
  from_phone: string;
  to_phone: string;
  reference: number;
  total: number;
  sequence: number;
  body: string;
  carrier_message_id: string | null;
  received_at: string;
  first_received_at: string;
  expires_at: string;
  conflicting_copies: number;
  released_at: string | null;
  released_as: string | null;
}

export interface SessionTable {
  /** SHA-256 (hex) of the cookie's token; the token itself is never stored. */
  id: string;
  user_id: string;
  workspace_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface InviteTable {
  /** SHA-256 (hex) of the link's token. */
  id: string;
  workspace_id: string;
  role: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface SetupClaimTable {
  id: string;
  claimed_at: string;
}

export interface TeamTable {
  id: string;
  workspace_id: string;
  name: string;
  created_at: string;
}

export interface TemplateTable {
  id: string;
  workspace_id: string;
  name: string;
  body: string;
  created_at: string;
}

/** Internal notes on a thread (0013); never sent. */
export interface NoteTable {
  id: string;
  workspace_id: string;
  conversation_id: string;
  /** Null when written with an API key. */
  author_user_id: string | null;
  /** The author's name as shown: the user's name, or 'API key <prefix>'. */
  author_label: string;
  body: string;
  created_at: string;
}

export interface Database {
  workspaces: WorkspaceTable;
  users: UserTable;
  api_keys: ApiKeyTable;
  carriers: CarrierTable;
  numbers: NumberTable;
  contacts: ContactTable;
  conversations: ConversationTable;
  messages: MessageTable;
  message_carrier_ids: MessageCarrierIdTable;
  carrier_message_keys: CarrierMessageKeyTable;
  message_events: MessageEventTable;
  delivery_receipts: DeliveryReceiptTable;
  send_pace: SendPaceTable;
  carrier_status: CarrierStatusTable;
  unparseable_receipts: UnparseableReceiptTable;
  delivery_receipt_keys: DeliveryReceiptKeyTable;
  consent_events: ConsentEventTable;
  number_opt_outs: NumberOptOutTable;
  audit_events: AuditEventTable;
  idempotency_keys: IdempotencyKeyTable;
  unrouted_inbound: UnroutedInboundTable;
  inbound_parts: InboundPartTable;
  sessions: SessionTable;
  invites: InviteTable;
  setup_claims: SetupClaimTable;
  teams: TeamTable;
  templates: TemplateTable;
  notes: NoteTable;
}

