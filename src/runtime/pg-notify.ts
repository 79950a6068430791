import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { EventBus, Logger, ParleyEvent, SendQueueSignal } from '../domain/ports.js';

/** Channels are per database, so two Parley installs on one server never hear each other. */
export const EVENTS_CHANNEL = 'parley_events';
export const QUEUE_CHANNEL = 'parley_queue';

/**
 * PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. Stay a little under it; a bigger
 * event travels as a reference (see `EventRef`).
 */
export const MAX_PAYLOAD_BYTES = 7900;

/** What an oversized event is reduced to: enough for a receiver to read the row again. */
export interface EventRef {
  type: ParleyEvent['type'];
  workspaceId: string;
  id: string;
}

/** Reads the current state of a referenced row; null when it no longer exists. */
export type EventResolver = (ref: EventRef) => Promise<ParleyEvent | null>;

export interface PgNotifyOptions {
  connectionString: string;
  log: Logger;
  resolve: EventResolver;
  /** At most one queue NOTIFY per this many ms per process; bursts in between coalesce. */
  queueCoalesceMs?: number;
  /** Reconnect backoff: first wait, doubled up to the cap. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Events published while disconnected are kept up to this many (oldest dropped first). */
  maxPending?: number;
}

/** On the wire: the publishing process, its sequence number, and the event or its reference. */
interface Envelope {
  o: string;
  s: number;
  e?: ParleyEvent;
  r?: EventRef;
}

/** Rows per NOTIFY statement: one round trip for a burst, bounded query size. */
const FLUSH_BATCH = 500;

/**
 * Live events and the send-queue signal across processes, over PostgreSQL LISTEN/NOTIFY on
 * one dedicated connection per process (a pooled connection would be handed back and lose
 * its LISTEN).
 *
 * Events: `publish` only sends a NOTIFY; every process, the publisher included, delivers to
 * its subscribers when the notification comes back. So a subscriber sees each event exactly
 * once, and all processes see the same order (PostgreSQL's commit order). Notifications are
 * handled one at a time, in order, even when one needs a store read (a reference).
 *
 * An event whose JSON would not fit in a NOTIFY travels as `{type, workspaceId, id}`; a
 * receiver with subscribers in that workspace reads the message or conversation again and
 * delivers its state as of that read (which may be newer than the event; live views want the
 * latest state anyway). No subscribers, no read.
 *
 * Queue signal: `notify` wakes this process's workers at once and sends at most one NOTIFY
 * per `queueCoalesceMs` (leading edge, plus one trailing NOTIFY if more came in meanwhile), so a
 * batch of 10,000 enqueues costs one or two NOTIFYs. Other processes' workers wake on it; a
 * process ignores its own queue NOTIFYs (its workers were already woken).
 *
 * Connection loss: the listener reconnects with capped exponential backoff and logs the drop
 * and the recovery. Events published meanwhile wait in memory (bounded) and are sent after
 * reconnecting; a batch whose NOTIFY failed mid-flight is sent again (a repeated
 * `message.updated` carries full state, so a rare duplicate is harmless; a lost one is not).
 * What other processes published during the gap is not replayed: LISTEN/NOTIFY keeps no
 * history. After reconnecting, local workers are woken in case they missed a queue signal.
 */
export class PgNotifyBus implements EventBus, SendQueueSignal {
  private readonly origin = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  private readonly subscribers = new EventEmitter();
  private readonly queueListeners = new Set<() => void>();
  private readonly queueCoalesceMs: number;
  private readonly reconnectMinMs: number;
  private readonly reconnectMaxMs: number;
  private readonly maxPending: number;

  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private connected = false;
  private closed = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readyWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  private seq = 0;
  private pending: string[] = [];
  private dropped = 0;
  private flushing: Promise<void> | null = null;
  private flushScheduled = false;
  private queryChain: Promise<unknown> = Promise.resolve();

  private queueCooldown: NodeJS.Timeout | null = null;
  private queueDirty = false;
  /** A queue signal asked for while disconnected: sent once the listener is back. */
  private queueOwed = false;

  /** Incoming notifications, delivered strictly in order (a reference waits for its read). */
  private inbox: Envelope[] = [];
  private draining = false;

  constructor(private readonly options: PgNotifyOptions) {
    this.queueCoalesceMs = options.queueCoalesceMs ?? 5;
    this.reconnectMinMs = options.reconnectMinMs ?? 100;
    this.reconnectMaxMs = options.reconnectMaxMs ?? 5000;
    this.maxPending = options.maxPending ?? 10_000;
    // One listener per open SSE connection; many staff may have the inbox open.
    this.subscribers.setMaxListeners(0);
  }

  /** Connects and LISTENs (once); resolves when notifications are being received. */
  ready(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the notify bus is closed'));
    if (this.connected) return Promise.resolve();
    this.ensureStarted();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  publish(event: ParleyEvent): void {
    if (this.closed) {
      this.options.log.warn({ type: event.type }, 'event published after the notify bus closed; dropped');
      return;
    }
    this.ensureStarted();
    this.pending.push(this.encode(event));
    if (this.pending.length > this.maxPending) {
      this.pending.shift();
      this.dropped += 1;
    }
    this.scheduleFlush();
  }

  subscribe(workspaceId: string, listener: (event: ParleyEvent) => void): () => void {
    this.ensureStarted();
    this.subscribers.on(workspaceId, listener);
    return () => this.subscribers.off(workspaceId, listener);
  }

  notify(): void {
    for (const listener of this.queueListeners) listener();
    if (this.closed) return;
    this.ensureStarted();
    if (this.queueCooldown) {
      this.queueDirty = true;
      return;
    }
    this.sendQueueSignal();
  }

  onNotify(listener: () => void): () => void {
    this.ensureStarted();
    this.queueListeners.add(listener);
    return () => this.queueListeners.delete(listener);
  }

  /** Sends what is still pending (when connected), then UNLISTENs and ends the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.connected) await this.flush().catch(() => undefined);
    this.closed = true;
    // A connect in progress sees `closed` and ends its own client.
    if (this.connecting) await this.connecting;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.queueCooldown) clearTimeout(this.queueCooldown);
    this.reconnectTimer = null;
    this.queueCooldown = null;
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(new Error('the notify bus is closed'));
    if (this.pending.length > 0) {
      this.options.log.warn({ events: this.pending.length }, 'notify bus closed with unsent live events');
    }
    const client = this.client;
    this.client = null;
    this.connected = false;
    if (client) {
      await client.query('UNLISTEN *').catch(() => undefined);
      await client.end().catch(() => undefined);
    }
    this.subscribers.removeAllListeners();
    this.queueListeners.clear();
  }

  /**
   * `<workspaceId>\n<envelope JSON>`: the workspace leads, so a process with nobody
   * listening to it (every worker process; an API process without open inboxes) drops the
   * notification without parsing it. A campaign publishes two events per message.
   */
  private encode(event: ParleyEvent): string {
    const envelope: Envelope = { o: this.origin, s: ++this.seq, e: event };
    const full = `${event.workspaceId}\n${JSON.stringify(envelope)}`;
    if (Buffer.byteLength(full, 'utf8') <= MAX_PAYLOAD_BYTES) return full;
    const ref: EventRef = { type: event.type, workspaceId: event.workspaceId, id: event.data.id };
    return `${event.workspaceId}\n${JSON.stringify({ o: this.origin, s: envelope.s, r: ref } satisfies Envelope)}`;
  }

  private ensureStarted(): void {
    if (this.closed || this.client || this.connecting || this.reconnectTimer) return;
    this.connecting = this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: 'parley-listener',
      // A half-open connection (network partition) would otherwise never report itself.
      keepAlive: true,
    });
    client.on('notification', (message) => this.onNotification(message.channel, message.payload));
    // After a successful connect, 'error' and 'end' both mean the connection is gone.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      await client.query(`LISTEN ${QUEUE_CHANNEL}`);
    } catch (error) {
      this.connecting = null;
      await client.end().catch(() => undefined);
      if (!this.closed) this.retryLater(error);
      return;
    }
    this.connecting = null;
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.connected = true;
    if (this.failures > 0) {
      this.options.log.info({ attempts: this.failures }, 'notify listener reconnected; events from other processes during the gap were missed');
      // Work enqueued elsewhere while we were deaf: let the workers look.
      for (const listener of this.queueListeners) listener();
    }
    this.failures = 0;
    for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
    if (this.dropped > 0) {
      this.options.log.warn({ dropped: this.dropped }, 'live events dropped while the notify listener was down');
      this.dropped = 0;
    }
    this.scheduleFlush();
    if (this.queueOwed) {
      this.queueOwed = false;
      if (this.queueCooldown) this.queueDirty = true;
      else this.sendQueueSignal();
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client) return; // an old or never-established connection
    this.client = null;
    this.connected = false;
    client.removeAllListeners('notification');
    // Keep an 'error' listener: pg may still emit on the dead socket.
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.retryLater(error);
  }

  private retryLater(error: unknown): void {
    const waitMs = Math.min(this.reconnectMaxMs, this.reconnectMinMs * 2 ** this.failures);
    this.failures += 1;
    this.options.log.warn(
      { err: error, attempt: this.failures, retryInMs: waitMs },
      'notify listener connection lost; reconnecting',
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.ensureStarted();
    }, waitMs);
    this.reconnectTimer.unref();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || !this.connected) return;
    this.flushScheduled = true;
    // Publishes of one tick (a batch send) go out in one statement.
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush().catch(() => undefined);
    });
  }

  private flush(): Promise<void> {
    // `.finally` runs after the assignment even when there is nothing to send.
    this.flushing ??= this.sendPending().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async sendPending(): Promise<void> {
    while (this.pending.length > 0 && this.client && this.connected) {
      const client = this.client;
      const batch = this.pending.splice(0, FLUSH_BATCH);
      try {
        // unnest yields the array in order; one statement commits all NOTIFYs together, in order.
        await this.query(client, 'select pg_notify($1, p) from unnest($2::text[]) as t(p)', [EVENTS_CHANNEL, batch]);
      } catch (error) {
        // The connection died mid-statement (or it was refused): keep the batch for after reconnecting.
        this.pending.unshift(...batch);
        this.options.log.warn({ err: error, events: batch.length }, 'could not publish live events; will retry');
        return;
      }
    }
  }

  /**
   * One statement at a time on the listener's connection: events and queue signals are sent
   * from independent timers, and pg deprecates overlapping queries on one client.
   */
  private query(client: pg.Client, text: string, values: unknown[]): Promise<unknown> {
    const run = this.queryChain.then(() => client.query(text, values));
    this.queryChain = run.catch(() => undefined);
    return run;
  }

  private sendQueueSignal(): void {
    this.queueDirty = false;
    const client = this.connected ? this.client : null;
    // Disconnected: send it once reconnected (other workers still poll meanwhile).
    if (!client) this.queueOwed = true;
    else {
      this.query(client, 'select pg_notify($1, $2)', [QUEUE_CHANNEL, this.origin]).catch((error: unknown) => {
        this.options.log.warn({ err: error }, 'could not send the queue signal');
      });
    }
    this.queueCooldown = setTimeout(() => {
      this.queueCooldown = null;
      if (this.queueDirty && !this.closed) this.sendQueueSignal();
    }, this.queueCoalesceMs);
    this.queueCooldown.unref();
  }

  private onNotification(channel: string, payload: string | undefined): void {
    if (channel === QUEUE_CHANNEL) {
      if (payload === this.origin) return;
      for (const listener of this.queueListeners) listener();
      return;
    }
    if (channel !== EVENTS_CHANNEL || payload === undefined) return;
    const split = payload.indexOf('\n');
    if (split > 0 && this.subscribers.listenerCount(payload.slice(0, split)) === 0) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload.slice(split + 1)) as Envelope;
    } catch (error) {
      this.options.log.warn({ err: error }, 'unreadable live event notification; ignored');
      return;
    }
    this.inbox.push(envelope);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.inbox.length > 0) {
        const envelope = this.inbox.shift() as Envelope;
        const event = envelope.e ?? (envelope.r ? await this.resolveRef(envelope.r) : null);
        if (event) this.deliver(event);
      }
    } finally {
      this.draining = false;
    }
  }

  private async resolveRef(ref: EventRef): Promise<ParleyEvent | null> {
    if (this.subscribers.listenerCount(ref.workspaceId) === 0) return null;
    try {
      const event = await this.options.resolve(ref);
      if (!event) this.options.log.warn({ ...ref }, 'referenced live event no longer exists; skipped');
      return event;
    } catch (error) {
      this.options.log.warn({ err: error, ...ref }, 'could not read a referenced live event; skipped');
      return null;
    }
  }

  private deliver(event: ParleyEvent): void {
    for (const listener of this.subscribers.listeners(event.workspaceId) as Array<(event: ParleyEvent) => void>) {
      try {
        listener(event);
      } catch (error) {
        this.options.log.error({ err: error, type: event.type }, 'live event subscriber threw');
      }
    }
  }
}
