/**
 * Named text blobs under one root (a folder, or an S3 bucket prefix): the few operations the
 * evidence store algorithm (`services/blob-evidence-store.ts`) needs, so that the file system and S3
 * behave alike by construction. Names are relative to the root and use `/` between segments.
 */
export interface BlobStorePort {
  /** The root, for people: a folder path or `s3://bucket/prefix/`. */
  readonly location: string;
  /** Where one blob is, for people: a file path or an `s3://` URI. */
  locate(name: string): string;
  /**
   * Creates the blob unless one of that name exists (put-if-absent); true when this call wrote it,
   * false when the name was taken (also by a concurrent create). Never overwrites, never half-writes.
   */
  create(name: string, content: string): Promise<boolean>;
  /** Writes the blob, replacing any content it had (for derived documents such as reports). */
  put(name: string, content: string): Promise<void>;
  /** The blob's content, or undefined when there is none of that name. */
  get(name: string): Promise<string | undefined>;
  /** The names of all blobs whose name starts with `prefix`, at any depth, sorted by code unit. */
  list(prefix: string): Promise<string[]>;
  /**
   * How many versions each blob has, for stores that keep them (S3 versioning): the count, or why the
   * versions could not be read (permission missing). Absent on stores without versions.
   */
  versionCounts?(): Promise<{ counts: ReadonlyMap<string, number> } | { unchecked: string }>;
}
