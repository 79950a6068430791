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

/** Who is asking, as the audit log and the consent ledger name them. */
export function actorOf(request: FastifyRequest): string {
  if (!request.auth) throw new AppError('unauthorized', 'not authenticated');
  return `api_key:${request.auth.apiKey.prefix}`;
}

/**
 * Revealing masked sensitive data, reading the audit log: workspace administrators only.
 * An API key is an administrator's credential (only owners and admins create them).
 */
export function requireAdmin(request: FastifyRequest): void {
  if (!request.auth) throw new AppError('unauthorized', 'not authenticated');
}

export function workspaceOf(request: FastifyRequest): Workspace {
  if (!request.auth) throw new AppError('unauthorized', 'not authenticated');
  return request.auth.workspace;
}
