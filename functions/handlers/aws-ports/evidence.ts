import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { KmsSigner } from '../../adapters/aws/kms-signer';
import { S3EvidenceStore } from '../../adapters/aws/s3-evidence-store';
import type { EvidenceRecorderPort } from '../../ports/evidence-recorder';
import { EvidenceService } from '../../services/evidence-service';
import { requireEnv } from '../env';
import { WORKFLOW_ENV, type Env } from '../workflow-env';

/** Evidence in S3 (Object Lock, KMS-encrypted), signed by the asymmetric KMS key. */
export function awsEvidence(env: Env): EvidenceRecorderPort {
  const bucket = requireEnv(env, WORKFLOW_ENV.evidenceBucket);
  const kmsKeyId = requireEnv(env, WORKFLOW_ENV.evidenceKmsKey);
  const keyId = requireEnv(env, WORKFLOW_ENV.signingKey);
  return new EvidenceService({
    store: new S3EvidenceStore({ client: new S3Client({}), bucket, kmsKeyId }),
    signer: new KmsSigner({ client: new KMSClient({}), keyId }),
  });
}
