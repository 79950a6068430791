import { Type } from '@sinclair/typebox';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import {
  getContact,
  getConversation,
  listContacts,
  listConversationMessages,
} from '../../app/queries.js';
import { INBOX_VIEWS, listInbox } from '../../app/inbox.js';
import { userOf, workspaceOf } from '../auth.js';
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

/** A thread reads up to 1,000 messages a page: a long conversation opens in one request. */
const ThreadQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
});

export async function conversationRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  app.get(
    '/v1/conversations',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Threads, most recently active first; the inbox views and search',
        querystring: Type.Composite([
          ListQuery,
          Type.Object({
            view: Type.Optional(
              Type.Union(INBOX_VIEWS.map((view) => Type.Literal(view)), {
                description:
                  'open: open and not snoozed (a snooze that ran out counts as open); mine: open and assigned to the signed-in user (not for API keys); unassigned: open, nobody; closed; snoozed: open, snooze running. Absent: every thread',
              }),
            ),
            q: Type.Optional(
              Type.String({
                maxLength: 200,
                description: "contact name (substring), phone number digits (substring) or words of the thread's messages (word prefixes)",
              }),
            ),
          }),
        ]),
        response: { 200: pageOf(ConversationSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { view, q, limit, cursor } = request.query;
      const page = await listInbox(ctx, workspaceOf(request), { view, q, userId: userOf(request)?.id ?? null }, limit ?? 50, cursor);
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
        querystring: ThreadQuery,
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
