import type { Kysely, Updateable } from 'kysely';
import type { ApiKey, User, Workspace, WorkspaceSettings } from '../domain/models.js';
import type { Database, WorkspaceTable } from './schema.js';
import { toApiKey, toUser, toWorkspace } from './row-mappers.js';
import { DEFAULT_COMPLIANCE, type ComplianceSettings } from '../domain/compliance-settings.js';

/** Only what differs from the defaults is stored, so a later change of a default reaches every workspace that kept it. */
function storedCompliance(settings: ComplianceSettings): string {
  const changed = Object.entries(settings).filter(
    ([key, value]) => JSON.stringify(value) !== JSON.stringify(DEFAULT_COMPLIANCE[key as keyof ComplianceSettings]),
  );
  return JSON.stringify(Object.fromEntries(changed));
}

export class WorkspaceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(workspace: Workspace): Promise<void> {
    await this.db
      .insertInto('workspaces')
      .values({
        id: workspace.id,
        name: workspace.name,
        default_country: workspace.defaultCountry,
        help_text: workspace.helpText,
        smart_encoding: workspace.smartEncoding ? 1 : 0,
        unknown_outcome: workspace.unknownOutcome,
        max_segments_per_second: workspace.maxSegmentsPerSecond,
        compliance: storedCompliance(workspace.compliance),
        created_at: workspace.createdAt,
      })
      .execute();
  }

  /** Applies the given settings (absent ones stay) and returns the workspace as stored. */
  async updateSettings(id: string, settings: Partial<WorkspaceSettings>): Promise<Workspace | null> {
    const values: Updateable<WorkspaceTable> = {};
    if (settings.smartEncoding !== undefined) values.smart_encoding = settings.smartEncoding ? 1 : 0;
    if (settings.helpText !== undefined) values.help_text = settings.helpText;
    if (settings.defaultCountry !== undefined) values.default_country = settings.defaultCountry;
    if (settings.unknownOutcome !== undefined) values.unknown_outcome = settings.unknownOutcome;
    if (settings.maxSegmentsPerSecond !== undefined) values.max_segments_per_second = settings.maxSegmentsPerSecond;
    if (settings.compliance !== undefined) {
      const current = await this.findById(id);
      if (current) values.compliance = storedCompliance({ ...current.compliance, ...settings.compliance });
    }
    if (Object.keys(values).length > 0) {
      await this.db.updateTable('workspaces').set(values).where('id', '=', id).execute();
    }
    return this.findById(id);
  }

  async findById(id: string): Promise<Workspace | null> {
    const row = await this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toWorkspace(row) : null;
  }

  async findByIds(ids: string[]): Promise<Workspace[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('workspaces').selectAll().where('id', 'in', ids).execute();
    return rows.map(toWorkspace);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('workspaces')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(user: User, passwordHash: string): Promise<void> {
    await this.db
      .insertInto('users')
      .values({
        id: user.id,
        workspace_id: user.workspaceId,
        email: user.email,
        name: user.name,
        role: user.role,
        password_hash: passwordHash,
        created_at: user.createdAt,
      })
      .execute();
  }

  async findByEmail(email: string): Promise<{ user: User; passwordHash: string } | null> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  /** The workspace's team, oldest first. */
  async listForWorkspace(workspaceId: string): Promise<User[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toUser);
  }
}

export class ApiKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(key: ApiKey, keyHash: string): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({
        id: key.id,
        workspace_id: key.workspaceId,
        name: key.name,
        prefix: key.prefix,
        key_hash: keyHash,
        created_at: key.createdAt,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
  }

  /** The active key and its workspace in one read: this runs on every API request. */
  async findActiveWithWorkspace(keyHash: string): Promise<{ apiKey: ApiKey; workspace: Workspace } | null> {
    const row = await this.db
      .selectFrom('api_keys')
      .innerJoin('workspaces', 'workspaces.id', 'api_keys.workspace_id')
      .selectAll('api_keys')
      .select([
        'workspaces.name as ws_name',
        'workspaces.default_country as ws_default_country',
        'workspaces.help_text as ws_help_text',
        'workspaces.smart_encoding as ws_smart_encoding',
        'workspaces.unknown_outcome as ws_unknown_outcome',
        'workspaces.max_segments_per_second as ws_max_segments_per_second',
        'workspaces.compliance as ws_compliance',
        'workspaces.created_at as ws_created_at',
      ])
      .where('api_keys.key_hash', '=', keyHash)
      .where('api_keys.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    return {
      apiKey: toApiKey(row),
      workspace: toWorkspace({
        id: row.workspace_id,
        name: row.ws_name,
        default_country: row.ws_default_country,
        help_text: row.ws_help_text,
        smart_encoding: row.ws_smart_encoding,
        unknown_outcome: row.ws_unknown_outcome,
        max_segments_per_second: row.ws_max_segments_per_second,
        compliance: row.ws_compliance,
        created_at: row.ws_created_at,
      }),
    };
  }

  async listForWorkspace(workspaceId: string): Promise<ApiKey[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('id')
      .execute();
    return rows.map(toApiKey);
  }

  /** Removes a key outright (one nobody has seen, e.g. the first-run setup's). */
  async delete(workspaceId: string, id: string): Promise<void> {
    await this.db.deleteFrom('api_keys').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  /** Returns false when the key is not in the workspace or was already revoked. */
  async revoke(workspaceId: string, id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
