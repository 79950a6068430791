import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { ApiKey, User, Workspace } from '../domain/models.js';
import { authenticateApiKey } from '../app/workspace.service.js';

/**
 * Who a request is from: a program with an API key (`apiKey`, no user), or a person signed
 * in to the inbox (`user`, no key). Exactly one of the two is set.
 */
export interface RequestAuth {
  workspace: Workspace;
  apiKey: ApiKey | null;
  user: User | null;
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
    request.auth = { ...(await authenticateApiKey(ctx, match[1])), user: null };
  };
}

/** Who is asking, as the audit log and the consent ledger name them. */
export function actorOf(request: FastifyRequest): string {
  if (!request.auth) throw new AppError('unauthorized', 'not authenticated');
  if (request.auth.user) return `user:${request.auth.user.id}`;
  return `api_key:${request.auth.apiKey?.prefix ?? 'unknown'}`;
}

/** The signed-in person, or null for a program using an API key. */
export function userOf(request: FastifyRequest): User | null {
  return request.auth?.user ?? null;
}

/**
 * Revealing masked sensitive data, reading the audit log: workspace administrators only.
 * An API key is an administrator's credential (only owners and admins create them).
 */
export function requireAdmin(request: FastifyRequest): void {
  if (!request.auth) throw new AppError('unauthorized', 'not authenticated');
  const user = request.auth.user;
  if (user && user.role !== 'owner' && user.role !== 'admin') {
    throw new AppError('forbidden', 'only workspace owners and admins may do this');
  }
}

export function workspaceOf(request: FastifyRequest): Workspace {
  if (!request.auth) throw new AppError('unauthorized', 'not authenticated');
  return request.auth.workspace;
}
