/** Runs a listener's work once its request is acked; resolves or rejects as the work does. */
export type WorkAfterAck = <T>(work: () => Promise<T>) => Promise<T>;

/** Every listener works at once: in Lambda each request has its invocation, and nothing is shared. */
export const workAtOnce: WorkAfterAck = (work) => work();

export interface AckFirstOptions {
  /** Clicks that hold a turn at the same time. */
  turns: number;
  /**
   * A click that has worked this long without finishing gives its turn to the next one (it keeps
   * working): it is waiting for AWS or Slack, not using the event loop.
   */
  turnMs: number;
}

/** Measured with `npm run bench` (the Slack burst; see BENCHMARKS.md and docs/performance.md). */
export const DEFAULT_ACK_FIRST: AckFirstOptions = { turns: 2, turnMs: 250 };

/**
 * Acks before work, in one process (`rootkey serve`, the sandbox, Socket Mode). Every request is acked
 * on the same event loop that runs the work of the clicks acked before it (the vote, signed evidence,
 * the workflow's answer, Slack updates): under a burst, every acked click working at once fills the
 * loop with their callbacks, the later acks wait behind them, and Slack gives up after 3 seconds.
 *
 * So clicks take turns: `turns` of them work at a time, the others wait in the order they were acked,
 * without using the CPU. A turn lasts until the work is done or `turnMs` has passed, whichever comes
 * first: a click that waits long for AWS or Slack lets the next start, so slow calls do not hold up
 * the clicks behind them.
 */
export class AckFirstWork {
  private holding = 0;
  private readonly waiting: (() => void)[] = [];
  /** Clicks acked whose work has not finished (waiting or working). */
  private unfinished = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly options: AckFirstOptions = DEFAULT_ACK_FIRST) {
    if (!Number.isInteger(options.turns) || options.turns < 1) {
      throw new RangeError(`turns must be a whole number of at least 1, not ${options.turns}`);
    }
  }

  /** Clicks whose work waits for its turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Resolves once every acked click's work has finished, or after `timeoutMs` (the app stops: a click
   * that was answered should still be counted before the process goes).
   */
  idle(timeoutMs: number): Promise<void> {
    if (this.unfinished === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  readonly afterAck: WorkAfterAck = async (work) => {
    this.unfinished++;
    try {
      return await this.inTurn(work);
    } finally {
      if (--this.unfinished === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  };

  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.waiting.length === 0 && this.holding < this.options.turns) this.holding++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // handed a turn on release
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      const next = this.waiting.shift();
      if (next) next();
      else this.holding--;
    };
    const timer = setTimeout(release, this.options.turnMs);
    try {
      return await work();
    } finally {
      clearTimeout(timer);
      release();
    }
  }
}
