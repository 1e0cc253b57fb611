import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The two customer-managed KMS keys: `dataKey` (symmetric, yearly rotation) encrypts the case
 * table, the evidence bucket, logs, queues, the alarm topic, the Slack secret and the state
 * machines' execution data; `signingKey` (ECC_NIST_P256, SIGN_VERIFY) signs every evidence digest,
 * so that anyone with its public key can check a record without trusting the bucket.
 */
export class EncryptionKeys extends Construct {
  readonly dataKey: kms.Key;
  readonly signingKey: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'rootkey: encrypts cases, evidence, logs, queues, the alarm topic and the Slack secret',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      alias: 'alias/rootkey-data',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.signingKey = new kms.Key(this, 'SigningKey', {
      description: 'rootkey: signs evidence record digests (ECDSA P-256, SHA-256)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      alias: 'alias/rootkey-evidence-signing',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Services that write encrypted data on the workflow's behalf use the data key directly.
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptLogGroupsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsEventsAndDeliveryUseTheKeyInThisAccount',
        principals: [
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
          new iam.ServicePrincipal('events.amazonaws.com'),
          new iam.ServicePrincipal('delivery.logs.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }
}
