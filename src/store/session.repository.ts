import type { Kysely, Selectable } from 'kysely';
import type { User } from '../domain/models.js';
import type { Database, InviteTable, SessionTable } from './schema.js';

/** A signed-in browser. `id` is the hash of the cookie's token. */
export interface WebSession {
  id: string;
  userId: string;
  workspaceId: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
}

export interface Invite {
  /** The hash of the link's token. */
  id: string;
  workspaceId: string;
  role: 'admin' | 'agent';
  /** The actor who created it: `user:<id>` or `api_key:<prefix>`. */
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

function toSession(row: Selectable<SessionTable>): WebSession {
  return {
    id: row.id,
    userId: row.user_id,
    workspaceId: row.workspace_id,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at,
  };
}

function toInvite(row: Selectable<InviteTable>): Invite {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    role: row.role as Invite['role'],
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}

export class SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(session: WebSession): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id: session.id,
        user_id: session.userId,
        workspace_id: session.workspaceId,
        csrf_token: session.csrfToken,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        last_seen_at: session.lastSeenAt,
      })
      .execute();
  }

  /** The session and its user in one read: this runs on every request from the inbox. */
  async findWithUser(id: string): Promise<{ session: WebSession; user: User } | null> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('sessions')
      .select(['users.email as u_email', 'users.name as u_name', 'users.role as u_role', 'users.created_at as u_created_at'])
      .where('sessions.id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    return {
      session: toSession(row),
      user: {
        id: row.user_id,
        workspaceId: row.workspace_id,
        email: row.u_email,
        name: row.u_name,
        role: row.u_role as User['role'],
        createdAt: row.u_created_at,
      },
    };
  }

  /** Slides the expiry forward. */
  async touch(id: string, lastSeenAt: string, expiresAt: string): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** A user's sessions that ran out; called at sign-in so expired rows do not pile up. */
  async deleteExpiredForUser(userId: string, now: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).where('expires_at', '<=', now).execute();
  }
}

export class InviteRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(invite: Invite): Promise<void> {
    await this.db
      .insertInto('invites')
      .values({
        id: invite.id,
        workspace_id: invite.workspaceId,
        role: invite.role,
        created_by: invite.createdBy,
        created_at: invite.createdAt,
        expires_at: invite.expiresAt,
        used_at: invite.usedAt,
      })
      .execute();
  }

  async findById(id: string): Promise<Invite | null> {
    const row = await this.db.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toInvite(row) : null;
  }

  /**
   * Marks an unused, unexpired invite used; false when it was already used or has expired.
   * One conditional update, so two people accepting the same link cannot both get in.
   */
  async markUsed(id: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('invites')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

/** The first-run setup's claim: a primary key that only one setup can insert. */
export class SetupClaimRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** False when another setup already claimed it. */
  async claim(now: string): Promise<boolean> {
    const result = await this.db
      .insertInto('setup_claims')
      .values({ id: 'setup', claimed_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async release(): Promise<void> {
    await this.db.deleteFrom('setup_claims').where('id', '=', 'setup').execute();
  }
}
