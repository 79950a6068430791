import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { ApiKey, Workspace } from '../domain/models.js';
import { authenticateApiKey } from '../app/workspace.service.js';

export interface RequestAuth {
  workspace: Workspace;
  apiKey: ApiKey;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
}

/** Bearer API keys; a key only ever sees its own workspace. */
export function requireApiKey(ctx: AppContext) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new AppError('unauthorized', 'send your API key as "Authorization: Bearer <key>"');
    }
    request.auth = await authenticateApiKey(ctx, match[1]);
  };
}

export function workspaceOf(request: FastifyRequest): Workspace {
  if (!request.auth) throw new AppError('unauthorized', 'not authenticated');
  return request.auth.workspace;
}
