import { InvalidInputError } from '../core/errors';

/** Where one sweep's list of accounts is stored: an S3 object in AWS, a key in memory locally. */
export interface SweepListLocation {
  bucket: string;
  key: string;
}

/**
 * The organization sweep's list of accounts, stored outside the workflow's state: a state's input
 * and output are limited to 256 KiB, which a list of ~2,900 accounts already exceeds. The sweep's
 * Distributed Map reads the list with its `ItemReader` (in AWS, Step Functions reads the object
 * itself; locally the runner reads it through `get`).
 */
export interface SweepListStorePort {
  /** Stores the items as one JSON array under a name unique to the sweep; returns where. */
  put(name: string, items: readonly unknown[]): Promise<SweepListLocation>;
  /** The items stored at `location`, in order. Throws InvalidInputError when they are not a JSON array. */
  get(location: SweepListLocation): Promise<unknown[]>;
}

/** The object key of a sweep's list: one per sweep, under `sweeps/` (the bucket's lifecycle expires them). */
export function sweepListKey(name: string): string {
  if (!/^[\w.:-]{1,200}$/.test(name)) throw new RangeError(`Not a sweep list name: ${JSON.stringify(name)}`);
  return `sweeps/${name}.json`;
}

/** A stored sweep list: a JSON array, or InvalidInputError naming where it came from. */
export function parseSweepList(text: string, where: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`The sweep list ${where} is not JSON`);
  }
  if (!Array.isArray(parsed)) throw new InvalidInputError(`The sweep list ${where} is not a JSON array`);
  return parsed;
}
