import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { User, Workspace } from '../domain/models.js';
import { isUniqueViolation } from '../store/database.js';
import type { WebSession } from '../store/session.repository.js';
import { createCarrier, createNumber } from './carrier.service.js';
import { LoginThrottle } from './login-throttle.js';
import { generateToken, hashPassword, hashToken, sameSecret, verifyPassword } from './secrets.js';
import { createWorkspace } from './workspace.service.js';

/**
 * People in the web inbox: the first-run setup, signing in and out, sessions, invites.
 * Programs use API keys instead (workspace.service.ts).
 */

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids'>;

const DAY_MS = 24 * 3600 * 1000;
/** A session ends 30 days after it was last used. */
export const SESSION_TTL_MS = 30 * DAY_MS;
/** Writing last_seen_at on every request would turn every read into a write; once a minute is enough for a 30-day window. */
export const SESSION_TOUCH_MS = 60_000;
export const INVITE_TTL_MS = 7 * DAY_MS;
/** The first-run setup's simulator number: fictional (555-01xx), so nothing real is ever texted. */
export const DEMO_NUMBER = '+12015550100';

/** A new session. `token` goes into the cookie and nowhere else; `csrfToken` to the page. */
export interface SignedIn {
  user: User;
  workspace: Workspace;
  token: string;
  csrfToken: string;
  expiresAt: string;
}

/** The session behind a cookie; `refreshed` when its expiry just slid (the cookie should too). */
export interface ActiveSession {
  session: WebSession;
  user: User;
  workspace: Workspace;
  refreshed: boolean;
}

/** A refusal from the sign-in throttle, with how long to wait (for `Retry-After`). */
export class SignInThrottledError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.ceil(retryAfterSeconds / 60);
    super('rate_limited', `too many failed sign-ins for this email; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`);
  }
}

export interface NewPerson {
  name: string;
  email: string;
  password: string;
}

/** True while no workspace exists: the web app then shows the first-run setup. */
export async function isSetupNeeded(deps: Pick<AppContext, 'db'>): Promise<boolean> {
  return (await deps.db.repos.workspaces.count()) === 0;
}

/**
 * First run: the workspace, its owner, a simulator carrier with a demo number (so the inbox
 * can be tried before any real carrier is set up), and the owner signed in. Refused once any
 * workspace exists, however it was made (this setup, or `parley workspace create`).
 */
export async function setUp(
  deps: Deps & Pick<AppContext, 'carriers'>,
  input: NewPerson & { workspaceName: string },
): Promise<SignedIn> {
  const alreadySetUp = (): AppError => new AppError('conflict', 'Parley is already set up; sign in instead');
  if (!(await isSetupNeeded(deps))) throw alreadySetUp();
  const person = checkNewPerson(input);
  const workspaceName = input.workspaceName.trim();
  if (workspaceName.length === 0 || workspaceName.length > 200) {
    throw new AppError('validation_error', 'workspaceName must be 1–200 characters', { field: 'workspaceName' });
  }
  // Two browsers on a fresh install must not both become owners of two workspaces: the
  // claim is one primary key, so only one setup gets past it.
  if (!(await deps.db.repos.setupClaims.claim(deps.clock.now().toISOString()))) throw alreadySetUp();
  let created: Awaited<ReturnType<typeof createWorkspace>>;
  try {
    created = await createWorkspace(deps, { name: workspaceName, owner: person });
  } catch (error) {
    await deps.db.repos.setupClaims.release();
    throw error;
  }
  const { workspace, owner, apiKeyRecord } = created;
  if (!owner) throw new Error('unreachable: setup always creates an owner');
  // createWorkspace issues a first API key for the CLI to print; here nobody would ever see
  // it, so it is not left behind. The owner creates keys in the settings when needed.
  await deps.db.repos.apiKeys.delete(workspace.id, apiKeyRecord.id);
  const carrier = await createCarrier(deps, workspace, { type: 'simulator', name: 'Simulator', settings: {} });
  await createNumber(deps, workspace, { phoneNumber: DEMO_NUMBER, carrierId: carrier.id });
  return startSession(deps, owner, workspace);
}

/**
 * Email and password to a session. An unknown email and a wrong password get the same answer
 * in about the same time (a password is hashed either way), so the answer does not tell
 * which emails have accounts.
 */
export async function signIn(
  deps: Deps,
  throttle: LoginThrottle,
  input: { email: string; password: string; ip: string },
): Promise<SignedIn> {
  const email = input.email.trim().toLowerCase();
  const key = LoginThrottle.keyOf(email, input.ip);
  const nowMs = deps.clock.now().getTime();
  const waitMs = throttle.retryAfterMs(key, nowMs);
  if (waitMs > 0) throw new SignInThrottledError(Math.ceil(waitMs / 1000));

  const found = await deps.db.repos.users.findByEmail(email);
  const matches = found
    ? await verifyPassword(input.password, found.passwordHash)
    : (await verifyPassword(input.password, await timingDecoyHash()), false);
  if (!found || !matches) {
    throttle.recordFailure(key, nowMs);
    throw new AppError('unauthorized', 'email or password is wrong');
  }
  throttle.reset(key);
  const workspace = await deps.db.repos.workspaces.findById(found.user.workspaceId);
  if (!workspace) throw new AppError('unauthorized', 'email or password is wrong');
  await deps.db.repos.sessions.deleteExpiredForUser(found.user.id, deps.clock.now().toISOString());
  return startSession(deps, found.user, workspace);
}

export async function signOut(deps: Pick<AppContext, 'db'>, sessionId: string): Promise<void> {
  await deps.db.repos.sessions.delete(sessionId);
}

/** The session a cookie's token names, sliding its expiry; 401 when unknown or ended. */
export async function authenticateSession(deps: Deps, token: string): Promise<ActiveSession> {
  const ended = (): AppError => new AppError('unauthorized', 'your session has ended; sign in again');
  const found = await deps.db.repos.sessions.findWithUser(hashToken(token));
  if (!found) throw ended();
  const now = deps.clock.now();
  const { session, user } = found;
  if (Date.parse(session.expiresAt) <= now.getTime()) {
    await deps.db.repos.sessions.delete(session.id);
    throw ended();
  }
  const workspace = await deps.db.repos.workspaces.findById(session.workspaceId);
  if (!workspace) throw ended();
  if (now.getTime() - Date.parse(session.lastSeenAt) < SESSION_TOUCH_MS) {
    return { session, user, workspace, refreshed: false };
  }
  const lastSeenAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
  await deps.db.repos.sessions.touch(session.id, lastSeenAt, expiresAt);
  return { session: { ...session, lastSeenAt, expiresAt }, user, workspace, refreshed: true };
}

/** Whether a request's `x-csrf-token` is this session's. */
export function csrfMatches(session: WebSession, presented: string | undefined): boolean {
  return presented !== undefined && sameSecret(presented, session.csrfToken);
}

/** A single-use link for a new team member, valid 7 days; the token is shown once. */
export async function createInvite(
  deps: Deps,
  workspace: Workspace,
  input: { role: 'admin' | 'agent'; createdBy: string },
): Promise<{ token: string; url: string; expiresAt: string }> {
  const token = generateToken();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + INVITE_TTL_MS).toISOString();
  await deps.db.repos.invites.insert({
    id: hashToken(token),
    workspaceId: workspace.id,
    role: input.role,
    createdBy: input.createdBy,
    createdAt: now.toISOString(),
    expiresAt,
    usedAt: null,
  });
  return { token, url: `/invite/${token}`, expiresAt };
}

/**
 * Joins the invite's workspace with its role and signs the new person in. The invite is used
 * up in the same transaction that creates the user: a taken email leaves it usable.
 */
export async function acceptInvite(deps: Deps, token: string, input: NewPerson): Promise<SignedIn> {
  const gone = (): AppError => new AppError('not_found', 'this invite link is unknown, already used or expired');
  const person = checkNewPerson(input);
  const invite = await deps.db.repos.invites.findById(hashToken(token));
  const now = deps.clock.now().toISOString();
  if (!invite || invite.usedAt !== null || invite.expiresAt <= now) throw gone();
  const workspace = await deps.db.repos.workspaces.findById(invite.workspaceId);
  if (!workspace) throw gone();
  const passwordHash = await hashPassword(person.password);
  const user: User = {
    id: deps.ids.next(),
    workspaceId: workspace.id,
    email: person.email,
    name: person.name,
    role: invite.role,
    createdAt: now,
  };
  try {
    await deps.db.transaction(async (repos) => {
      if (!(await repos.invites.markUsed(invite.id, now))) throw gone();
      await repos.users.insert(user, passwordHash);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('already_exists', 'a user with this email already exists', { field: 'email' });
    }
    throw error;
  }
  return startSession(deps, user, workspace);
}

export async function listUsers(deps: Pick<AppContext, 'db'>, workspace: Workspace): Promise<User[]> {
  return deps.db.repos.users.listForWorkspace(workspace.id);
}

async function startSession(deps: Deps, user: User, workspace: Workspace): Promise<SignedIn> {
  const token = generateToken();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
  const session: WebSession = {
    id: hashToken(token),
    userId: user.id,
    workspaceId: workspace.id,
    csrfToken: generateToken(),
    createdAt: now.toISOString(),
    expiresAt,
    lastSeenAt: now.toISOString(),
  };
  await deps.db.repos.sessions.insert(session);
  return { user, workspace, token, csrfToken: session.csrfToken, expiresAt };
}

/** The same rules as a workspace owner's (workspace.service.ts), naming the request's own fields. */
function checkNewPerson(input: NewPerson): NewPerson {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) {
    throw new AppError('validation_error', 'name must be 1–200 characters', { field: 'name' });
  }
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
    throw new AppError('validation_error', 'email is not an email address', { field: 'email' });
  }
  if (input.password.length < 8) {
    throw new AppError('validation_error', 'password must be at least 8 characters', { field: 'password' });
  }
  return { name, email, password: input.password };
}

let decoy: Promise<string> | null = null;

/**
 * A real scrypt hash to check unknown emails against, so they cost what a known one does.
 * The server makes it at start-up, so the first unknown email does not pay for making it.
 */
export function timingDecoyHash(): Promise<string> {
  decoy ??= hashPassword(generateToken());
  return decoy;
}
