/**
 * Failed sign-ins per email and client address: after `limit` failures within `windowMs`,
 * further attempts for that pair are refused until the oldest failure leaves the window; a
 * successful sign-in clears the pair.
 *
 * Kept in this process's memory, deliberately: it needs no table and no clean-up job, and it
 * is enough for what it guards against (password guessing against one account from one
 * place). With several API processes behind a load balancer each process counts on its own,
 * so the effective limit is `limit` × processes; a restart forgets the counts.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 15 * 60_000,
    /** Bounds memory under a spray of distinct emails or addresses. */
    private readonly maxKeys = 100_000,
  ) {}

  static keyOf(email: string, ip: string): string {
    return `${email.trim().toLowerCase()}\u0000${ip}`;
  }

  /** Milliseconds until the pair may try again; 0 when it may now. */
  retryAfterMs(key: string, nowMs: number): number {
    const recent = this.recent(key, nowMs);
    if (recent.length < this.limit) return 0;
    const oldest = recent[recent.length - this.limit] ?? nowMs;
    return Math.max(1, oldest + this.windowMs - nowMs);
  }

  recordFailure(key: string, nowMs: number): void {
    const recent = this.recent(key, nowMs);
    recent.push(nowMs);
    // Re-inserting moves the key to the end, so the sweep below drops the stalest first.
    this.failures.delete(key);
    this.failures.set(key, recent.slice(-this.limit));
    if (this.failures.size > this.maxKeys) this.sweep(nowMs);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, nowMs: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => at > nowMs - this.windowMs);
  }

  private sweep(nowMs: number): void {
    for (const [key, times] of this.failures) {
      if ((times[times.length - 1] ?? 0) <= nowMs - this.windowMs) this.failures.delete(key);
    }
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.maxKeys) break;
      this.failures.delete(key);
    }
  }
}
