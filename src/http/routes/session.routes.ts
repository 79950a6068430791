import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../domain/errors.js';
import type { User } from '../../domain/models.js';
import { LoginThrottle } from '../../app/login-throttle.js';
import {
  SignInThrottledError,
  acceptInvite,
  authenticateSession,
  createInvite,
  csrfMatches,
  isSetupNeeded,
  listUsers,
  setUp,
  signIn,
  signOut,
  timingDecoyHash,
  type SignedIn,
} from '../../app/web-auth.js';
import {
  CSRF_HEADER,
  SESSION_COOKIE,
  actorOf,
  clearSessionCookie,
  requireAdmin,
  setSessionCookie,
  workspaceOf,
} from '../auth.js';
import { presentWorkspace } from '../presenters.js';
import { ErrorSchema, Timestamp, WorkspaceSchema, errorResponses } from '../schemas.js';

export const UserSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  role: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('agent')]),
  createdAt: Timestamp,
});

export const SignedInSchema = Type.Object({
  user: UserSchema,
  workspace: WorkspaceSchema,
  csrfToken: Type.String({ description: `send it back as header ${CSRF_HEADER} on POST, PUT, PATCH and DELETE` }),
});

const Email = Type.String({ minLength: 1, maxLength: 254 });
// The upper bound keeps a megabyte "password" from costing a megabyte of scrypt input.
const Password = Type.String({ minLength: 1, maxLength: 1024, description: 'at least 8 characters' });
const PersonName = Type.String({ minLength: 1, maxLength: 200 });

// Unknown fields are refused, as everywhere in the API: a misspelt field answers 400.
const SetupBody = Type.Object(
  { workspaceName: Type.String({ minLength: 1, maxLength: 200 }), name: PersonName, email: Email, password: Password },
  { additionalProperties: false },
);
const SignInBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });
const InviteBody = Type.Object(
  { role: Type.Union([Type.Literal('admin'), Type.Literal('agent')]) },
  { additionalProperties: false },
);
const AcceptBody = Type.Object({ name: PersonName, email: Email, password: Password }, { additionalProperties: false });
const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });

const noAuth = { security: [] };
const sessionErrors = { ...errorResponses, 403: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema };

export function presentUser(user: User): Static<typeof UserSchema> {
  return { id: user.id, name: user.name, email: user.email, role: user.role, createdAt: user.createdAt };
}

function present(signedIn: Pick<SignedIn, 'user' | 'workspace' | 'csrfToken'>): Static<typeof SignedInSchema> {
  return { user: presentUser(signedIn.user), workspace: presentWorkspace(signedIn.workspace), csrfToken: signedIn.csrfToken };
}

/** Answers with a new session: the token in the cookie only, the CSRF token in the body. */
function started(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, status: number, signedIn: SignedIn) {
  setSessionCookie(reply, request, ctx.config, signedIn.token);
  return reply.status(status).send(present(signedIn));
}

/** The routes a person reaches before being signed in; registered outside the authenticated scope. */
export async function publicSessionRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  // One per server, i.e. per process: see login-throttle.ts for why that is acceptable.
  const throttle = new LoginThrottle();
  void timingDecoyHash();

  app.get(
    '/v1/setup',
    {
      schema: {
        tags: ['session'],
        summary: 'Whether the first-run setup is still to be done (no workspace exists yet)',
        ...noAuth,
        response: { 200: Type.Object({ needed: Type.Boolean() }) },
      },
    },
    async () => ({ needed: await isSetupNeeded(ctx) }),
  );

  app.post(
    '/v1/setup',
    {
      schema: {
        tags: ['session'],
        summary: 'First run: the workspace, its owner, a simulator carrier and a demo number; signs the owner in',
        ...noAuth,
        body: SetupBody,
        response: { 201: SignedInSchema, ...sessionErrors },
      },
    },
    async (request, reply) => started(ctx, request, reply, 201, await setUp(ctx, request.body)),
  );

  app.post(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Sign in; 429 after 5 failures for one email from one address within 15 minutes',
        ...noAuth,
        body: SignInBody,
        response: { 200: SignedInSchema, ...sessionErrors },
      },
    },
    async (request, reply) => {
      try {
        return started(ctx, request, reply, 200, await signIn(ctx, throttle, { ...request.body, ip: request.ip }));
      } catch (error) {
        if (error instanceof SignInThrottledError) void reply.header('retry-after', String(error.retryAfterSeconds));
        throw error;
      }
    },
  );

  // Outside the authenticated scope so that signing out always works: with an ended session
  // (or none) it still clears the cookie and answers 204.
  app.delete(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: `Sign out (needs header ${CSRF_HEADER} while the session is live)`,
        ...noAuth,
        response: { 204: Type.Null(), ...sessionErrors },
      },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      const active = token ? await authenticateSession(ctx, token).catch(() => null) : null;
      if (active) {
        // Without this, any page could sign a user out with a forged request.
        const presented = request.headers[CSRF_HEADER];
        if (!csrfMatches(active.session, Array.isArray(presented) ? presented[0] : presented)) {
          throw new AppError('forbidden', `signing out needs header ${CSRF_HEADER} with the csrfToken from GET /v1/session`);
        }
        await signOut(ctx, active.session.id);
      }
      clearSessionCookie(reply, request, ctx.config);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/invites/:token/accept',
    {
      schema: {
        tags: ['session'],
        summary: "Join a workspace with an invite link's token; signs the new member in",
        ...noAuth,
        params: TokenParams,
        body: AcceptBody,
        response: { 201: SignedInSchema, ...sessionErrors },
      },
    },
    async (request, reply) => started(ctx, request, reply, 201, await acceptInvite(ctx, request.params.token, request.body)),
  );
}

/** Routes inside the authenticated scope (an API key or a session). */
export async function sessionRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  app.get(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'The signed-in person, their workspace and the CSRF token for this session',
        response: { 200: SignedInSchema, ...sessionErrors },
      },
    },
    async (request) => {
      const auth = request.auth;
      if (!auth?.user || !auth.session) {
        throw new AppError('unauthorized', 'not signed in: this request used an API key, which has no session');
      }
      return present({ user: auth.user, workspace: auth.workspace, csrfToken: auth.session.csrfToken });
    },
  );

  app.get(
    '/v1/users',
    {
      schema: {
        tags: ['session'],
        summary: "The workspace's team",
        response: { 200: Type.Object({ data: Type.Array(UserSchema) }), ...sessionErrors },
      },
    },
    async (request) => ({ data: (await listUsers(ctx, workspaceOf(request))).map(presentUser) }),
  );

  app.post(
    '/v1/invites',
    {
      schema: {
        tags: ['session'],
        summary: 'Invite a team member (admins): a single-use link valid 7 days; the token is shown once',
        body: InviteBody,
        response: {
          201: Type.Object({
            token: Type.String(),
            url: Type.String({ description: '/invite/<token>, a page of the web app' }),
            expiresAt: Timestamp,
          }),
          ...sessionErrors,
        },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const invite = await createInvite(ctx, workspaceOf(request), { role: request.body.role, createdBy: actorOf(request) });
      return reply.status(201).send(invite);
    },
  );
}
