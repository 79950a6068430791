import { Type } from '@sinclair/typebox';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import { sendMessage } from '../../app/send-message.js';
import { sendBatch, MAX_BATCH_RECIPIENTS } from '../../app/send-batch.js';
import { cancelMessage } from '../../app/cancel-message.js';
import { getMessage } from '../../app/queries.js';
import { previewMessage } from '../../app/preview-message.js';
import { MAX_BODY_CHARACTERS } from '../../domain/message-body.js';
import { actorOf, requireAdmin, workspaceOf } from '../auth.js';
import { revealMessageBody } from '../../app/reveal-message.js';
import { presentMessage } from '../presenters.js';
import {
  Category,
  ErrorSchema,
  IdParams,
  MessageSchema,
  PhoneNumber,
  SmartEncodingFlag,
  errorResponses,
} from '../schemas.js';

const AllowSensitiveContent = Type.Boolean({
  description: 'send a body containing a payment card number, SSN or IBAN anyway (refused with sensitive_content otherwise); the override is written to the audit log',
});

const SendBody = Type.Object({
  from: PhoneNumber,
  to: PhoneNumber,
  body: Type.String({ maxLength: 10_000, description: `at most ${MAX_BODY_CHARACTERS} characters` }),
  sendAt: Type.Optional(Type.String({ description: 'ISO 8601 date-time; holds the message until then' })),
  category: Type.Optional(Category),
  smartEncoding: Type.Optional(SmartEncodingFlag),
  allowSensitiveContent: Type.Optional(AllowSensitiveContent),
});

const BatchBody = Type.Object({
  from: PhoneNumber,
  body: Type.String({ maxLength: 10_000, description: 'may contain {{mergeFields}} filled from each recipient' }),
  category: Type.Optional(Category),
  sendAt: Type.Optional(Type.String()),
  smartEncoding: Type.Optional(SmartEncodingFlag),
  allowSensitiveContent: Type.Optional(AllowSensitiveContent),
  recipients: Type.Array(Type.Object({ to: Type.String() }, { additionalProperties: true }), {
    minItems: 1,
    maxItems: MAX_BATCH_RECIPIENTS,
  }),
});

const PreviewSchema = Type.Object({
  encoding: Type.String(),
  segments: Type.Integer(),
  characters: Type.Integer(),
  parts: Type.Array(Type.String()),
  unicodeCharacters: Type.Array(Type.String(), { description: 'characters that force UCS-2, as grapheme clusters' }),
  maxCharacters: Type.Integer(),
  tooLong: Type.Boolean(),
  smartEncoding: Type.Object({
    enabled: Type.Boolean({ description: 'whether the analysis above is of the smart-encoded body' }),
    applied: Type.Boolean({ description: 'whether smart encoding changes this body (only when it pays)' }),
    body: Type.String(),
    encoding: Type.String(),
    segments: Type.Integer(),
    characters: Type.Integer(),
    replacements: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), count: Type.Integer() })),
    savesSegments: Type.Integer(),
    unicodeCharacters: Type.Array(Type.String(), {
      description: 'characters smart encoding cannot replace that keep the body in UCS-2',
    }),
  }),
});

export async function messageRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  app.post(
    '/v1/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Send a message (optionally scheduled); opt-out is enforced',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: SendBody,
        response: { 201: MessageSchema, 409: ErrorSchema, 422: ErrorSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { message, replayed } = await sendMessage(ctx, workspaceOf(request), {
        ...request.body,
        idempotencyKey: request.headers['idempotency-key'],
        actor: actorOf(request),
      });
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(presentMessage(message));
    },
  );

  app.post(
    '/v1/messages/batch',
    {
      schema: {
        tags: ['messages'],
        summary: `Send one body to up to ${MAX_BATCH_RECIPIENTS} recipients, with per-recipient results`,
        body: BatchBody,
        response: {
          200: Type.Object({
            results: Type.Array(
              Type.Object({
                to: Type.String(),
                id: Type.Optional(Type.String()),
                conversationId: Type.Optional(Type.String()),
                status: Type.Optional(Type.String()),
                error: Type.Optional(ErrorSchema.properties.error),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => ({ results: await sendBatch(ctx, workspaceOf(request), { ...request.body, actor: actorOf(request) }) }),
  );

  app.post(
    '/v1/messages/preview',
    {
      schema: {
        tags: ['messages'],
        summary: 'Encoding, segment count and parts of a body, without sending',
        description:
          'The analysis is of the body that would be sent: smart-encoded when smart encoding is on ' +
          "(the `smartEncoding` flag, else the workspace's setting). `smartEncoding` describes what smart " +
          'encoding makes of the body either way.',
        body: Type.Object({ body: Type.String({ maxLength: 10_000 }), smartEncoding: Type.Optional(SmartEncodingFlag) }),
        response: { 200: PreviewSchema, ...errorResponses },
      },
    },
    async (request) => previewMessage(workspaceOf(request), request.body),
  );

  app.get(
    '/v1/messages/:id',
    { schema: { tags: ['messages'], params: IdParams, response: { 200: MessageSchema, ...errorResponses } } },
    async (request) => presentMessage(await getMessage(ctx, workspaceOf(request), request.params.id)),
  );

  app.post(
    '/v1/messages/:id/reveal',
    {
      schema: {
        tags: ['messages'],
        summary: 'The unmasked body of a message with sensitive data (card number, SSN, IBAN); audited',
        description: 'Bodies with sensitive data are masked everywhere else (message views, threads, live events, exports). Each reveal is written to the audit log.',
        params: IdParams,
        response: { 200: Type.Object({ id: Type.String(), body: Type.String() }), ...errorResponses },
      },
    },
    async (request) => {
      requireAdmin(request);
      return revealMessageBody(ctx, workspaceOf(request), actorOf(request), request.params.id);
    },
  );

  app.post(
    '/v1/messages/:id/cancel',
    {
      schema: {
        tags: ['messages'],
        summary: 'Cancel a scheduled or queued message',
        params: IdParams,
        response: { 200: MessageSchema, 409: ErrorSchema, ...errorResponses },
      },
    },
    async (request) => presentMessage(await cancelMessage(ctx, workspaceOf(request), request.params.id)),
  );
}
