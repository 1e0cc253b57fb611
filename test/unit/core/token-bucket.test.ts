import { TokenBucket } from '../../../functions/core/token-bucket';

describe('TokenBucket', () => {
  it('lets a full burst through at once and refuses the next request', () => {
    // Prepare
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 3 }, 0);

    // Act
    const taken = [bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)];

    // Assess
    expect(taken).toEqual([true, true, true, false]);
  });

  it('refills at the configured rate and never beyond the burst', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 3 }, 0);
    for (let i = 0; i < 3; i++) bucket.tryTake(0);

    expect(bucket.available(100)).toBeCloseTo(1);
    expect(bucket.available(10_000)).toBe(3);
  });

  it('costs no token for a refused request', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 1 }, 0);
    bucket.tryTake(0);

    expect(bucket.tryTake(50)).toBe(false);
    expect(bucket.tryTake(100)).toBe(true);
  });

  it('says how long until a token is there', () => {
    const bucket = new TokenBucket({ ratePerSecond: 4, burst: 1 }, 0);
    bucket.tryTake(0);

    expect(bucket.msUntilAvailable(0)).toBeCloseTo(250);
    expect(bucket.msUntilAvailable(250)).toBe(0);
  });

  it('applies a new rate from the moment it is set, keeping what was earned', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 10 }, 0);
    for (let i = 0; i < 10; i++) bucket.tryTake(0);

    bucket.setRate(1000, 10);

    expect(bucket.available(1000)).toBeCloseTo(1);
    expect(bucket.available(1500)).toBeCloseTo(6);
  });

  it('earns nothing when the clock goes backwards', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 2 }, 1000);
    bucket.tryTake(1000);
    bucket.tryTake(1000);

    expect(bucket.available(500)).toBe(0);
  });

  it('rejects a rate or burst that could never pass a request', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 }, 0)).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0 }, 0)).toThrow(RangeError);
  });
});
