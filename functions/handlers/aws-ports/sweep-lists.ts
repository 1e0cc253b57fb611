import { S3Client } from '@aws-sdk/client-s3';
import { S3SweepListStore } from '../../adapters/aws/s3-sweep-list-store';
import type { SweepListStorePort } from '../../ports/sweep-list-store';
import { requireEnv } from '../env';
import { WORKFLOW_ENV, type Env } from '../workflow-env';

/** The organization sweep's account lists in S3 (only the list function has the bucket's name). */
export function awsSweepLists(env: Env): SweepListStorePort {
  return new S3SweepListStore({ client: new S3Client({}), bucket: requireEnv(env, WORKFLOW_ENV.sweepListBucket) });
}
