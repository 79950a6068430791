/**
 * Remembers looked-up values for a short time. The worker reads a message's sender number and
 * carrier for every send; they change rarely, and a change showing up a few seconds late is
 * harmless (the carrier registry restarts an adapter whose settings changed when it sees them).
 */
export class TtlCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; expiresAtMs: number }>();

  constructor(private readonly ttlMs: number) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAtMs > now) return cached.value;
    const value = load();
    this.entries.set(key, { value, expiresAtMs: now + this.ttlMs });
    // A failed load is not remembered.
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > 10_000) this.entries.clear();
    return value;
  }
}
