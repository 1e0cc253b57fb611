import { AWS_PRICES, costOfCase, formatUsd, gbSeconds } from '../../../bench/lib/pricing';

describe('pricing', () => {
  it('prices state transitions at the Standard workflow rate', () => {
    // Act
    const cost = costOfCase(40, []);

    // Assess
    expect(cost.stepFunctionsUsd).toBeCloseTo(0.001, 10);
    expect(cost.totalUsd).toBeCloseTo(0.001, 10);
  });

  it('bills Lambda duration in GB-seconds at the configured memory, rounded up to the millisecond', () => {
    expect(gbSeconds({ memoryMb: 512, durationMs: 999.2 })).toBeCloseTo(0.5, 10);
    expect(gbSeconds({ memoryMb: 1024, durationMs: 1 })).toBeCloseTo(0.001, 10);
  });

  it('adds Lambda requests and duration to the transitions', () => {
    const invocations = Array.from({ length: 10 }, () => ({ memoryMb: 512, durationMs: 200 }));

    const cost = costOfCase(20, invocations);

    expect(cost.invocations).toBe(10);
    expect(cost.gbSeconds).toBeCloseTo(1, 10);
    expect(cost.lambdaRequestsUsd).toBeCloseTo(0.000002, 12);
    expect(cost.lambdaDurationUsd).toBeCloseTo(AWS_PRICES.lambdaArmGbSecond, 12);
    expect(cost.totalUsd).toBeCloseTo(0.0005 + 0.000002 + 0.0000133334, 12);
  });

  it('uses the prices it is given', () => {
    const cost = costOfCase(1000, [], {
      stateTransitionsPer1000: 1,
      lambdaRequestsPerMillion: 0,
      lambdaArmGbSecond: 0,
    });

    expect(cost.totalUsd).toBe(1);
  });

  it('refuses impossible inputs', () => {
    expect(() => costOfCase(-1, [])).toThrow(RangeError);
    expect(() => costOfCase(1.5, [])).toThrow(RangeError);
    expect(() => gbSeconds({ memoryMb: 0, durationMs: 1 })).toThrow(RangeError);
  });

  it('formats small amounts with their significant digits', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(0.00043)).toBe('$0.00043');
    expect(formatUsd(1.5)).toBe('$1.50');
  });
});
