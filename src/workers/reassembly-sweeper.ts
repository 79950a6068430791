import type { AppContext } from '../context.js';
import { releaseExpiredParts } from '../app/handle-inbound.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids' | 'events' | 'queue' | 'log' | 'config'>;

/**
 * How often to look for expired multipart sets: a tenth of the timeout, so a set is
 * released at most about 10% late, but never busier than once a second nor lazier than
 * every 30 seconds. The query is one indexed range scan, cheap when nothing is due.
 */
export function sweepIntervalMs(timeoutSeconds: number): number {
  return Math.min(30_000, Math.max(1000, Math.round((timeoutSeconds * 1000) / 10)));
}

/**
 * Periodically releases inbound multipart texts whose missing parts never came (see
 * `releaseExpiredParts`). Every worker process runs one; sets are locked while released,
 * so sweepers on several machines never build the same message twice.
 */
export class ReassemblySweeper {
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;
  private started = false;
  private readonly intervalMs: number;

  constructor(
    private readonly deps: Deps,
    options: { intervalMs?: number } = {},
  ) {
    this.intervalMs = options.intervalMs ?? sweepIntervalMs(deps.config.reassemblyTimeoutSeconds);
  }

  /** Sweeps at once (sets may have expired while Parley was down), then on the interval. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops the timer and waits for a sweep in progress, so the store can close after it. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.pass;
  }

  /** One sweep; returns how many sets were released. */
  async tick(): Promise<number> {
    return (await releaseExpiredParts(this.deps)).released;
  }

  private schedule(delayMs: number): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pass = this.run();
    }, delayMs);
  }

  private async run(): Promise<void> {
    try {
      await this.tick();
    } catch (error) {
      this.deps.log.error({ err: error }, 'reassembly sweep failed; retrying after the interval');
    } finally {
      this.pass = null;
      this.schedule(this.intervalMs);
    }
  }
}
