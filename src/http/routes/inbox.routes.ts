import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import {
  addNote,
  assignConversation,
  closeConversation,
  createTeam,
  createTemplate,
  deleteTemplate,
  listNotes,
  listTeams,
  listTemplates,
  markConversationRead,
  renderTemplateFor,
  reopenConversation,
  snoozeConversation,
  type InboxActor,
} from '../../app/inbox.js';
import { userOf, workspaceOf } from '../auth.js';
import { presentConversation, presentNote, presentTeam, presentTemplate } from '../presenters.js';
import { ConversationSchema, IdParams, NoteSchema, TeamSchema, TemplateSchema, errorResponses } from '../schemas.js';

const AssignBody = Type.Object(
  {
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'a user of the workspace' })),
    teamId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'a team of the workspace' })),
  },
  { additionalProperties: false, description: '{userId}, {teamId}, or {} to unassign' },
);
const SnoozeBody = Type.Object(
  { until: Type.String({ maxLength: 40, description: 'ISO 8601 date-time in the future' }) },
  { additionalProperties: false },
);
const NoteBody = Type.Object({ body: Type.String({ maxLength: 10_000 }) }, { additionalProperties: false });
const TeamBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
const TemplateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), body: Type.String({ maxLength: 10_000 }) },
  { additionalProperties: false },
);
const RenderBody = Type.Object({ conversationId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

const conversationAnswer = { 200: ConversationSchema, ...errorResponses } as const;

function actorOfRequest(request: FastifyRequest): InboxActor {
  return { user: userOf(request), apiKeyPrefix: request.auth?.apiKey?.prefix ?? null };
}

/** The inbox: assignment, status, snooze, read, internal notes, teams and templates. */
export async function inboxRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  app.post(
    '/v1/conversations/:id/assign',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Assign to a user or a team, or to nobody',
        params: IdParams,
        body: AssignBody,
        response: conversationAnswer,
      },
    },
    async (request) =>
      presentConversation(await assignConversation(ctx, workspaceOf(request), request.params.id, request.body ?? {})),
  );

  app.post(
    '/v1/conversations/:id/close',
    { schema: { tags: ['inbox'], params: IdParams, response: conversationAnswer } },
    async (request) => presentConversation(await closeConversation(ctx, workspaceOf(request), request.params.id)),
  );

  app.post(
    '/v1/conversations/:id/reopen',
    { schema: { tags: ['inbox'], params: IdParams, response: conversationAnswer } },
    async (request) => presentConversation(await reopenConversation(ctx, workspaceOf(request), request.params.id)),
  );

  app.post(
    '/v1/conversations/:id/snooze',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Out of the open views until `until`, or until the customer writes',
        params: IdParams,
        body: SnoozeBody,
        response: conversationAnswer,
      },
    },
    async (request) =>
      presentConversation(await snoozeConversation(ctx, workspaceOf(request), request.params.id, request.body.until)),
  );

  app.post(
    '/v1/conversations/:id/read',
    { schema: { tags: ['inbox'], summary: 'Mark read (unread: false)', params: IdParams, response: conversationAnswer } },
    async (request) => presentConversation(await markConversationRead(ctx, workspaceOf(request), request.params.id)),
  );

  app.get(
    '/v1/conversations/:id/notes',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Internal notes, oldest first',
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(NoteSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ data: (await listNotes(ctx, workspaceOf(request), request.params.id)).map(presentNote) }),
  );

  app.post(
    '/v1/conversations/:id/notes',
    {
      schema: {
        tags: ['inbox'],
        summary: 'An internal note for staff; never sent to the contact',
        params: IdParams,
        body: NoteBody,
        response: { 201: NoteSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const note = await addNote(ctx, workspaceOf(request), request.params.id, request.body.body, actorOfRequest(request));
      return reply.code(201).send(presentNote(note));
    },
  );

  app.get(
    '/v1/teams',
    { schema: { tags: ['inbox'], response: { 200: Type.Object({ data: Type.Array(TeamSchema) }), ...errorResponses } } },
    async (request) => ({ data: (await listTeams(ctx, workspaceOf(request))).map(presentTeam) }),
  );

  app.post(
    '/v1/teams',
    { schema: { tags: ['inbox'], body: TeamBody, response: { 201: TeamSchema, ...errorResponses } } },
    async (request, reply) => reply.code(201).send(presentTeam(await createTeam(ctx, workspaceOf(request), request.body.name))),
  );

  app.get(
    '/v1/templates',
    { schema: { tags: ['inbox'], response: { 200: Type.Object({ data: Type.Array(TemplateSchema) }), ...errorResponses } } },
    async (request) => ({ data: (await listTemplates(ctx, workspaceOf(request))).map(presentTemplate) }),
  );

  app.post(
    '/v1/templates',
    { schema: { tags: ['inbox'], body: TemplateBody, response: { 201: TemplateSchema, ...errorResponses } } },
    async (request, reply) =>
      reply.code(201).send(presentTemplate(await createTemplate(ctx, workspaceOf(request), request.body))),
  );

  app.delete(
    '/v1/templates/:id',
    { schema: { tags: ['inbox'], params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await deleteTemplate(ctx, workspaceOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/templates/:id/render',
    {
      schema: {
        tags: ['inbox'],
        summary: "The template filled in with a thread's contact and the business name",
        params: IdParams,
        body: RenderBody,
        response: { 200: Type.Object({ body: Type.String() }), ...errorResponses },
      },
    },
    async (request) => ({
      body: await renderTemplateFor(ctx, workspaceOf(request), request.params.id, request.body.conversationId),
    }),
  );
}
