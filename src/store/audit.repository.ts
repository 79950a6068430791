import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { decodeCursor, encodeCursor, type Page } from './cursor.js';

/** What the audit log records: who did what to which record, and the particulars. */
export interface AuditEvent {
  id: string;
  workspaceId: string;
  actor: string;
  action: AuditAction;
  targetType: 'contact' | 'message' | 'workspace';
  targetId: string;
  detail: Record<string, unknown>;
  createdAt: string;
}

export type AuditAction =
  | 'consent.opted_out'
  | 'consent.opted_in'
  | 'consent.review_requested'
  | 'consent.review_resolved'
  | 'sensitive_content.override'
  | 'sensitive_content.revealed'
  | 'workspace.compliance_changed';

/** Append-only, like the consent ledger: there is no update or delete. */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async append(event: AuditEvent): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        id: event.id,
        workspace_id: event.workspaceId,
        actor: event.actor,
        action: event.action,
        target_type: event.targetType,
        target_id: event.targetId,
        detail: JSON.stringify(event.detail),
        created_at: event.createdAt,
      })
      .execute();
  }

  /** Newest first; ids are UUIDv7, so their order is the order of recording. */
  async list(workspaceId: string, filter: { action?: string }, limit: number, cursor?: string): Promise<Page<AuditEvent>> {
    const before = decodeCursor(cursor);
    const rows = await this.db
      .selectFrom('audit_events')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .$if(filter.action !== undefined, (qb) => qb.where('action', '=', filter.action ?? ''))
      .$if(before !== null, (qb) => qb.where('id', '<', before?.id ?? ''))
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const data = rows.slice(0, limit).map(
      (row): AuditEvent => ({
        id: row.id,
        workspaceId: row.workspace_id,
        actor: row.actor,
        action: row.action as AuditAction,
        targetType: row.target_type as AuditEvent['targetType'],
        targetId: row.target_id,
        detail: JSON.parse(row.detail) as Record<string, unknown>,
        createdAt: row.created_at,
      }),
    );
    const last = data.at(-1);
    return { data, nextCursor: rows.length > limit && last ? encodeCursor({ sort: '', id: last.id }) : null };
  }
}
