import type { WorkflowDefinitions } from '../../../local-runner/workflow-definitions';
import {
  deployedSweepShape,
  maxConcurrencyForLimit,
  sdkRetryDelayMs,
  sfnRetryDelayMs,
  simulateDeployedSweep,
  type DeployedSweepParams,
  type DeployedSweepShape,
} from '../../../bench/sweep/deployed-sweep-model';
import { seededRandom as mulberry } from '../../../bench/lib/seeded-random';

const fn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const RETRY = {
  ErrorEquals: ['TransientAwsError'],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 400,
  MaxDelaySeconds: 20,
  JitterStrategy: 'FULL',
};

function definitions(
  itemStates: Record<string, unknown>,
  startAt: string,
  maxConcurrency?: number,
): WorkflowDefinitions {
  return {
    sweep: {
      logicalId: 'Sweep',
      arn: 'arn:sweep',
      definition: {
        StartAt: 'List',
        States: {
          List: { Type: 'Task', Resource: fn('list-sweep-accounts'), Next: 'Each' },
          Each: {
            Type: 'Map',
            ...(maxConcurrency !== undefined ? { MaxConcurrency: maxConcurrency } : {}),
            ItemProcessor: { StartAt: startAt, States: itemStates },
            End: true,
          },
        },
      },
    },
    remediation: {
      logicalId: 'Remediation',
      arn: 'arn:remediation',
      definition: {
        StartAt: 'Normalize',
        States: {
          Normalize: { Type: 'Task', Resource: fn('normalize-trigger'), Next: 'Ignored?' },
          'Ignored?': { Type: 'Choice', Choices: [], Default: 'Detect' },
          Detect: { Type: 'Task', Resource: fn('detect-root-keys'), Retry: [RETRY], End: true },
        },
      },
    },
  };
}

const params = (over: Partial<DeployedSweepParams> = {}): DeployedSweepParams => ({
  accounts: 500,
  latencyMs: 30,
  callerLimit: { ratePerSecond: 50, burst: 50 },
  callerCallsPerAccount: 1,
  accountCallsPerAccount: 2,
  sdk: { maxAttempts: 5, throttlingBaseMs: 500, maxDelayMs: 20_000 },
  random: () => 0.5,
  ...over,
});

describe('the deployed sweep model: reading the synthesized definitions', () => {
  it('follows a fire-and-forget Map into the per-account workflow up to detection', () => {
    // Prepare
    const defs = definitions(
      { Start: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', End: true } },
      'Start',
      10,
    );

    // Act
    const shape = deployedSweepShape(defs);

    // Assess
    expect(shape).toEqual({
      maxConcurrency: 10,
      detectionInsideMap: false,
      tasksBeforeDetection: ['Start', 'Normalize'],
      detectRetry: { intervalSeconds: 2, backoffRate: 2, maxAttempts: 400, maxDelaySeconds: 20, jitter: 'FULL' },
      detectState: 'Detect',
    });
  });

  it('sees detection inside the Map item when the item invokes the detect function', () => {
    const defs = definitions(
      {
        Detect: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: fn('detect-root-keys') },
          End: true,
        },
      },
      'Detect',
      4,
    );

    const shape = deployedSweepShape(defs);

    expect(shape.detectionInsideMap).toBe(true);
    expect(shape.tasksBeforeDetection).toEqual([]);
    expect(shape.detectRetry).toBeUndefined();
  });

  it('refuses a sweep whose Map neither detects nor starts executions', () => {
    const defs = definitions({ Nothing: { Type: 'Pass', End: true } }, 'Nothing', 1);
    expect(() => deployedSweepShape(defs)).toThrow(/neither detects nor starts/);
  });
});

describe('the deployed sweep model: pacing and throttling', () => {
  const inside: DeployedSweepShape = {
    maxConcurrency: 1,
    detectionInsideMap: true,
    tasksBeforeDetection: [],
    detectState: 'Detect',
    detectRetry: { intervalSeconds: 2, backoffRate: 2, maxAttempts: 400, maxDelaySeconds: 20, jitter: 'FULL' },
  };

  it('throttles nothing when the items in flight stay under the limit', () => {
    // 1 item in flight, 90 ms per item: about 11 AssumeRoot calls per second against 50/s.
    const result = simulateDeployedSweep(inside, params({ accounts: 100 }));

    expect(result).toMatchObject({ completed: 100, failures: 0, throttledCalls: 0, callerCalls: 100 });
    expect(result.seconds).toBeCloseTo(9, 1);
  });

  it('throttles when fire-and-forget starts outrun the limit, and the retries still finish every account', () => {
    const fireAndForget: DeployedSweepShape = {
      ...inside,
      maxConcurrency: 10,
      detectionInsideMap: false,
      tasksBeforeDetection: ['Start'],
    };

    const result = simulateDeployedSweep(fireAndForget, params({ random: mulberry(3) }));

    expect(result.throttledCalls).toBeGreaterThan(100);
    expect(result.completed).toBe(500);
    expect(result.failures).toBe(0);
    expect(result.shareOfLimit).toBeLessThanOrEqual(1.1);
  });

  it('counts an account as a failure once the SDK and the Step Functions retries are used up', () => {
    const { detectRetry: _none, ...withoutRetry } = inside;
    const noRetry: DeployedSweepShape = { ...withoutRetry, maxConcurrency: 400 };

    const result = simulateDeployedSweep(
      noRetry,
      params({ accounts: 400, sdk: { maxAttempts: 1, throttlingBaseMs: 500, maxDelayMs: 20_000 } }),
    );

    // All 400 start at once: the burst of 50 goes through; the other 350 are refused once and never retried.
    expect(result.completed).toBe(50);
    expect(result.failures).toBe(350);
  });

  it('paces items with a Wait floor so that MaxConcurrency derived from the limit never throttles', () => {
    const m = maxConcurrencyForLimit(50, 1, 1);
    const result = simulateDeployedSweep(
      { ...inside, maxConcurrency: m },
      params({ accounts: 1000, itemFloorMs: 1000 }),
    );

    expect(m).toBe(50);
    expect(result.throttledCalls).toBe(0);
    expect(result.failures).toBe(0);
    expect(result.shareOfLimit).toBeGreaterThan(0.95);
  });
});

describe('the deployed sweep model: retry delays', () => {
  it('grows Step Functions delays by the backoff rate up to MaxDelaySeconds, jittered', () => {
    const policy = {
      intervalSeconds: 2,
      backoffRate: 2,
      maxAttempts: 400,
      maxDelaySeconds: 20,
      jitter: 'FULL' as const,
    };
    expect(sfnRetryDelayMs(policy, 0, () => 1)).toBe(2000);
    expect(sfnRetryDelayMs(policy, 3, () => 1)).toBe(16_000);
    expect(sfnRetryDelayMs(policy, 10, () => 1)).toBe(20_000);
    expect(sfnRetryDelayMs(policy, 10, () => 0.25)).toBe(5000);
    expect(sfnRetryDelayMs({ ...policy, jitter: 'NONE' }, 1, () => 0)).toBe(4000);
  });

  it('backs the SDK off as smithy does for throttling: random × 2^attempts × 500 ms, at most 20 s', () => {
    const sdk = { maxAttempts: 5, throttlingBaseMs: 500, maxDelayMs: 20_000 };
    expect(sdkRetryDelayMs(sdk, 1, () => 0.5)).toBe(500);
    expect(sdkRetryDelayMs(sdk, 3, () => 0.999)).toBe(3996);
    expect(sdkRetryDelayMs(sdk, 10, () => 0.999)).toBe(20_000);
  });
});
