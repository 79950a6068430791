import pino from 'pino';
import type { Config } from './config.js';
import type { Clock, EventBus, IdSource, Logger, SendQueueSignal } from './domain/ports.js';
import { Store } from './store/store.js';
import { CarrierRegistry } from './carriers/carrier-registry.js';
import type { CarrierEventSink } from './carriers/carrier.js';
import { systemClock, uuidV7Ids } from './runtime/clock-and-ids.js';
import { InProcessEventBus, InProcessQueueSignal } from './runtime/in-process-events.js';
import { PgNotifyBus, type EventResolver } from './runtime/pg-notify.js';
import { createCarrierSink } from './app/carrier-sink.js';

/** The one context object, built once and passed to the server, the workers and the CLI. */
export interface AppContext {
  config: Config;
  db: Store;
  clock: Clock;
  ids: IdSource;
  log: Logger & pino.Logger;
  carriers: CarrierRegistry;
  queue: SendQueueSignal;
  events: EventBus;
}

export interface ContextOverrides {
  clock?: Clock;
  ids?: IdSource;
  log?: pino.Logger;
}

export function createContext(config: Config, overrides: ContextOverrides = {}): AppContext {
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? uuidV7Ids;
  const log = overrides.log ?? pino({ level: config.logLevel, base: { service: 'parley' } });
  const db = Store.open({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, ids);
  // The sink needs the finished context; it is only called once carriers run.
  let sink: CarrierEventSink | null = null;
  const lazySink: CarrierEventSink = {
    receipt: (receipt) => (sink ?? failEarly()).receipt(receipt),
    inbound: (sms) => (sink ?? failEarly()).inbound(sms),
  };
  const { events, queue } = liveSignals(config, db, log);
  const ctx: AppContext = {
    config,
    db,
    clock,
    ids,
    log,
    carriers: new CarrierRegistry({ sink: lazySink, clock, ids }),
    queue,
    events,
  };
  sink = createCarrierSink(ctx);
  return ctx;
}

/**
 * SQLite means one process: events and the queue signal stay in memory. PostgreSQL means any
 * number of API and worker processes: both go over LISTEN/NOTIFY, on one connection per
 * process that opens on first use (the CLI never opens it).
 */
function liveSignals(config: Config, db: Store, log: Logger): { events: EventBus; queue: SendQueueSignal } {
  if (!config.databaseUrl) return { events: new InProcessEventBus(), queue: new InProcessQueueSignal() };
  const bus = new PgNotifyBus({ connectionString: config.databaseUrl, log, resolve: resolveFrom(db) });
  // The listener lives as long as the store: whoever closes the store (shutdown, after the
  // carriers have reported their last receipts; the CLI; tests) ends the listener first,
  // after it has sent the events still pending.
  const closeStore = db.close.bind(db);
  db.close = async () => {
    await bus.close();
    await closeStore();
  };
  return { events: bus, queue: bus };
}

/** An event too big for a NOTIFY arrives as a reference; the receiver reads the row again. */
function resolveFrom(db: Store): EventResolver {
  return async (ref) => {
    if (ref.type === 'conversation.updated') {
      const conversation = await db.repos.conversations.findInWorkspace(ref.workspaceId, ref.id);
      return conversation && { type: ref.type, workspaceId: ref.workspaceId, data: conversation };
    }
    if (ref.type === 'note.created') {
      const note = await db.repos.inbox.findNote(ref.workspaceId, ref.id);
      return note && { type: ref.type, workspaceId: ref.workspaceId, data: note };
    }
    const message = await db.repos.messages.findInWorkspace(ref.workspaceId, ref.id);
    return message && { type: ref.type, workspaceId: ref.workspaceId, data: message };
  };
}

function failEarly(): never {
  throw new Error('carrier event arrived before the context was ready');
}
