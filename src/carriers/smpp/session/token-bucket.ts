/**
 * A token bucket for the per-bind TPS limit. Time is passed in (milliseconds) rather than read,
 * so the session's injected clock drives it and tests need no sleeps to reason about it.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number | undefined;

  /**
   * @param ratePerSecond tokens added per second.
   * @param capacity the largest burst; a small one keeps the rate smooth over short windows,
   *   which is what operators measure (many count per second, some per 100 ms).
   */
  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
  ) {
    if (!(ratePerSecond > 0) || !(capacity >= 1)) throw new RangeError('TokenBucket needs ratePerSecond > 0 and capacity >= 1');
    this.tokens = capacity;
  }

  /** Takes one token if available and returns 0; otherwise returns the milliseconds to wait. */
  take(nowMs: number): number {
    this.refill(nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond));
  }

  private refill(nowMs: number): void {
    if (this.updatedAt !== undefined && nowMs > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + ((nowMs - this.updatedAt) * this.ratePerSecond) / 1000);
    }
    if (this.updatedAt === undefined || nowMs > this.updatedAt) this.updatedAt = nowMs;
  }
}
