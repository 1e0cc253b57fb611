import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  parseSweepList,
  sweepListKey,
  type SweepListLocation,
  type SweepListStorePort,
} from '../../ports/sweep-list-store';
import { callAws } from './aws-errors';

export interface S3SweepListStoreOptions {
  client: S3Client;
  /** The sweep-list bucket (its default encryption, SSE-KMS, applies to every object). */
  bucket: string;
}

/**
 * Sweep lists in S3: one JSON array per sweep, the format the Distributed Map's `S3JsonItemReader`
 * (`ReaderConfig.InputType: JSON`) iterates over
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html).
 */
export class S3SweepListStore implements SweepListStorePort {
  constructor(private readonly options: S3SweepListStoreOptions) {}

  async put(name: string, items: readonly unknown[]): Promise<SweepListLocation> {
    const { client, bucket } = this.options;
    const key = sweepListKey(name);
    await callAws({ action: 's3:PutObject', where: `s3://${bucket}/${key}` }, () =>
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify(items),
          ContentType: 'application/json',
          // Written once per sweep; a retry of the list step writes a new name.
          IfNoneMatch: '*',
        }),
      ),
    );
    return { bucket, key };
  }

  async get(location: SweepListLocation): Promise<unknown[]> {
    const { client } = this.options;
    const where = `s3://${location.bucket}/${location.key}`;
    const output = await callAws({ action: 's3:GetObject', where }, () =>
      client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key })),
    );
    const text = (await output.Body?.transformToString('utf-8')) ?? '';
    return parseSweepList(text, where);
  }
}
