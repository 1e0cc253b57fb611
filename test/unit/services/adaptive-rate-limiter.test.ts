import { VirtualClock } from '../../../functions/adapters/sim/virtual-clock';
import { TransientAwsError, AccessDeniedError } from '../../../functions/core/errors';
import { AdaptiveRateLimiter, isThrottlingError, pacedRunner } from '../../../functions/services/adaptive-rate-limiter';

const throttling = () =>
  new TransientAwsError('sts:AssumeRoot for account 1 failed and may succeed later: Throttling: Rate exceeded');

describe('AdaptiveRateLimiter', () => {
  it('spaces permits 1/rate apart on its clock', async () => {
    // Prepare
    const clock = new VirtualClock();
    const limiter = new AdaptiveRateLimiter({ initialRatePerSecond: 10, now: clock.now, sleep: clock.sleep });

    // Act
    const granted = await clock.run(() =>
      Promise.all(Array.from({ length: 4 }, () => limiter.acquire().then((p) => p.grantedAt))),
    );

    // Assess
    expect(granted).toEqual([0, 100, 200, 300]);
  });

  it('grants at once, unpaced, when nobody waits and the gap has passed', async () => {
    const clock = new VirtualClock(5000);
    const limiter = new AdaptiveRateLimiter({ initialRatePerSecond: 10, now: clock.now, sleep: clock.sleep });

    const permit = await limiter.acquire();

    expect(permit).toEqual({ grantedAt: 5000, paced: false });
  });

  it('lowers the rate by the decrease factor on throttling', () => {
    const limiter = new AdaptiveRateLimiter({ initialRatePerSecond: 20, now: () => 0 });

    limiter.onThrottle({ grantedAt: 0, paced: true });

    expect(limiter.ratePerSecond).toBeCloseTo(14);
    expect(limiter.stats).toMatchObject({ throttles: 1, decreases: 1 });
  });

  it('lowers the rate once per congestion episode, not for requests sent before the decrease', () => {
    let now = 1000;
    const limiter = new AdaptiveRateLimiter({ initialRatePerSecond: 20, now: () => now });

    limiter.onThrottle({ grantedAt: 900, paced: true });
    now = 1050;
    limiter.onThrottle({ grantedAt: 950, paced: true });
    limiter.onThrottle({ grantedAt: 990, paced: true });

    expect(limiter.ratePerSecond).toBeCloseTo(14);
    expect(limiter.stats).toMatchObject({ throttles: 3, decreases: 1 });
  });

  it('lowers it again for a request sent after the decrease that is still throttled', () => {
    let now = 1000;
    const limiter = new AdaptiveRateLimiter({ initialRatePerSecond: 20, now: () => now });

    limiter.onThrottle({ grantedAt: 900, paced: true });
    now = 1200;
    limiter.onThrottle({ grantedAt: 1100, paced: true });

    expect(limiter.ratePerSecond).toBeCloseTo(9.8);
  });

  it('never goes below the floor', () => {
    let now = 0;
    const limiter = new AdaptiveRateLimiter({ initialRatePerSecond: 2, minRatePerSecond: 1, now: () => now });

    for (let i = 0; i < 10; i++) {
      now += 1000;
      limiter.onThrottle({ grantedAt: now, paced: true });
    }

    expect(limiter.ratePerSecond).toBe(1);
  });

  it('grows by one per paced success before the first throttle (slow start)', () => {
    const limiter = new AdaptiveRateLimiter({ initialRatePerSecond: 5, now: () => 0 });

    for (let i = 0; i < 5; i++) limiter.onSuccess({ grantedAt: 0, paced: true });

    expect(limiter.ratePerSecond).toBe(10);
  });

  it('does not grow on successes the limiter did not pace', () => {
    const limiter = new AdaptiveRateLimiter({ initialRatePerSecond: 5, now: () => 0 });

    for (let i = 0; i < 5; i++) limiter.onSuccess({ grantedAt: 0, paced: false });

    expect(limiter.ratePerSecond).toBe(5);
  });

  it('climbs back to the throttled rate along the cubic curve, then probes past it', () => {
    let now = 0;
    const limiter = new AdaptiveRateLimiter({ initialRatePerSecond: 50, now: () => now });
    limiter.onThrottle({ grantedAt: 0, paced: true });
    const k = Math.cbrt((50 * 0.3) / 0.4);
    const rateAt = (seconds: number) => {
      now = seconds * 1000;
      limiter.onSuccess({ grantedAt: now, paced: true });
      return limiter.ratePerSecond;
    };

    const early = rateAt(1);
    const atK = rateAt(k);
    const later = rateAt(k + 3);

    expect(early).toBeGreaterThan(35);
    expect(early).toBeLessThan(50);
    expect(atK).toBeCloseTo(50);
    expect(later).toBeCloseTo(50 + 0.4 * 27);
  });

  it('rejects settings that cannot pace', () => {
    expect(() => new AdaptiveRateLimiter({ decreaseFactor: 1 })).toThrow(RangeError);
    expect(() => new AdaptiveRateLimiter({ minRatePerSecond: 0 })).toThrow(RangeError);
    expect(() => new AdaptiveRateLimiter({ minRatePerSecond: 5, maxRatePerSecond: 1 })).toThrow(RangeError);
  });
});

describe('isThrottlingError', () => {
  it('tells throttling from other transient errors and from refusals', () => {
    expect(isThrottlingError(throttling())).toBe(true);
    expect(isThrottlingError(new TransientAwsError('iam:ListAccessKeys failed: TooManyRequestsException'))).toBe(true);
    expect(isThrottlingError(new TransientAwsError('Simulated 5xx: iam:ListAccessKeys (ServiceUnavailable)'))).toBe(
      false,
    );
    expect(isThrottlingError(new AccessDeniedError('sts:AssumeRoot', 'x'))).toBe(false);
  });
});

describe('pacedRunner', () => {
  it('retries a throttled job until it passes and lowers the shared rate', async () => {
    // Prepare
    const clock = new VirtualClock();
    const limiter = new AdaptiveRateLimiter({ initialRatePerSecond: 10, now: clock.now, sleep: clock.sleep });
    const run = pacedRunner({ limiter, now: clock.now, sleep: clock.sleep, random: () => 0 });
    let calls = 0;

    // Act
    const result = await clock.run(() =>
      run(async () => {
        calls++;
        if (calls < 3) throw throttling();
        return 'read';
      }),
    );

    // Assess
    expect(result).toBe('read');
    expect(calls).toBe(3);
    expect(limiter.stats.decreases).toBeGreaterThanOrEqual(1);
    expect(limiter.ratePerSecond).toBeLessThan(10);
  });

  it('backs off exponentially between tries', async () => {
    const clock = new VirtualClock();
    const limiter = new AdaptiveRateLimiter({ initialRatePerSecond: 1000, now: clock.now, sleep: clock.sleep });
    const run = pacedRunner({ limiter, baseBackoffMs: 100, now: clock.now, sleep: clock.sleep, random: () => 0.999 });
    const startedAt: number[] = [];

    await clock.run(() =>
      run(async () => {
        startedAt.push(clock.now());
        if (startedAt.length < 4) throw new TransientAwsError('Simulated 5xx (ServiceUnavailable)');
      }),
    );

    const gaps = startedAt.slice(1).map((t, i) => t - startedAt[i]);
    expect(gaps[1]).toBeGreaterThan(gaps[0] * 1.5);
    expect(gaps[2]).toBeGreaterThan(gaps[1] * 1.5);
  });

  it('gives up after the last try with the last error', async () => {
    const clock = new VirtualClock();
    const run = pacedRunner({ maxAttempts: 3, now: clock.now, sleep: clock.sleep });
    let calls = 0;

    const outcome = clock.run(() =>
      run(async () => {
        calls++;
        throw throttling();
      }),
    );

    await expect(outcome).rejects.toBeInstanceOf(TransientAwsError);
    expect(calls).toBe(3);
  });

  it('does not retry an error that is not transient', async () => {
    const clock = new VirtualClock();
    const run = pacedRunner({ now: clock.now, sleep: clock.sleep });
    let calls = 0;

    const outcome = clock.run(() =>
      run(async () => {
        calls++;
        throw new AccessDeniedError('sts:AssumeRoot', 'account 1');
      }),
    );

    await expect(outcome).rejects.toBeInstanceOf(AccessDeniedError);
    expect(calls).toBe(1);
  });
});
