/** How fast a token bucket refills and how many tokens it holds at most. */
export interface TokenBucketRate {
  /** Tokens added per second (the sustained request rate). */
  ratePerSecond: number;
  /** Capacity: requests that may go at once after a quiet spell. */
  burst: number;
}

/**
 * A token bucket over an explicit clock (milliseconds), so that the same arithmetic serves the
 * simulated AWS rate limits (server side) and the scanner's client-side pacing, in real or virtual
 * time. It starts full, as AWS quotas do for an idle caller.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private rate: number;
  private readonly capacity: number;

  constructor(limit: TokenBucketRate, startMs: number) {
    if (!(limit.ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${limit.ratePerSecond}`);
    if (!(limit.burst >= 1)) throw new RangeError(`burst must be >= 1, got ${limit.burst}`);
    this.rate = limit.ratePerSecond;
    this.capacity = limit.burst;
    this.tokens = limit.burst;
    this.updatedAt = startMs;
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  /** Tokens available at `nowMs` (fractional). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  /** Takes `count` tokens when they are there; otherwise takes nothing (a refused request costs no token). */
  tryTake(nowMs: number, count = 1): boolean {
    this.refill(nowMs);
    if (this.tokens + 1e-9 < count) return false;
    this.tokens = Math.max(0, this.tokens - count);
    return true;
  }

  /** Milliseconds from `nowMs` until `count` tokens are there (0 when they are now). */
  msUntilAvailable(nowMs: number, count = 1): number {
    this.refill(nowMs);
    const missing = count - this.tokens;
    return missing <= 1e-9 ? 0 : (missing / this.rate) * 1000;
  }

  /** Changes the refill rate from `nowMs` on; tokens earned so far at the old rate are kept. */
  setRate(nowMs: number, ratePerSecond: number): void {
    if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${ratePerSecond}`);
    this.refill(nowMs);
    this.rate = ratePerSecond;
  }

  private refill(nowMs: number): void {
    // A clock that goes backwards (never in the sim; possible with wall clocks) earns nothing.
    const elapsed = Math.max(0, nowMs - this.updatedAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1000) * this.rate);
    this.updatedAt = Math.max(this.updatedAt, nowMs);
  }
}
