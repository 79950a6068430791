import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** One unit of work of a group: what it runs, and how its caller hears the outcome. */
interface Pending<R> {
  work: (trx: Kysely<Database>) => Promise<R>;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

type Runner = <T>(work: (trx: Kysely<Database>) => Promise<T>) => Promise<T>;

/**
 * Group commit: small transactions that arrive while another group is being written run
 * together in ONE transaction, each inside its own savepoint, and are committed at once.
 *
 * Why: a commit writes every page the transaction touched (SQLite: into the WAL; PostgreSQL:
 * and waits for an fsync). Customer replies each touch the same index pages of messages,
 * conversations and contacts; one commit per reply made the commit most of the cost. In a
 * group those pages are written once.
 *
 * Each work keeps its own all-or-nothing: a work that throws is rolled back to its savepoint
 * and its caller alone gets the error; the others still commit. Each caller's promise settles
 * only after its work is committed. If the group itself cannot commit (a deadlock, a lost
 * connection), every work runs again on its own transaction, as if never grouped: the works
 * must therefore only write through the transaction they are given. A lone work waits only
 * for the end of the current event-loop turn, then runs as a plain transaction.
 */
export class GroupCommit {
  private pending: Pending<unknown>[] = [];
  private writing = false;

  constructor(
    private readonly transaction: Runner,
    private readonly maxGroup = 100,
  ) {}

  run<R>(work: (trx: Kysely<Database>) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ work, resolve, reject } as Pending<unknown>);
      if (!this.writing) void this.write();
    });
  }

  private async write(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        // Let the rest of this turn's arrivals join the group.
        if (this.pending.length < this.maxGroup) await new Promise((resolve) => setImmediate(resolve));
        const group = this.pending.splice(0, this.maxGroup);
        await (group.length === 1 ? this.alone(group[0] as Pending<unknown>) : this.together(group));
      }
    } finally {
      this.writing = false;
    }
  }

  private async alone(entry: Pending<unknown>): Promise<void> {
    await this.transaction(entry.work).then(entry.resolve, entry.reject);
  }

  private async together(group: Pending<unknown>[]): Promise<void> {
    type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
    let outcomes: Outcome[];
    try {
      outcomes = await this.transaction(async (trx) => {
        const results: Outcome[] = [];
        for (const entry of group) {
          await sql`savepoint group_work`.execute(trx);
          try {
            const value = await entry.work(trx);
            await sql`release savepoint group_work`.execute(trx);
            results.push({ ok: true, value });
          } catch (error) {
            // Undo this work alone; the transaction and the others' writes carry on.
            await sql`rollback to savepoint group_work`.execute(trx);
            await sql`release savepoint group_work`.execute(trx);
            results.push({ ok: false, error });
          }
        }
        return results;
      });
    } catch {
      // The group could not be written as a whole: each on its own, in arrival order.
      for (const entry of group) await this.alone(entry);
      return;
    }
    group.forEach((entry, index) => {
      const outcome = outcomes[index] as Outcome;
      if (outcome.ok) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
    });
  }
}
