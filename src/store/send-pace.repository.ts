import type { Kysely } from 'kysely';
import { FRESH_PACE, type PaceState } from '../domain/send-pace.js';
import type { Database } from './schema.js';
import type { DialectName } from './database.js';

/**
 * Limiter state per sender and per workspace (domain/send-pace.ts), shared by every worker
 * process. Call `lock` inside the claim transaction: on PostgreSQL the rows stay locked until
 * it commits, so two workers reserving slots for one sender take turns and never hand out the
 * same slot; SQLite has a single writer, which serialises them already.
 */
export class SendPaceRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async lock(keys: string[], at: string): Promise<Map<string, PaceState>> {
    const states = new Map<string, PaceState>();
    if (keys.length === 0) return states;
    const sorted = [...new Set(keys)].sort(); // one lock order for every worker: no deadlocks
    // A row must exist to be locked; creating one that is already there changes nothing.
    await this.db
      .insertInto('send_pace')
      .values(sorted.map((key) => ({ key, next_at_ms: 0, slowdown: 1, updated_at: at })))
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const rows = await this.db
      .selectFrom('send_pace')
      .selectAll()
      .where('key', 'in', sorted)
      .orderBy('key')
      .$if(this.dialect === 'postgres', (qb) => qb.forUpdate())
      .execute();
    for (const row of rows) states.set(row.key, { nextAtMs: Number(row.next_at_ms), slowdown: Number(row.slowdown) });
    for (const key of sorted) if (!states.has(key)) states.set(key, FRESH_PACE);
    return states;
  }

  async save(states: Map<string, PaceState>, at: string): Promise<void> {
    for (const [key, state] of states) {
      await this.db
        .updateTable('send_pace')
        .set({ next_at_ms: state.nextAtMs, slowdown: state.slowdown, updated_at: at })
        .where('key', '=', key)
        .execute();
    }
  }

  /**
   * Senders (number ids) and workspaces whose next slot is later than `untilMs`: not worth
   * reading their queue now, and their backlog must not crowd everyone else out of the claim.
   */
  async busy(untilMs: number): Promise<{ numbers: string[]; workspaces: string[] }> {
    const rows = await this.db.selectFrom('send_pace').select('key').where('next_at_ms', '>', untilMs).execute();
    const numbers: string[] = [];
    const workspaces: string[] = [];
    for (const { key } of rows) {
      if (key.startsWith('number:')) numbers.push(key.slice('number:'.length));
      else if (key.startsWith('workspace:')) workspaces.push(key.slice('workspace:'.length));
    }
    return { numbers, workspaces };
  }

  /** Reads one state (for adaptive slow-down outside a claim) and applies `change` under the lock. */
  async update(key: string, at: string, change: (state: PaceState) => PaceState): Promise<void> {
    const states = await this.lock([key], at);
    const next = change(states.get(key) ?? FRESH_PACE);
    await this.save(new Map([[key, next]]), at);
  }
}

export const senderPaceKey = (numberId: string): string => `number:${numberId}`;
export const workspacePaceKey = (workspaceId: string): string => `workspace:${workspaceId}`;
