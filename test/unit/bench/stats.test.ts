import { mean, median, percentile, round } from '../../../bench/lib/stats';

describe('percentile', () => {
  it('returns the exact rank when it falls on a sample', () => {
    // Prepare
    const values = [50, 10, 40, 20, 30];

    // Act
    const p50 = percentile(values, 50);

    // Assess
    expect(p50).toBe(30);
  });

  it('interpolates between the closest ranks', () => {
    expect(percentile([10, 20, 30, 40], 50)).toBe(25);
    expect(percentile([0, 100], 99)).toBeCloseTo(99);
  });

  it('gives the extremes at 0 and 100', () => {
    const values = [3, 1, 2];

    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 100)).toBe(3);
  });

  it('puts p99 of 200 samples between the two largest', () => {
    const values = Array.from({ length: 200 }, (_, i) => i + 1);

    expect(percentile(values, 99)).toBeCloseTo(198.01);
  });

  it('does not reorder the caller’s array', () => {
    const values = [3, 1, 2];

    percentile(values, 50);

    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses an empty sample and a percentile out of range', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('median, mean and round', () => {
  it('computes the middle of an even sample as the mean of the two middle values', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('computes the mean and refuses an empty sample', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(() => mean([])).toThrow(RangeError);
  });

  it('rounds to the given decimals', () => {
    expect(round(1.2345, 2)).toBe(1.23);
    expect(round(99.95, 0)).toBe(100);
  });
});
