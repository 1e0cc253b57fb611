import { RootKeyError, TransientAwsError } from '../core/errors';

export interface AdaptiveRateLimiterOptions {
  /** Rate to start from, per second (default 5). Slow start doubles it about every second until the first throttle. */
  initialRatePerSecond?: number;
  /** Floor after repeated throttling (default 0.5 per second). */
  minRatePerSecond?: number;
  /** Ceiling (default 1,000 per second). */
  maxRatePerSecond?: number;
  /** Multiplier applied on throttling (default 0.7, the back-off factor of the SDK's adaptive retry mode). */
  decreaseFactor?: number;
  /** CUBIC's scaling constant: how fast the rate returns to and then probes past the last throttled rate (default 0.4, as in the SDK). */
  cubicScale?: number;
  /** Milliseconds since some epoch; defaults to Date.now (benchmarks pass a virtual clock). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What {@link AdaptiveRateLimiter.acquire} hands out; give it back through onSuccess/onThrottle. */
export interface RatePermit {
  /** When the permit was granted (clock of the limiter). */
  grantedAt: number;
  /** Whether the caller had to wait, i.e. the limiter (not the caller) set the pace. */
  paced: boolean;
}

export interface AdaptiveRateLimiterStats {
  permits: number;
  throttles: number;
  /** Throttles that lowered the rate (one per congestion episode). */
  decreases: number;
}

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Client-side pacing that finds the rate AWS allows without knowing it, the way the SDK's
 * adaptive retry mode does (CUBIC congestion control): permits are spaced 1/rate apart; a
 * throttled request remembers the rate as `wMax` and lowers it by `decreaseFactor`; paced
 * successes raise it along `cubicScale·(t − K)³ + wMax`, which climbs quickly back towards
 * `wMax`, stays near it, and only then probes beyond. Before the first throttle the rate doubles
 * about every second (slow start). A plain additive increase would spend most of its time well
 * below the limit; the cubic curve is what lets a sweep run at 90%+ of it.
 *
 * Two details keep it from collapsing or running away: only a throttle of a request granted
 * after the last decrease lowers the rate again (requests already in flight at the old rate say
 * nothing new), and only paced successes raise it (a caller slower than the rate gives no
 * evidence that a higher rate would pass). The SDK does this per client; this limiter sits above
 * it, per sweep, where all the workers share one budget.
 */
export class AdaptiveRateLimiter {
  private rate: number;
  private readonly minRate: number;
  private readonly maxRate: number;
  private readonly factor: number;
  private readonly scale: number;
  /** Rate when the last throttle came, and the seconds the cubic curve needs to get back to it. */
  private wMax = 0;
  private k = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** When the last permit went out. */
  private lastGrantAt = Number.NEGATIVE_INFINITY;
  /** Callers waiting for a permit, first come first served. */
  private readonly waiting: ((permit: RatePermit) => void)[] = [];
  private pumping = false;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private slowStart = true;
  private readonly counters: AdaptiveRateLimiterStats = { permits: 0, throttles: 0, decreases: 0 };

  constructor(options: AdaptiveRateLimiterOptions = {}) {
    this.minRate = options.minRatePerSecond ?? 0.5;
    this.maxRate = options.maxRatePerSecond ?? 1000;
    this.rate = clamp(options.initialRatePerSecond ?? 5, this.minRate, this.maxRate);
    this.factor = options.decreaseFactor ?? 0.7;
    this.scale = options.cubicScale ?? 0.4;
    if (!(this.minRate > 0) || this.minRate > this.maxRate) {
      throw new RangeError(`need 0 < minRatePerSecond <= maxRatePerSecond, got ${this.minRate} and ${this.maxRate}`);
    }
    if (!(this.factor > 0 && this.factor < 1))
      throw new RangeError(`decreaseFactor must be in (0, 1), got ${this.factor}`);
    if (!(this.scale > 0)) throw new RangeError(`cubicScale must be > 0, got ${this.scale}`);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleepReal;
  }

  /** Current rate, permits per second. */
  get ratePerSecond(): number {
    return this.rate;
  }

  get stats(): AdaptiveRateLimiterStats {
    return { ...this.counters };
  }

  /**
   * Waits for the next permit. Callers queue first come first served, and each gap is computed
   * from the rate at the time it starts, so that a change of rate applies to the very next permit
   * (reserving slots ahead would keep a queue of workers at a stale rate for seconds).
   */
  acquire(): Promise<RatePermit> {
    this.counters.permits++;
    const now = this.now();
    if (this.waiting.length === 0 && now >= this.lastGrantAt + 1000 / this.rate) {
      this.lastGrantAt = now;
      return Promise.resolve({ grantedAt: now, paced: false });
    }
    const permit = new Promise<RatePermit>((resolve) => this.waiting.push(resolve));
    if (!this.pumping) void this.pump();
    return permit;
  }

  /** Hands out permits to the queue, one per 1/rate. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.waiting.length > 0) {
        const wait = this.lastGrantAt + 1000 / this.rate - this.now();
        if (wait > 0) await this.sleep(wait);
        // The rate may have dropped while we slept: wait out the rest of the longer gap.
        if (this.now() < this.lastGrantAt + 1000 / this.rate) continue;
        const now = this.now();
        this.lastGrantAt = now;
        this.waiting.shift()?.({ grantedAt: now, paced: true });
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The request passed: raise the rate if the limiter was what held it back. */
  onSuccess(permit: RatePermit): void {
    if (!permit.paced) return;
    if (this.slowStart) {
      // +1 per success at `rate` successes a second: the rate doubles about every second.
      this.rate = Math.min(this.maxRate, this.rate + 1);
      return;
    }
    const t = (this.now() - this.lastDecreaseAt) / 1000;
    const cubic = this.scale * (t - this.k) ** 3 + this.wMax;
    this.rate = clamp(Math.max(this.rate, cubic), this.minRate, this.maxRate);
  }

  /** The request was throttled: lower the rate once per congestion episode. */
  onThrottle(permit: RatePermit): void {
    this.counters.throttles++;
    if (permit.grantedAt < this.lastDecreaseAt) return;
    const now = this.now();
    this.slowStart = false;
    this.wMax = this.rate;
    this.k = Math.cbrt((this.wMax * (1 - this.factor)) / this.scale);
    this.rate = Math.max(this.minRate, this.rate * this.factor);
    this.lastDecreaseAt = now;
    this.counters.decreases++;
  }
}

/** Codes and phrases AWS uses for "slow down" (they survive into TransientAwsError messages). */
const THROTTLING = /throttl|rate exceeded|too ?many ?requests|limit ?exceeded|slow ?down/i;

/**
 * True for a transient error that says "slow down" (as opposed to a 5xx or a timeout, which is
 * retried without lowering the rate).
 */
export function isThrottlingError(error: unknown): boolean {
  return error instanceof TransientAwsError && THROTTLING.test(error.message);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * How a sweep stays under AWS's rate limits: one {@link AdaptiveRateLimiter} shared by all
 * workers paces the jobs (one job = one account read), and a job that fails with a transient
 * error is tried again after a jittered exponential backoff; throttling also lowers the shared rate.
 */
export interface PacingOptions {
  /** Shared limiter; a fresh one with default settings (and this `now`/`sleep`) when absent. */
  limiter?: AdaptiveRateLimiter;
  /** Tries per job, the first one included (default {@link DEFAULT_PACED_ATTEMPTS}). */
  maxAttempts?: number;
  /** First backoff before a retry (default 200 ms), doubled per attempt up to `maxBackoffMs` (default 5,000 ms). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1) (default Math.random; benchmarks pass a seeded one). */
  random?: () => number;
}

/** Tries per job under pacing: enough to ride out a throttling episode, few enough to report an outage. */
export const DEFAULT_PACED_ATTEMPTS = 6;

/**
 * Returns a runner that passes each job through the shared limiter and retries transient
 * failures ({@link RootKeyError} with `transient`) with backoff. Other errors, and the last
 * transient one, are thrown unchanged.
 */
export function pacedRunner(pacing: PacingOptions = {}): <T>(job: () => Promise<T>) => Promise<T> {
  const sleep = pacing.sleep ?? sleepReal;
  const limiter = pacing.limiter ?? new AdaptiveRateLimiter({ sleep, ...(pacing.now ? { now: pacing.now } : {}) });
  const maxAttempts = Math.max(1, pacing.maxAttempts ?? DEFAULT_PACED_ATTEMPTS);
  const base = pacing.baseBackoffMs ?? 200;
  const cap = pacing.maxBackoffMs ?? 5000;
  const random = pacing.random ?? Math.random;
  return async <T>(job: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      const permit = await limiter.acquire();
      try {
        const result = await job();
        limiter.onSuccess(permit);
        return result;
      } catch (error) {
        const transient = error instanceof RootKeyError && error.transient;
        if (!transient || attempt >= maxAttempts) throw error;
        if (isThrottlingError(error)) limiter.onThrottle(permit);
        // "Equal jitter": at least half the exponential step, so that retries spread out yet still back off.
        const step = Math.min(cap, base * 2 ** (attempt - 1));
        await sleep(step / 2 + random() * (step / 2));
      }
    }
  };
}
