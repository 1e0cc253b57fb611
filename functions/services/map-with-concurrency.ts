/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the input order in the
 * result. A handful of lines instead of a package: AWS throttles per account and per API, so an
 * organization-wide sweep must not fire hundreds of AssumeRoot calls at once.
 *
 * `fn` should not throw (callers turn failures into results); if it does, the returned promise
 * rejects with the first error while calls already started run to their end.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}
