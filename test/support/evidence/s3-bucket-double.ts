import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * An in-memory S3 bucket behind aws-sdk-client-mock, honouring what the evidence store relies on:
 * `IfNoneMatch: '*'` (412 PreconditionFailed when the key exists), NoSuchKey, and ListObjectsV2 pages
 * (deliberately small, so that every listing paginates), and — as in a versioned bucket — a version
 * count per key that ListObjectVersions reports (one page; every put adds a version).
 */
export function s3BucketDouble(pageSize = 2) {
  const objects = new Map<string, string>();
  const versions = new Map<string, number>();
  const s3 = mockClient(S3Client);
  s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: string; IfNoneMatch?: string }) => {
    if (input.IfNoneMatch === '*' && objects.has(input.Key)) {
      throw new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'At least one of the pre-conditions you specified did not hold',
      });
    }
    objects.set(input.Key, input.Body);
    versions.set(input.Key, (versions.get(input.Key) ?? 0) + 1);
    return { ETag: '"etag"' };
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const body = objects.get(input.Key);
    if (body === undefined) {
      throw new S3ServiceException({
        name: 'NoSuchKey',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
        message: 'The specified key does not exist.',
      });
    }
    return { Body: { transformToString: async () => body } } as unknown as GetObjectCommandOutput;
  });
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string; ContinuationToken?: string }) => {
    const keys = [...objects.keys()].filter((k) => k.startsWith(input.Prefix ?? '')).sort();
    const start = Number(input.ContinuationToken ?? 0);
    const page = keys.slice(start, start + pageSize);
    const more = start + pageSize < keys.length;
    return {
      Contents: page.map((Key) => ({ Key })),
      IsTruncated: more,
      NextContinuationToken: more ? String(start + pageSize) : undefined,
    };
  });
  s3.on(ListObjectVersionsCommand).callsFake((input: { Prefix?: string }) => ({
    Versions: [...versions]
      .filter(([k]) => k.startsWith(input.Prefix ?? ''))
      .flatMap(([Key, n]) =>
        Array.from({ length: n }, (_, i) => ({ Key, VersionId: `v${i + 1}`, IsLatest: i === n - 1 })),
      ),
    IsTruncated: false,
  }));
  return { s3, objects, versions, client: new S3Client({ region: 'us-east-1' }) };
}
