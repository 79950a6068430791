import type { Clock } from '../domain/ports.js';
import type { MessageRepository } from '../store/message.repository.js';

/**
 * Writes `submit_started_at` for messages about to be handed to the carrier, batching every
 * mark requested in one event-loop turn into one UPDATE: the write must precede each carrier
 * call (it is what makes a lost lease's outcome "unknown" rather than "never sent"), but one
 * statement per message would cost a commit each.
 */
export class SubmitStartMarker {
  private pending: { id: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly messages: Pick<MessageRepository, 'markSubmitStarted'>,
    private readonly clock: Clock,
  ) {}

  mark(id: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    try {
      await this.messages.markSubmitStarted(
        batch.map((entry) => entry.id),
        this.clock.now().toISOString(),
      );
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
