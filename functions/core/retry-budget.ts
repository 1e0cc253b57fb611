/**
 * How long the workflow keeps retrying a fault before the case fails: one budget per class of
 * fault, used by the state machine definition (infra/constructs/remediation-workflow.ts renders each
 * as a Step Functions retrier) and by the failure evidence (which names the budget that ran out).
 *
 * Step Functions semantics (docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html):
 * the n-th retry (n = 0, 1, …) waits `min(IntervalSeconds · BackoffRate^n, MaxDelaySeconds)`;
 * with `JitterStrategy: FULL` it waits a random time between 0 and that; after `MaxAttempts` retries
 * the retrier is exhausted and the state's Catch takes over. Retriers are scanned in order and the
 * first whose `ErrorEquals` names the error applies; each retrier counts its own attempts. Every
 * retry is a state transition (billed), which is why the budgets say what they cost.
 *
 * The goal they serve: a fault that clears within an hour delays a case, never changes how it ends.
 */

export type RetryClass = 'aws' | 'slack' | 'contention' | 'lambda-service' | 'lambda-timeout';

export interface RetryBudget {
  /** Errors (their stable `name`s) this budget retries. */
  errors: readonly string[];
  intervalSeconds: number;
  backoffRate: number;
  maxDelaySeconds: number;
  /** Retries after the first attempt. */
  maxAttempts: number;
  jitter: 'FULL' | 'NONE';
  /** What the budget is for, in one sentence (README and failure evidence). */
  covers: string;
  /** Why these numbers. */
  why: string;
}

export const RETRY_BUDGETS: Record<RetryClass, RetryBudget> = {
  aws: {
    errors: ['TransientAwsError'],
    intervalSeconds: 2,
    backoffRate: 2,
    maxDelaySeconds: 20,
    maxAttempts: 400,
    jitter: 'FULL',
    covers:
      'IAM, STS, Organizations, Security Hub, S3 and DynamoDB throttling, 5xx and timeouts (after the SDK retries)',
    why:
      'A task makes up to six AWS calls that must all succeed in one attempt: at 50% throttling about one attempt in 40-64 does, so the budget counts attempts in hundreds; ' +
      'the 20 s cap keeps one waiting case at about one attempt every 10 s (full jitter spreads the cases a sweep starts together), and 400 attempts last more than an hour in expectation minus two standard deviations.',
  },
  slack: {
    errors: ['SlackUnavailableError'],
    intervalSeconds: 5,
    backoffRate: 2,
    maxDelaySeconds: 300,
    maxAttempts: 36,
    jitter: 'FULL',
    covers: 'Slack Web API 5xx, rate limiting (429) and timeouts (after the WebClient retries)',
    why: 'Slack rate limits reset within a minute and incidents last up to an hour or so; posting is one call, so few attempts spaced up to 5 minutes apart outlast an hour without adding load to a struggling API.',
  },
  contention: {
    errors: ['ConcurrentUpdateError', 'EvidenceConflictError'],
    intervalSeconds: 1,
    backoffRate: 2,
    maxDelaySeconds: 10,
    maxAttempts: 10,
    jitter: 'FULL',
    covers: 'a concurrent case update or evidence append (optimistic concurrency lost)',
    why: 'Another writer finished first; the next attempt re-reads and usually succeeds at once, so a few quick, jittered attempts suffice.',
  },
  'lambda-service': {
    errors: [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'Lambda.ClientExecutionTimeoutException',
    ],
    intervalSeconds: 2,
    backoffRate: 2,
    maxDelaySeconds: 60,
    maxAttempts: 20,
    jitter: 'FULL',
    covers: "Lambda's own service errors and concurrency throttling while invoking a task",
    why: 'AWS recommends retrying Lambda service exceptions (step-functions/latest/dg/bp-lambda-serviceexception.html); concurrency throttling clears as other invocations finish, within minutes.',
  },
  'lambda-timeout': {
    // Unhandled errors, out-of-memory and function timeouts arrive as Lambda.Unknown
    // (bp-lambda-serviceexception.html); timeouts in the Init phase as Sandbox.Timedout
    // (lambda/latest/dg/troubleshooting-invocation.html).
    errors: ['Lambda.Unknown', 'Sandbox.Timedout'],
    intervalSeconds: 5,
    backoffRate: 2,
    maxDelaySeconds: 60,
    maxAttempts: 2,
    jitter: 'FULL',
    covers: 'the deletion running past its function timeout (DeleteKeys only: deleting is idempotent)',
    why: 'The timed-out invocation may still have deleted the keys; a retry finds approved keys already gone and counts them as deleted. After two retries the workflow verifies instead of failing.',
  },
};

/** The order retriers appear in every task (the first whose ErrorEquals matches applies). */
export const RETRY_ORDER: readonly RetryClass[] = ['aws', 'slack', 'contention', 'lambda-service'];

/** How long a budget keeps retrying: the sum of the waits before its retries. */
export interface RetrySpan {
  /** Retries after the first attempt. */
  retries: number;
  /** Every wait at its computed maximum (the span without jitter). */
  maxSeconds: number;
  /** Expected span (with full jitter each wait is uniform between 0 and its maximum). */
  meanSeconds: number;
  /** Standard deviation of the span (independent uniform waits). */
  sdSeconds: number;
}

/** The n-th wait's maximum (n = 0 for the wait before the first retry). */
export function retryWaitSeconds(budget: RetryBudget, n: number): number {
  return Math.min(budget.intervalSeconds * budget.backoffRate ** n, budget.maxDelaySeconds);
}

export function retrySpan(budget: RetryBudget): RetrySpan {
  let maxSeconds = 0;
  let meanSeconds = 0;
  let variance = 0;
  for (let n = 0; n < budget.maxAttempts; n += 1) {
    const wait = retryWaitSeconds(budget, n);
    maxSeconds += wait;
    if (budget.jitter === 'FULL') {
      meanSeconds += wait / 2;
      variance += (wait * wait) / 12;
    } else {
      meanSeconds += wait;
    }
  }
  return { retries: budget.maxAttempts, maxSeconds, meanSeconds, sdSeconds: Math.sqrt(variance) };
}

/** The budget that retries an error, by its name (undefined: the error is not retried). */
export function retryClassOf(errorName: string): RetryClass | undefined {
  for (const cls of [...RETRY_ORDER, 'lambda-timeout'] as const) {
    if (RETRY_BUDGETS[cls].errors.includes(errorName)) return cls;
  }
  return undefined;
}

/** One sentence for evidence and reports: how long a fault of this name was retried before the case failed. */
export function describeRetryBudget(errorName: string): string | undefined {
  const cls = retryClassOf(errorName);
  if (!cls) return undefined;
  const budget = RETRY_BUDGETS[cls];
  const span = retrySpan(budget);
  return (
    `${errorName} was retried ${budget.maxAttempts} times by the state machine (budget "${cls}": ${budget.covers}), ` +
    `waiting ${budget.intervalSeconds} s × ${budget.backoffRate}^n up to ${budget.maxDelaySeconds} s between attempts` +
    `${budget.jitter === 'FULL' ? ' with full jitter' : ''}: about ${formatDuration(span.meanSeconds)} (at most ${formatDuration(span.maxSeconds)}) before it gave up.`
  );
}

export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
