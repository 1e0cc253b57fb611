import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { INDEX_DIR, RECORDS_DIR } from '../../functions/core/evidence/evidence-layout';
import { acknowledge } from './acknowledge';

/**
 * Object keys of create-only evidence (see `functions/core/evidence/evidence-layout.ts`; the AWS
 * store writes at the bucket root): records, account index entries and published public keys.
 */
export const EVIDENCE_OBJECT_PATTERNS = [`${RECORDS_DIR}/*`, `${INDEX_DIR}/*`, 'public-key*'] as const;

export interface EvidenceStorageProps {
  encryptionKey: kms.IKey;
  /** Years Object Lock keeps each evidence object (COMPLIANCE mode: nobody, root included, can shorten it). */
  retentionYears: number;
}

/**
 * The evidence bucket and its access-log bucket. Evidence objects are write-once: Object Lock in
 * COMPLIANCE mode with a default retention of at least a year, versioning, SSE-KMS under the data
 * key, TLS-only access, a Deny of object deletion for every principal, no public access, and every
 * request logged to the log bucket.
 */
export class EvidenceStorage extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvidenceStorageProps) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logging delivers only to buckets with SSE-S3 default encryption.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.accessLogs,
      'AwsSolutions-S1',
      'This bucket is the destination of the evidence bucket access logs, and logging it into itself would loop.',
    );
    acknowledge(
      this.accessLogs,
      'PCI.DSS.321-S3BucketLoggingEnabled',
      'This bucket is the destination of the evidence bucket access logs, and logging it into itself would loop.',
    );
    acknowledge(
      this.accessLogs,
      'PCI.DSS.321-S3DefaultEncryptionKMS',
      'S3 server access logging can only deliver to a bucket encrypted with SSE-S3, so SSE-KMS is not possible here.',
    );
    acknowledge(
      this.accessLogs,
      'PCI.DSS.321-S3BucketReplicationEnabled',
      'Access logs are operational data kept for 400 days in one Region; the evidence they describe is protected by Object Lock.',
    );

    this.bucket = new s3.Bucket(this, 'Evidence', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(365 * props.retentionYears)),
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Object Lock refuses deleting a locked version, but a plain DeleteObject would still hide the
    // current record behind a delete marker. Nobody deletes evidence: removing it first needs a
    // (CloudTrail-logged) change of this policy, after the retention has passed.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceIsNeverDeleted',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    // Records, index entries and published keys are create-only. The store sends `If-None-Match: *`
    // (S3 then answers 412 when the key exists), but that is the client's choice: this Deny makes it
    // the bucket's, for every principal, so no task role and not the internet-facing Slack role can
    // write a new version over a record. The condition key is `s3:if-none-match` ("Enforce
    // conditional writes on Amazon S3 buckets", S3 User Guide); `StringNotEquals` is also true when
    // the header is absent (IAM User Guide, condition operators: a negated operator matches a missing
    // key). Reports under `reports/` are derived and rewritten, so they stay outside this statement.
    // CopyObject into these prefixes is refused too (S3 rejects it with or without the header), which
    // nothing here uses.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceIsCreateOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: EVIDENCE_OBJECT_PATTERNS.map((p) => this.bucket.arnForObjects(p)),
        conditions: { StringNotEquals: { 's3:if-none-match': '*' } },
      }),
    );
    acknowledge(
      this.bucket,
      'PCI.DSS.321-S3BucketReplicationEnabled',
      'Evidence is protected by Object Lock in COMPLIANCE mode and versioning; cross-Region replication is left to the operator because it needs a second locked bucket in another Region.',
    );
  }
}
