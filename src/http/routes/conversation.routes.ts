import { Type } from '@sinclair/typebox';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import {
  getContact,
  getConversation,
  listContacts,
  listConversationMessages,
  listConversations,
} from '../../app/queries.js';
import { workspaceOf } from '../auth.js';
import { presentContact, presentConversation, presentMessage } from '../presenters.js';
import {
  ContactSchema,
  ConversationSchema,
  IdParams,
  ListQuery,
  MessageSchema,
  errorResponses,
  pageOf,
} from '../schemas.js';

export async function conversationRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  app.get(
    '/v1/conversations',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Threads, most recently active first',
        querystring: ListQuery,
        response: { 200: pageOf(ConversationSchema), ...errorResponses },
      },
    },
    async (request) => {
      const page = await listConversations(ctx, workspaceOf(request), request.query.limit ?? 50, request.query.cursor);
      return { data: page.data.map(presentConversation), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/conversations/:id',
    { schema: { tags: ['conversations'], params: IdParams, response: { 200: ConversationSchema, ...errorResponses } } },
    async (request) => presentConversation(await getConversation(ctx, workspaceOf(request), request.params.id)),
  );

  app.get(
    '/v1/conversations/:id/messages',
    {
      schema: {
        tags: ['conversations'],
        summary: 'The thread, oldest first',
        params: IdParams,
        querystring: ListQuery,
        response: { 200: pageOf(MessageSchema), ...errorResponses },
      },
    },
    async (request) => {
      const page = await listConversationMessages(
        ctx,
        workspaceOf(request),
        request.params.id,
        request.query.limit ?? 50,
        request.query.cursor,
      );
      return { data: page.data.map(presentMessage), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/contacts',
    {
      schema: {
        tags: ['contacts'],
        querystring: Type.Composite([ListQuery, Type.Object({ phoneNumber: Type.Optional(Type.String()) })]),
        response: { 200: pageOf(ContactSchema), ...errorResponses },
      },
    },
    async (request) => {
      const page = await listContacts(
        ctx,
        workspaceOf(request),
        { phoneNumber: request.query.phoneNumber },
        request.query.limit ?? 50,
        request.query.cursor,
      );
      return { data: page.data.map(presentContact), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/contacts/:id',
    { schema: { tags: ['contacts'], params: IdParams, response: { 200: ContactSchema, ...errorResponses } } },
    async (request) => presentContact(await getContact(ctx, workspaceOf(request), request.params.id)),
  );
}
