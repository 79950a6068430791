import { Type, type TSchema } from '@sinclair/typebox';

/**
 * One schema per boundary: these drive request validation, response serialisation and
 * the OpenAPI document at /docs.
 */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Timestamp = Type.String({ format: 'date-time' });

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable snake_case error code' }),
      message: Type.String(),
      field: Type.Optional(Type.String({ description: 'the request field that was wrong' })),
    }),
  },
);

export const PhoneNumber = Type.String({ minLength: 1, maxLength: 40, description: 'E.164, national form, or short code' });

export const MessageSchema = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  direction: Type.Union([Type.Literal('outbound'), Type.Literal('inbound')]),
  from: Type.String(),
  to: Type.String(),
  body: Type.String({ description: 'payment card numbers, SSNs and IBANs are masked; see POST /v1/messages/:id/reveal' }),
  bodyMasked: Type.Boolean({ description: 'true when sensitive data in the body is masked' }),
  category: Type.String(),
  status: Type.String(),
  errorCode: Nullable(Type.String()),
  errorMessage: Nullable(Type.String()),
  encoding: Type.Union([Type.Literal('GSM-7'), Type.Literal('UCS-2')]),
  segments: Type.Integer(),
  carrierMessageId: Nullable(Type.String()),
  carrierMessageIds: Type.Array(Type.String()),
  attempts: Type.Integer(),
  sendAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  scheduledAt: Nullable(Timestamp),
  queuedAt: Nullable(Timestamp),
  sendingAt: Nullable(Timestamp),
  sentAt: Nullable(Timestamp),
  deliveredAt: Nullable(Timestamp),
  undeliveredAt: Nullable(Timestamp),
  failedAt: Nullable(Timestamp),
  canceledAt: Nullable(Timestamp),
  receivedAt: Nullable(Timestamp),
});

export const ContactSchema = Type.Object({
  id: Type.String(),
  phoneNumber: Type.String(),
  name: Nullable(Type.String()),
  attributes: Type.Record(Type.String(), Type.String()),
  optedOut: Type.Boolean({ description: 'opted out of every number of the workspace' }),
  optedOutAt: Nullable(Timestamp),
  consentReviewPending: Type.Boolean({
    description: 'a reply that may be an opt-out awaits a person (POST /v1/contacts/:id/consent/review); marketing is held',
  }),
  timeZone: Nullable(Type.String({ description: "IANA time zone for quiet hours; null = from the phone number" })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const NumberSchema = Type.Object({
  id: Type.String(),
  phoneNumber: Type.String(),
  carrierId: Type.String(),
  kind: Type.String(),
  mps: Type.Number(),
  createdAt: Timestamp,
});

export const AssigneeSchema = Type.Object({
  type: Type.Union([Type.Literal('user'), Type.Literal('team')]),
  id: Type.String(),
  name: Type.String(),
});

export const ConversationSchema = Type.Object({
  id: Type.String(),
  contact: ContactSchema,
  number: NumberSchema,
  lastMessageAt: Nullable(Timestamp),
  lastMessagePreview: Nullable(Type.String()),
  createdAt: Timestamp,
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  assignee: Nullable(AssigneeSchema),
  snoozedUntil: Nullable(Timestamp),
  unread: Type.Boolean({ description: 'an inbound message arrived after the thread was last read by anyone' }),
  lastInboundAt: Nullable(Timestamp),
  lastReadAt: Nullable(Timestamp),
});

export const NoteSchema = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  body: Type.String(),
  author: Type.Object({
    id: Nullable(Type.String({ description: 'the user; null when written with an API key' })),
    name: Type.String({ description: "the user's name, or 'API key <prefix>'" }),
  }),
  createdAt: Timestamp,
});

export const TeamSchema = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Timestamp });

export const TemplateSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  body: Type.String({ description: 'may use {{contact.name}}, {{contact.phoneNumber}}, {{business.name}}' }),
  createdAt: Timestamp,
});

export const CarrierSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  name: Type.String(),
  status: Type.String(),
  lastError: Nullable(Type.String({ description: 'why the carrier is not bound (SMPP); null when there is nothing to say' })),
  settings: Type.Record(Type.String(), Type.Unknown(), { description: 'adapter settings; secrets redacted' }),
  unmatchedReceipts: Type.Integer({
    minimum: 0,
    description: 'delivery receipts still matching no message a minute after they arrived; see /v1/carriers/{id}/unmatched-receipts',
  }),
  createdAt: Timestamp,
});

export const UnmatchedReceiptSchema = Type.Object({
  id: Type.String(),
  carrierMessageId: Type.String({ description: 'the message id the receipt names, as the carrier wrote it' }),
  status: Type.Union([Type.Literal('delivered'), Type.Literal('undelivered')]),
  errorCode: Nullable(Type.String()),
  raw: Nullable(Type.String({ description: 'the receipt as received (SMPP: the short_message text)' })),
  receivedAt: Timestamp,
});

export const UnparseableReceiptSchema = Type.Object({
  reason: Type.String({ description: 'why the adapter could not read it' }),
  raw: Type.String(),
  at: Timestamp,
});

export const UnmatchedReceiptsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'nextCursor of the previous page' })),
  before: Type.Optional(
    Type.String({ maxLength: 40, description: 'ISO 8601 date-time: only receipts received before it' }),
  ),
});

export const UnmatchedReceiptsPage = Type.Object({
  data: Type.Array(UnmatchedReceiptSchema, { description: 'newest first' }),
  nextCursor: Nullable(Type.String()),
  unparseable: Type.Array(UnparseableReceiptSchema, {
    description: 'receipts the adapter could not parse (SMPP), newest first, the latest 100',
  }),
});

export const UnknownOutcomeRule = Type.Union([Type.Literal('fail'), Type.Literal('retry')], {
  description:
    'a submit whose answer was never recorded (worker crash): "fail" with submit_outcome_unknown (at most once, default) or "retry" (at least once; a duplicate is possible)',
});

const SendWindowText = Type.String({ pattern: '^\\d{2}:\\d{2}-\\d{2}:\\d{2}$', description: "'HH:MM-HH:MM' in the recipient's local time" });
const FrequencyCapSchema = Type.Object(
  {
    max: Type.Integer({ minimum: 1, maximum: 1000, description: 'marketing messages per contact within the window' }),
    windowHours: Type.Number({ exclusiveMinimum: 0, maximum: 720 }),
    overCap: Type.Union([Type.Literal('defer'), Type.Literal('fail')], { description: 'hold until allowed, or fail with frequency_capped' }),
  },
  { additionalProperties: false },
);

/** The compliance settings as the workspace shows them (`optional`: as PATCH takes them). */
export function ComplianceFields(optional: boolean) {
  const field = <T extends TSchema>(schema: T) => (optional ? Type.Optional(schema) : schema);
  return {
    brandName: field(Nullable(Type.String({ maxLength: 100, description: "the name in automatic replies; null = the workspace's name" }))),
    supportContact: field(Nullable(Type.String({ maxLength: 200, description: 'how customers reach a person; in the HELP reply' }))),
    optOutReply: field(Nullable(Type.String({ maxLength: 10_000, description: 'confirmation sent once after an opt-out; {{brand}}, {{support}}; null = default' }))),
    optInReply: field(Nullable(Type.String({ maxLength: 10_000, description: 'reply to START; {{brand}}, {{support}}; null = default' }))),
    optOutScope: field(Type.Union([Type.Literal('workspace'), Type.Literal('number')], { description: 'what STOP opts out of; STOPALL is always the workspace' })),
    quietHours: field(Nullable(SendWindowText)),
    regionQuietHours: field(Type.Record(Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$' }), SendWindowText, { description: "stricter windows by ISO 3166-2 region, e.g. {'US-FL': '08:00-20:00'}" })),
    timeZone: field(Type.String({ maxLength: 64, description: 'IANA zone for recipients whose zone nothing tells' })),
    marketingCap: field(Nullable(FrequencyCapSchema)),
  };
}

export const WorkspaceSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  defaultCountry: Type.String({ description: 'ISO 3166 alpha-2; national phone numbers are read in it' }),
  helpText: Nullable(Type.String({ description: 'reply to HELP; null for the default' })),
  smartEncoding: Type.Boolean({ description: 'replace look-alike Unicode with GSM characters before sending' }),
  unknownOutcome: UnknownOutcomeRule,
  maxSegmentsPerSecond: Nullable(Type.Number({ description: 'segments per second across all senders; null = no workspace limit' })),
  ...ComplianceFields(false),
  createdAt: Timestamp,
});

export const SmartEncodingFlag = Type.Boolean({
  description: "replace look-alike Unicode (curly quotes, dashes, …) with GSM characters; default: the workspace's setting",
});

export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const Category = Type.Union([
  Type.Literal('transactional'),
  Type.Literal('conversational'),
  Type.Literal('marketing'),
]);

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), nextCursor: Nullable(Type.String()) });

/** Standard error responses, documented on every authenticated route. */
export const errorResponses = {
  400: ErrorSchema,
  401: ErrorSchema,
  404: ErrorSchema,
} as const;
