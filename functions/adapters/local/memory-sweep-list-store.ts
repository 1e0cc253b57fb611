import { InvalidInputError } from '../../core/errors';
import {
  parseSweepList,
  sweepListKey,
  type SweepListLocation,
  type SweepListStorePort,
} from '../../ports/sweep-list-store';

/**
 * Sweep lists in memory, for the local runner (sandbox, `rootkey serve`, tests, benchmarks). Each
 * list is kept as the JSON text S3 would hold, so what the local Map reads went through the same
 * serialization; `delete` lets the runner drop a list once its sweep has ended.
 */
export class MemorySweepListStore implements SweepListStorePort {
  private readonly lists = new Map<string, string>();

  constructor(private readonly bucket = 'local-sweep-lists') {}

  async put(name: string, items: readonly unknown[]): Promise<SweepListLocation> {
    const key = sweepListKey(name);
    if (this.lists.has(key)) throw new InvalidInputError(`The sweep list ${key} exists already`);
    this.lists.set(key, JSON.stringify(items));
    return { bucket: this.bucket, key };
  }

  async get(location: SweepListLocation): Promise<unknown[]> {
    const where = `${location.bucket}/${location.key}`;
    const text = location.bucket === this.bucket ? this.lists.get(location.key) : undefined;
    if (text === undefined) throw new InvalidInputError(`No sweep list ${where}`);
    return parseSweepList(text, where);
  }

  /** Drops a list (the local counterpart of the bucket's lifecycle expiry). */
  delete(location: SweepListLocation): void {
    if (location.bucket === this.bucket) this.lists.delete(location.key);
  }
}
