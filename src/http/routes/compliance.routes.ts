import { Readable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import { consentOf, recordGatheredConsent, resolveConsentReview, type ConsentView } from '../../app/consent.js';
import { consentLedgerCsv } from '../../app/consent-export.js';
import { updateContact } from '../../app/update-contact.js';
import { maskSensitiveData } from '../../domain/sensitive-data.js';
import { actorOf, requireAdmin, workspaceOf } from '../auth.js';
import { presentContact } from '../presenters.js';
import { ContactSchema, IdParams, ListQuery, Nullable, Timestamp, errorResponses, pageOf } from '../schemas.js';

const ConsentEventSchema = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'opted_in, opted_out, help_requested, review_requested, review_resolved' }),
  source: Type.String({ description: 'keyword, plain_words, api, import, agent, web_form' }),
  scope: Type.Union([Type.Literal('workspace'), Type.Literal('number')]),
  number: Nullable(Type.String({ description: 'the business number (number scope, or the number a text came in on)' })),
  evidence: Nullable(Type.String()),
  messageId: Nullable(Type.String()),
  rule: Nullable(Type.String({ description: 'the recognition rule that read the text, with its confidence' })),
  actor: Type.String(),
  createdAt: Timestamp,
});

const ConsentSchema = Type.Object({
  contactId: Type.String(),
  phoneNumber: Type.String(),
  optedOut: Type.Boolean({ description: 'opted out of every number of the workspace' }),
  optedOutAt: Nullable(Timestamp),
  optedOutNumbers: Type.Array(Type.Object({ number: Type.String(), since: Timestamp })),
  consentReviewPending: Type.Boolean(),
  reviewSince: Nullable(Timestamp),
  events: Type.Array(ConsentEventSchema, { description: 'the ledger, oldest first; the status above is derived from it' }),
});

const AuditEventSchema = Type.Object({
  id: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Timestamp,
});

const GatheredConsentBody = Type.Object(
  {
    status: Type.Union([Type.Literal('opted_in'), Type.Literal('opted_out')]),
    source: Type.Optional(
      Type.Union([Type.Literal('api'), Type.Literal('import'), Type.Literal('agent'), Type.Literal('web_form')], { default: 'api' }),
    ),
    evidence: Type.String({ minLength: 1, maxLength: 5000, description: 'how and where the consent was gathered, in words' }),
    number: Type.Optional(Type.String({ description: "only for this business number (E.164); absent = the whole workspace" })),
  },
  { additionalProperties: false },
);

const ReviewBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('opted_out'), Type.Literal('not_an_opt_out')]),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

const ContactPatch = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    timeZone: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'IANA zone, e.g. America/Chicago' }))),
    attributes: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

function presentConsent(view: ConsentView): Static<typeof ConsentSchema> {
  const numbers = view.numberPhones;
  return {
    contactId: view.contact.id,
    phoneNumber: view.contact.phoneNumber,
    optedOut: view.status.optedOutAt !== null,
    optedOutAt: view.status.optedOutAt,
    optedOutNumbers: [...view.status.optedOutNumbers].map(([numberId, since]) => ({ number: numbers.get(numberId) ?? numberId, since })),
    consentReviewPending: view.status.reviewPending !== null,
    reviewSince: view.status.reviewPending?.since ?? null,
    events: view.events.map((event) => ({
      id: event.id,
      kind: event.kind,
      source: event.source,
      scope: event.scope,
      number: event.numberId === null ? null : (numbers.get(event.numberId) ?? event.numberId),
      evidence: event.evidence === null ? null : maskSensitiveData(event.evidence),
      messageId: event.messageId,
      rule: event.rule,
      actor: event.actor,
      createdAt: event.createdAt,
    })),
  };
}

/** Consent ledger, consent gathered elsewhere, consent reviews, the CSV export and the audit log. */
export async function complianceRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  app.patch(
    '/v1/contacts/:id',
    {
      schema: {
        tags: ['contacts'],
        summary: "Change a contact's name, time zone or attributes",
        params: IdParams,
        body: ContactPatch,
        response: { 200: ContactSchema, ...errorResponses },
      },
    },
    async (request) => presentContact(await updateContact(ctx, workspaceOf(request), request.params.id, request.body)),
  );

  app.get(
    '/v1/contacts/:id/consent',
    {
      schema: {
        tags: ['consent'],
        summary: "A contact's consent and its ledger",
        params: IdParams,
        response: { 200: ConsentSchema, ...errorResponses },
      },
    },
    async (request) => presentConsent(await consentOf(ctx, workspaceOf(request), request.params.id)),
  );

  app.post(
    '/v1/contacts/:id/consent',
    {
      schema: {
        tags: ['consent'],
        summary: 'Record consent gathered elsewhere (web form, paper, import), with its evidence',
        params: IdParams,
        body: GatheredConsentBody,
        response: { 201: ConsentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const view = await recordGatheredConsent(ctx, workspaceOf(request), actorOf(request), request.params.id, {
        ...request.body,
        source: request.body.source ?? 'api',
      });
      return reply.status(201).send(presentConsent(view));
    },
  );

  app.post(
    '/v1/contacts/:id/consent/review',
    {
      schema: {
        tags: ['consent'],
        summary: 'Settle a reply that may have been an opt-out: it was one, or it was not (marketing resumes)',
        params: IdParams,
        body: ReviewBody,
        response: { 200: ConsentSchema, ...errorResponses },
      },
    },
    async (request) => presentConsent(await resolveConsentReview(ctx, workspaceOf(request), actorOf(request), request.params.id, request.body)),
  );

  app.get(
    '/v1/consent/export.csv',
    {
      schema: {
        tags: ['consent'],
        summary: "The workspace's consent ledger as CSV, oldest first",
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const workspace = workspaceOf(request);
      const day = ctx.clock.now().toISOString().slice(0, 10);
      void reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="consent-ledger-${day}.csv"`);
      return reply.send(Readable.from(consentLedgerCsv(ctx, workspace)));
    },
  );

  app.get(
    '/v1/audit-log',
    {
      schema: {
        tags: ['audit'],
        summary: 'Consent changes, sensitive-content overrides and reveals, newest first (administrators)',
        querystring: Type.Composite([ListQuery, Type.Object({ action: Type.Optional(Type.String({ maxLength: 100 })) })]),
        response: { 200: pageOf(AuditEventSchema), ...errorResponses },
      },
    },
    async (request) => {
      requireAdmin(request);
      const page = await ctx.db.repos.audit.list(
        workspaceOf(request).id,
        { ...(request.query.action !== undefined ? { action: request.query.action } : {}) },
        request.query.limit ?? 50,
        request.query.cursor,
      );
      return {
        data: page.data.map(({ workspaceId: _workspaceId, ...event }) => event),
        nextCursor: page.nextCursor,
      };
    },
  );
}
