import type { AppContext } from '../context.js';

type Deps = Pick<AppContext, 'db' | 'carriers' | 'log'>;

/**
 * Keeps every configured carrier connected in a process that sends. Without it a carrier was
 * started only by its first send after a restart: until then an SMPP carrier stayed unbound,
 * so customers' replies and pending receipts waited at the SMSC and the API showed `down`.
 * It also picks up carriers created through another process (`--role api`) on an interval.
 */
export class CarrierKeeper {
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;

  constructor(
    private readonly deps: Deps,
    private readonly intervalMs = 30_000,
  ) {}

  /** Starts every carrier now (resolves when each has been asked to start), then on the interval. */
  async start(): Promise<void> {
    await this.startAll();
    this.timer = setInterval(() => void this.startAll(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass;
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
