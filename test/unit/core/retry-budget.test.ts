import {
  describeRetryBudget,
  RETRY_BUDGETS,
  retryClassOf,
  retrySpan,
  retryWaitSeconds,
} from '../../../functions/core/retry-budget';

const HOUR = 3600;

describe('retry budgets', () => {
  it('grow the wait exponentially up to the cap, as Step Functions computes it', () => {
    const aws = RETRY_BUDGETS.aws;
    expect([0, 1, 2, 3, 4, 5, 399].map((n) => retryWaitSeconds(aws, n))).toEqual([2, 4, 8, 16, 20, 20, 20]);
  });

  it.each(['aws', 'slack'] as const)(
    'outlast a one-hour %s fault even with full jitter (expected span minus two standard deviations)',
    (cls) => {
      const span = retrySpan(RETRY_BUDGETS[cls]);
      expect(span.meanSeconds - 2 * span.sdSeconds).toBeGreaterThan(HOUR);
      expect(span.maxSeconds).toBeLessThan(4 * HOUR);
    },
  );

  it('keep quick budgets for contention and Lambda service errors', () => {
    expect(retrySpan(RETRY_BUDGETS.contention).maxSeconds).toBeLessThan(120);
    expect(retrySpan(RETRY_BUDGETS['lambda-service']).maxSeconds).toBeLessThan(HOUR);
  });

  it('computes a span without jitter as the sum of the waits', () => {
    const span = retrySpan({ ...RETRY_BUDGETS.contention, jitter: 'NONE', maxAttempts: 3 });
    expect(span).toEqual({ retries: 3, maxSeconds: 1 + 2 + 4, meanSeconds: 7, sdSeconds: 0 });
  });

  it('names each retried error exactly once, and nothing else', () => {
    const all = Object.values(RETRY_BUDGETS).flatMap((b) => [...b.errors]);
    expect(new Set(all).size).toBe(all.length);
    expect(retryClassOf('TransientAwsError')).toBe('aws');
    expect(retryClassOf('SlackUnavailableError')).toBe('slack');
    expect(retryClassOf('Lambda.Unknown')).toBe('lambda-timeout');
    expect(retryClassOf('KeysChangedError')).toBeUndefined();
  });

  it('describes how long a fault was retried for the failure evidence', () => {
    expect(describeRetryBudget('TransientAwsError')).toMatch(
      /^TransientAwsError was retried 400 times by the state machine \(budget "aws": .*\), waiting 2 s × 2\^n up to 20 s between attempts with full jitter: about 66 min \(at most 2\.2 h\) before it gave up\.$/,
    );
    expect(describeRetryBudget('AccessDeniedError')).toBeUndefined();
  });
});
