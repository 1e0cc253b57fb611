import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { InvalidInputError } from '../../core/errors';
import type { BlobStorePort } from '../../ports/blob-store';
import { awsErrorCode, callAws, toRootKeyError } from './aws-errors';

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix of the root (`evidence/`); a trailing slash is added when missing. */
  prefix?: string;
  /** KMS key for SSE-KMS; without it the bucket's default encryption applies. */
  kmsKeyId?: string;
}

/** Content types by name ending, so that the S3 console and browsers show evidence as what it is. */
const CONTENT_TYPES: [string, string][] = [
  ['.json', 'application/json'],
  ['.pem', 'application/x-pem-file'],
  ['.md', 'text/markdown; charset=utf-8'],
  ['.html', 'text/html; charset=utf-8'],
];

/**
 * Blobs as S3 objects under a key prefix.
 *
 * `create` is a conditional write, `PutObject` with `IfNoneMatch: '*'`: S3 itself refuses to
 * overwrite an existing key with 412 PreconditionFailed, and answers a concurrent create of the same
 * key with 409 ConditionalRequestConflict; both mean "taken".
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (If-None-Match)
 *
 * Retention is the bucket's: the evidence bucket has Object Lock on with a default retention in
 * COMPLIANCE mode (set by the infra stack), which S3 applies to every object put here, so no request
 * carries lock headers. Object Lock requires an integrity checksum on each put; SHA-256 is sent.
 * Objects are encrypted with SSE-KMS under `kmsKeyId`.
 */
export class S3BlobStore implements BlobStorePort {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly kmsKeyId?: string;
  readonly location: string;

  constructor(options: S3BlobStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    const prefix = (options.prefix ?? '').replace(/^\/+/, '');
    this.prefix = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
    this.kmsKeyId = options.kmsKeyId;
    this.location = `s3://${this.bucket}/${this.prefix}`;
  }

  /** Parses `s3://bucket/prefix` into the bucket and prefix options. */
  static parseUri(uri: string): { bucket: string; prefix: string } {
    const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
    if (!match) throw new InvalidInputError(`Not an S3 location: ${uri} (expected s3://bucket/prefix)`);
    return { bucket: match[1], prefix: match[2] ?? '' };
  }

  locate(name: string): string {
    return `${this.location}${name}`;
  }

  async create(name: string, content: string): Promise<boolean> {
    try {
      await this.client.send(new PutObjectCommand({ ...this.putInput(name, content), IfNoneMatch: '*' }));
      return true;
    } catch (error) {
      const code = awsErrorCode(error);
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (code === 'PreconditionFailed' || code === 'ConditionalRequestConflict' || status === 412 || status === 409) {
        return false;
      }
      throw toRootKeyError(error, { action: 's3:PutObject', where: this.locate(name) });
    }
  }

  /** An unconditional put: in the versioned evidence bucket the previous content stays as a retained version. */
  async put(name: string, content: string): Promise<void> {
    await callAws({ action: 's3:PutObject', where: this.locate(name) }, () =>
      this.client.send(new PutObjectCommand(this.putInput(name, content))),
    );
  }

  async get(name: string): Promise<string | undefined> {
    try {
      const output = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${name}` }),
      );
      return (await output.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (awsErrorCode(error) === 'NoSuchKey') return undefined;
      throw toRootKeyError(error, { action: 's3:GetObject', where: this.locate(name) });
    }
  }

  /** Every page of ListObjectsV2 under the prefix; "folder" placeholder keys (ending in `/`) left out. */
  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await callAws({ action: 's3:ListBucket', where: this.locate(prefix) }, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: `${this.prefix}${prefix}`,
            ContinuationToken: token,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && !object.Key.endsWith('/')) names.push(object.Key.slice(this.prefix.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return names.sort();
  }

  /**
   * Versions (and delete markers) per key under the prefix, from ListObjectVersions. Needs
   * s3:ListBucketVersions; without it the answer says the versions were not checked.
   */
  async versionCounts(): Promise<{ counts: ReadonlyMap<string, number> } | { unchecked: string }> {
    const counts = new Map<string, number>();
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectVersionsCommand({
            Bucket: this.bucket,
            Prefix: this.prefix,
            KeyMarker: keyMarker,
            VersionIdMarker: versionIdMarker,
          }),
        );
        for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
          const name = v.Key?.slice(this.prefix.length);
          if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
        }
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
      } while (keyMarker);
    } catch (error) {
      if (awsErrorCode(error) === 'AccessDenied')
        return { unchecked: `s3:ListBucketVersions denied on ${this.location}` };
      throw toRootKeyError(error, { action: 's3:ListBucketVersions', where: this.location });
    }
    return { counts };
  }

  private putInput(name: string, content: string): PutObjectCommandInput {
    return {
      Bucket: this.bucket,
      Key: `${this.prefix}${name}`,
      Body: content,
      ContentType: CONTENT_TYPES.find(([ending]) => name.endsWith(ending))?.[1] ?? 'application/octet-stream',
      ChecksumAlgorithm: 'SHA256',
      ...(this.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.kmsKeyId } : {}),
    };
  }
}
