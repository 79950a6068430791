import { Type } from '@sinclair/typebox';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import { createApiKey, revokeApiKey } from '../../app/workspace.service.js';
import { requireAdmin, workspaceOf } from '../auth.js';
import { IdParams, errorResponses } from '../schemas.js';

const ApiKeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

export async function apiKeyRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  app.get(
    '/v1/api-keys',
    { schema: { tags: ['api keys'], response: { 200: Type.Object({ data: Type.Array(ApiKeySchema) }), ...errorResponses } } },
    async (request) => {
      requireAdmin(request);
      return { data: await ctx.db.repos.apiKeys.listForWorkspace(workspaceOf(request).id) };
    },
  );

  app.post(
    '/v1/api-keys',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Create a key; the secret is shown once, in this response only',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 201: Type.Composite([ApiKeySchema, Type.Object({ apiKey: Type.String() })]), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { apiKey, record } = await createApiKey(ctx, workspaceOf(request).id, request.body.name);
      return reply.status(201).send({ ...record, apiKey });
    },
  );

  app.delete(
    '/v1/api-keys/:id',
    { schema: { tags: ['api keys'], summary: 'Revoke a key', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      requireAdmin(request);
      await revokeApiKey(ctx, workspaceOf(request).id, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
