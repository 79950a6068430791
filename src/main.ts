import type { Config } from './config.js';
import { createContext, type AppContext } from './context.js';
import { buildServer, type ParleyApp } from './http/server.js';
import { SendWorker } from './workers/send-worker.js';
import { CarrierKeeper } from './workers/carrier-keeper.js';
import { ReassemblySweeper } from './workers/reassembly-sweeper.js';
import { PgNotifyBus } from './runtime/pg-notify.js';

export type Role = 'all' | 'api' | 'worker';

export interface RunningParley {
  ctx: AppContext;
  app: ParleyApp | null;
  worker: SendWorker | null;
  sweeper: ReassemblySweeper | null;
  url: string | null;
  stop(): Promise<void>;
}

/**
 * Starts Parley in one process: migrations, then the HTTP server and/or the workers (the
 * send worker and the reassembly sweeper).
 * `stop` shuts down in the order that loses nothing: stop accepting requests and let
 * in-flight ones finish, stop claiming and finish in-flight submits, let carriers report
 * what they still hold, then close the store.
 */
export async function startParley(config: Config, role: Role): Promise<RunningParley> {
  const ctx = createContext(config);
  const applied = await ctx.db.migrate();
  if (applied.length > 0) ctx.log.info({ migrations: applied }, 'applied migrations');
  // On PostgreSQL, listen before serving or claiming, so no event or queue signal from
  // another process falls into a start-up gap. (It closes with the store, last, on stop.)
  if (ctx.events instanceof PgNotifyBus) await ctx.events.ready();

  let app: ParleyApp | null = null;
  let url: string | null = null;
  if (role === 'all' || role === 'api') {
    app = await buildServer(ctx);
    url = await app.listen({ port: config.port, host: config.host });
  }
  let worker: SendWorker | null = null;
  let sweeper: ReassemblySweeper | null = null;
  let keeper: CarrierKeeper | null = null;
  if (role === 'all' || role === 'worker') {
    // Bind every carrier now, so replies and receipts flow before anything is sent.
    keeper = new CarrierKeeper(ctx);
    await keeper.start();
    worker = new SendWorker(ctx);
    worker.start();
    sweeper = new ReassemblySweeper(ctx);
    sweeper.start();
  }
  ctx.log.info({ role, url, store: ctx.db.dialect }, `Parley started (${role})${url ? ` at ${url}` : ''}`);

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      ctx.log.info('shutting down');
      if (app) await app.close();
      if (worker) await worker.stop();
      if (sweeper) await sweeper.stop();
      if (keeper) await keeper.stop();
      await ctx.carriers.stopAll();
      await ctx.db.close();
      ctx.log.info('stopped cleanly');
    })();
    return stopping;
  };
  return { ctx, app, worker, sweeper, url, stop };
}
