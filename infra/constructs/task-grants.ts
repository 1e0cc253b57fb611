import { Stack, type CfnElement } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { CASES_BY_ACCOUNT_INDEX, SWEEP_PREFIX } from '../../functions/core/shared-names';
import { acknowledge } from './acknowledge';

/**
 * Explicit, action-by-action grants for the workflow's roles. CDK's `grant*` helpers give families
 * of actions (`s3:GetObject*`, `s3:List*`, `kms:GenerateDataKey*`, `s3:Abort*`, every index of a
 * table); these give exactly the calls the adapters make, and nothing on any other resource.
 */
export class TaskGrants {
  constructor(
    private readonly resources: {
      table: dynamodb.ITable;
      bucket: s3.IBucket;
      dataKey: kms.IKey;
      signingKey: kms.IKey;
      slackSecret: secretsmanager.ISecret;
    },
  ) {}

  /** `DynamoCaseStore`: reads (item, lock, the `byAccount` index), and with `write` conditional puts and the lock delete. */
  cases(role: iam.IRole, write: boolean): void {
    const { table } = this.resources;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: write ? 'ReadAndWriteCases' : 'ReadCases',
        actions: [
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:Scan',
          ...(write ? ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'] : []),
        ],
        resources: [table.tableArn, `${table.tableArn}/index/${CASES_BY_ACCOUNT_INDEX}`],
      }),
    );
    this.dataKey(role);
  }

  /**
   * `DynamoCaseStore.recordSweepOutcome`: a per-account workflow counts its outcome on its sweep's
   * tally item (`UpdateItem`, `ADD`), only on `SWEEP#` items (`dynamodb:LeadingKeys`). Inside
   * TransactWriteItems each action needs the permission of its single-item API
   * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html);
   * the report item's PutItem comes with {@link cases} (write).
   */
  sweepReports(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CountSweepOutcomes',
        actions: ['dynamodb:UpdateItem'],
        resources: [this.resources.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${SWEEP_PREFIX}*`] } },
      }),
    );
  }

  /** `EvidenceService` over `BlobEvidenceStore` on `S3BlobStore` + `KmsSigner`: read and create objects, sign digests. */
  evidence(role: iam.IRole): void {
    const { bucket, signingKey } = this.resources;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAndCreateEvidenceObjects',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [bucket.arnForObjects('*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ListEvidence', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SignEvidenceDigests',
        actions: ['kms:Sign', 'kms:GetPublicKey'],
        resources: [signingKey.keyArn],
      }),
    );
    this.dataKey(role);
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(bucket)}.Arn>/*]`,
      'Evidence records are objects with generated keys in the evidence bucket; the statement names that bucket only, and Object Lock keeps every object immutable.',
    );
  }

  /** The Slack bot token and signing secret. */
  slackSecret(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheSlackSecret',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [this.resources.slackSecret.secretArn],
      }),
    );
    this.dataKey(role);
  }

  private readonly keyed = new WeakSet<iam.IRole>();

  /**
   * The data key encrypts the table, the bucket and the secret; one statement per role, usable only
   * through those three services (`kms:ViaService`): no task calls KMS with the data key itself, so a
   * stolen session cannot decrypt or encrypt with it directly. DynamoDB, S3 (SSE-KMS) and Secrets
   * Manager call KMS on the caller's behalf and name themselves in that key
   * (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
   */
  private dataKey(role: iam.IRole): void {
    if (this.keyed.has(role)) return;
    this.keyed.add(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'UseTheDataKey',
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [this.resources.dataKey.keyArn],
        conditions: viaServices(this.resources.dataKey, DATA_KEY_SERVICES),
      }),
    );
  }
}

/** The services that use the data key for the task roles: the case table, the evidence and sweep-list buckets, the Slack secret. */
export const DATA_KEY_SERVICES = ['dynamodb', 's3', 'secretsmanager'] as const;

/**
 * The condition that lets a KMS permission be used only through these AWS services, in the Region of
 * `scope`'s stack (`kms:ViaService` = `<service>.<region>.amazonaws.com`): the service calls KMS on
 * the caller's behalf; the caller cannot call KMS itself
 * (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 */
export function viaServices(
  scope: IConstruct,
  services: readonly string[],
): Record<string, Record<string, string | string[]>> {
  const region = Stack.of(scope).region;
  const endpoints = services.map((service) => `${service}.${region}.amazonaws.com`);
  // One service as a string, as policies usually write it; several as a list.
  return { StringEquals: { 'kms:ViaService': endpoints.length === 1 ? endpoints[0]! : endpoints } };
}

/** The logical id of a construct's CloudFormation resource, as cdk-nag prints it in finding ids. */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(element.logicalId) as string;
}
