import { hostname } from 'node:os';
import type { AppContext } from '../context.js';
import { STATUS_REPORT_MS } from '../app/carrier.service.js';

type Deps = Pick<AppContext, 'db' | 'carriers' | 'log' | 'clock'>;

/**
 * Keeps every configured carrier connected in a process that sends. Without it a carrier was
 * started only by its first send after a restart: until then an SMPP carrier stayed unbound,
 * so customers' replies and pending receipts waited at the SMSC and the API showed `down`.
 * It also picks up carriers created through another process (`--role api`) on an interval,
 * and reports its carriers' live status to the store every few seconds, so an API process
 * without connections of its own can show it (see carrier.service.ts).
 */
export class CarrierKeeper {
  private timer: NodeJS.Timeout | null = null;
  private reportTimer: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;
  private stopped = false;
  private reporting: Promise<void> | null = null;
  readonly processId = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly deps: Deps,
    private readonly intervalMs = 30_000,
    private readonly reportMs = STATUS_REPORT_MS,
  ) {}

  /** Starts every carrier now (resolves when each has been asked to start), then on the interval. */
  async start(): Promise<void> {
    await this.startAll();
    // stop() may have been called while the first pass ran (shutdown during start-up).
    if (this.stopped) return;
    this.timer = setInterval(() => void this.startAll(), this.intervalMs);
    this.timer.unref();
    void this.report();
    this.reportTimer = setInterval(() => void this.report(), this.reportMs);
    this.reportTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.reportTimer) clearInterval(this.reportTimer);
    this.timer = null;
    this.reportTimer = null;
    await this.pass;
    await this.reporting;
    await this.deps.db.repos.carrierStatus.forget(this.processId).catch((error: unknown) => {
      this.deps.log.warn({ err: error }, 'could not withdraw carrier status reports; they will go stale');
    });
  }

  private report(): Promise<void> {
    this.reporting ??= (async () => {
      try {
        const { carriers } = this.deps;
        const entries = carriers.liveIds().map((carrierId) => ({
          carrierId,
          status: carriers.status(carrierId),
          lastError: carriers.lastError(carrierId),
        }));
        await this.deps.db.repos.carrierStatus.report(this.processId, entries, this.deps.clock.now().toISOString());
      } catch (error) {
        this.deps.log.warn({ err: error }, 'could not report carrier status');
      } finally {
        this.reporting = null;
      }
    })();
    return this.reporting;
  }

  private startAll(): Promise<void> {
    this.pass ??= (async () => {
      try {
        for (const record of await this.deps.db.repos.carriers.listAll()) {
          try {
            await this.deps.carriers.ensure(record);
          } catch (error) {
            // One carrier that cannot start (an unknown type from a newer build) must not keep
            // the others down; the next pass tries again.
            this.deps.log.error({ err: error, carrierId: record.id }, 'could not start carrier');
          }
        }
      } catch (error) {
        this.deps.log.error({ err: error }, 'could not list carriers to start them');
      } finally {
        this.pass = null;
      }
    })();
    return this.pass;
  }
}
