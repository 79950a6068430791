import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { Database } from './schema.js';

interface Compiled {
  sql: string;
  /** The compiled parameters; where a slot names an argument, that argument goes in its place. */
  parameters: readonly unknown[];
  slots: readonly (number | null)[];
}

/**
 * A query Kysely builds and compiles once (per dialect), then runs with new values.
 *
 * Building a query and compiling it costs more JavaScript than SQLite takes to run a
 * one-row lookup (a quarter of a customer reply's cost was Kysely's). For the few queries run
 * for every message, the SQL text is kept and only the values change. The arguments must be
 * plain bound values — non-null strings or numbers that do not change the query's shape —
 * because the query is built once with placeholders standing in for them.
 */
export class PreparedQuery<Args extends readonly (string | number)[], Row> {
  private readonly compiled = new Map<unknown, Compiled>();

  constructor(private readonly build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>) {}

  async execute(db: Kysely<Database>, ...args: Args): Promise<Row[]> {
    // One compilation per dialect: PostgreSQL and SQLite write different SQL.
    const dialect = db.getExecutor().adapter.constructor;
    let compiled = this.compiled.get(dialect);
    if (!compiled) {
      const placeholders = args.map((_, index) => `\u0000prepared argument ${index}\u0000`);
      const query = this.build(db, ...(placeholders as unknown as Args)).compile();
      compiled = {
        sql: query.sql,
        parameters: query.parameters,
        slots: query.parameters.map((value) => {
          const index = placeholders.indexOf(value as string);
          return index === -1 ? null : index;
        }),
      };
      this.compiled.set(dialect, compiled);
    }
    const { sql, parameters, slots } = compiled;
    const values = slots.map((slot, index) => (slot === null ? parameters[index] : args[slot]));
    return (await db.executeQuery<Row>(CompiledQuery.raw(sql, values))).rows;
  }

  async first(db: Kysely<Database>, ...args: Args): Promise<Row | undefined> {
    return (await this.execute(db, ...args))[0];
  }
}
