/**
 * Caps the carrier calls one worker has in progress per carrier at the carrier's window.
 * Messages past the cap wait here, before `submit_started_at` is written, so a crash can
 * leave at most `capacity` of them with an unknown outcome; the rest were certainly unsent.
 */
export class CarrierGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private capacity: number) {}

  resize(capacity: number): void {
    this.capacity = Math.max(1, capacity);
    this.admit();
  }

  acquire(): Promise<void> {
    if (this.active < this.capacity) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
    this.admit();
  }

  private admit(): void {
    while (this.active < this.capacity && this.waiting.length > 0) {
      this.active += 1;
      this.waiting.shift()?.();
    }
  }
}
