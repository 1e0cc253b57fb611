interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Simulated time for the simulated organization: `sleep` parks the caller on a timer, and
 * {@link VirtualClock.run} jumps the clock to the next timer whenever every promise chain has
 * settled (nothing can happen before it). An organization-wide sweep that would take minutes at
 * AWS's rate limits runs in a second, deterministically, whatever the machine.
 *
 * Only work that waits through this clock's `sleep` advances it; anything that waits on real
 * I/O or real timers makes {@link VirtualClock.run} fail rather than hang.
 */
export class VirtualClock {
  private current: number;
  private seq = 0;
  /** Pending timers sorted by (at, seq), earliest last so that popping is cheap. */
  private readonly timers: Timer[] = [];
  /** Timer events fired so far. */
  fired = 0;

  constructor(startMs = 0) {
    this.current = startMs;
  }

  /** Milliseconds, like Date.now (bound, so that it can be passed around). */
  readonly now = (): number => this.current;

  /** Resolves when the clock reaches now + ms (bound). */
  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = { at: this.current + Math.max(0, ms), seq: this.seq++, resolve };
      // Binary search for the insertion point in the descending (at, seq) order.
      let lo = 0;
      let hi = this.timers.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const t = this.timers[mid];
        if (t.at > timer.at || (t.at === timer.at && t.seq > timer.seq)) lo = mid + 1;
        else hi = mid;
      }
      this.timers.splice(lo, 0, timer);
    });

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /** Runs `work` to its end, advancing simulated time whenever nothing else can progress. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let settled = false;
    const outcome = work().then(
      (value) => {
        settled = true;
        return value;
      },
      (error: unknown) => {
        settled = true;
        throw error;
      },
    );
    // Attach a handler now so that a rejection while we spin is not reported as unhandled.
    outcome.catch(() => undefined);
    while (!settled) {
      // A macrotask runs only after every queued microtask (promise continuation) has run.
      await macrotask();
      if (settled) break;
      const next = this.timers.pop();
      if (!next) {
        throw new Error('VirtualClock: the work is waiting on something other than this clock (real I/O or timers)');
      }
      this.current = Math.max(this.current, next.at);
      this.fired++;
      next.resolve();
      // Everything due at the same instant goes together.
      while (this.timers.length > 0 && this.timers[this.timers.length - 1].at <= this.current) {
        this.fired++;
        this.timers.pop()?.resolve();
      }
    }
    return outcome;
  }
}
