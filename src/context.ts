import pino from 'pino';
import type { Config } from './config.js';
import type { Clock, EventBus, IdSource, Logger, SendQueueSignal } from './domain/ports.js';
import { Store } from './store/store.js';
import { CarrierRegistry } from './carriers/carrier-registry.js';
import type { CarrierEventSink } from './carriers/carrier.js';
import { systemClock, uuidV7Ids } from './runtime/clock-and-ids.js';
import { InProcessEventBus, InProcessQueueSignal } from './runtime/in-process-events.js';
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
  const ctx: AppContext = {
    config,
    db,
    clock,
    ids,
    log,
    carriers: new CarrierRegistry({ sink: lazySink, clock, ids }),
    queue: new InProcessQueueSignal(),
    events: new InProcessEventBus(),
  };
  sink = createCarrierSink(ctx);
  return ctx;
}

function failEarly(): never {
  throw new Error('carrier event arrived before the context was ready');
}
