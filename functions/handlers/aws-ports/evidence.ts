import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { KmsSigner } from '../../adapters/aws/kms-signer';
import { S3BlobStore } from '../../adapters/aws/s3-blob-store';
import type { EvidenceRecorderPort } from '../../ports/evidence-recorder';
import { BlobEvidenceStore } from '../../services/blob-evidence-store';
import type { CaseReportRenderers } from '../../services/evidence-service-base';
import { EvidenceServiceBase } from '../../services/evidence-service-base';
import { requireEnv } from '../env';
import { WORKFLOW_ENV, type Env } from '../workflow-env';

/**
 * Evidence in S3 (Object Lock, KMS-encrypted), signed by the asymmetric KMS key. Only the tasks that
 * write case reports pass the renderers (`awsReportingEvidence`), so the others do not bundle them.
 */
export function awsEvidence(env: Env, reports?: CaseReportRenderers): EvidenceRecorderPort {
  const bucket = requireEnv(env, WORKFLOW_ENV.evidenceBucket);
  const kmsKeyId = requireEnv(env, WORKFLOW_ENV.evidenceKmsKey);
  const keyId = requireEnv(env, WORKFLOW_ENV.signingKey);
  return new EvidenceServiceBase({
    ...(reports ? { reports } : {}),
    store: new BlobEvidenceStore(new S3BlobStore({ client: new S3Client({}), bucket, kmsKeyId })),
    signer: new KmsSigner({ client: new KMSClient({}), keyId }),
  });
}
