import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { Config } from '../config.js';
import { AppError } from '../domain/errors.js';
import type { ApiKey, User, Workspace } from '../domain/models.js';
import type { WebSession } from '../store/session.repository.js';
import { authenticateApiKey } from '../app/workspace.service.js';
import { SESSION_TTL_MS, authenticateSession, csrfMatches } from '../app/web-auth.js';

/**
 * Who a request is from: a program with an API key (`apiKey`, no user), or a person signed
 * in to the inbox (`user`, no key). Exactly one of the two is set.
 */
export interface RequestAuth {
  workspace: Workspace;
  apiKey: ApiKey | null;
  user: User | null;
  /** The browser session a signed-in person's request came with (absent for API keys). */
  session?: WebSession | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
}

/** The session cookie: the random token whose hash names the session. */
export const SESSION_COOKIE = 'parley_session';
export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Either credential: `Authorization: Bearer <apiKey>` (programs) or the session cookie
 * (people in the web inbox; EventSource sends cookies, not headers, so `/v1/events` works
 * from the browser). A request with an Authorization header is judged by it alone.
 *
 * The browser attaches the cookie to any request to this site, even one a hostile page
 * triggers (SameSite=Strict stops most of them; not all browsers honour it), so a
 * cookie-authenticated request that changes something must also prove it was made by our
 * own page: header `x-csrf-token` carrying the session's token, which only a page that can
 * read `GET /v1/session` has. An API key is no ambient credential and needs no such proof.
 */
export function authenticate(ctx: AppContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match?.[1]) {
        throw new AppError('unauthorized', 'send your API key as "Authorization: Bearer <key>"');
      }
      request.auth = { ...(await authenticateApiKey(ctx, match[1])), user: null, session: null };
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (!token) {
      throw new AppError('unauthorized', 'sign in, or send your API key as "Authorization: Bearer <key>"');
    }
    let active: Awaited<ReturnType<typeof authenticateSession>>;
    try {
      active = await authenticateSession(ctx, token);
    } catch (error) {
      clearSessionCookie(reply, request, ctx.config);
      throw error;
    }
    if (UNSAFE_METHODS.has(request.method) && !csrfMatches(active.session, headerValue(request.headers[CSRF_HEADER]))) {
      throw new AppError(
        'forbidden',
        `a signed-in request that changes something must send header ${CSRF_HEADER} with the csrfToken from GET /v1/session`,
      );
    }
    request.auth = { workspace: active.workspace, apiKey: null, user: active.user, session: active.session };
    // The cookie's lifetime slides with the session's.
    if (active.refreshed) setSessionCookie(reply, request, ctx.config, token);
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * HttpOnly (page scripts never see the token), SameSite=Strict, the whole site; Secure over
 * HTTPS or when `PARLEY_SECURE_COOKIES=true` (a TLS-terminating proxy in front, which
 * Fastify would otherwise see as plain HTTP).
 */
function cookieOptions(request: FastifyRequest, config: Config) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    path: '/',
    secure: config.secureCookies || request.protocol === 'https',
  };
}

/** Set when a session starts or its expiry slides, both of which give it the full lifetime. */
export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, config: Config, token: string): void {
  void reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions(request, config), maxAge: SESSION_TTL_MS / 1000 });
}

export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest, config: Config): void {
  void reply.clearCookie(SESSION_COOKIE, cookieOptions(request, config));
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
