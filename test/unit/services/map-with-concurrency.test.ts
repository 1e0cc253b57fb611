import { mapWithConcurrency } from '../../../functions/services/map-with-concurrency';

/** Lets every pending promise callback run, so that all workers that can start have started. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('mapWithConcurrency', () => {
  it('never has more calls in flight than the limit, and uses the whole limit', async () => {
    // Prepare
    let inFlight = 0;
    let maxInFlight = 0;
    const release: (() => void)[] = [];
    const items = Array.from({ length: 10 }, (_, i) => i);

    // Act
    const running = mapWithConcurrency(items, 3, async (item) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((resolve) => release.push(resolve));
      inFlight--;
      return item * 2;
    });
    while (release.length > 0 || inFlight > 0) {
      await settle();
      release.shift()?.();
    }
    const results = await running;

    // Assess
    expect(maxInFlight).toBe(3);
    expect(results).toEqual(items.map((i) => i * 2));
  });

  it('keeps the input order even when later items finish first', async () => {
    const results = await mapWithConcurrency([30, 10, 20], 3, async (n) => {
      for (let i = 0; i < n; i++) await settle();
      return `done-${n}`;
    });

    expect(results).toEqual(['done-30', 'done-10', 'done-20']);
  });

  it('handles an empty list and refuses a limit below one', async () => {
    await expect(mapWithConcurrency([], 4, async () => 1)).resolves.toEqual([]);
    await expect(mapWithConcurrency([1], 0, async () => 1)).rejects.toThrow(RangeError);
  });
});
