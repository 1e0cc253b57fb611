import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CASES_BY_ACCOUNT_INDEX, EXPIRES_AT_ATTRIBUTE } from '../../functions/core/shared-names';

export interface CaseTableProps {
  /** Customer-managed key for encryption at rest. */
  encryptionKey: kms.IKey;
}

/**
 * The cases table (`DynamoCaseStore`): partition key `pk` holds both cases (`CASE#id`) and the
 * one-open-case lock per account (`OPEN#account`); the `byAccount` index lists an account's cases.
 * The organization sweep's tallies (`SWEEP#…`) carry a TTL (`expiresAt`) and expire after a week;
 * cases and locks have no such attribute and never expire.
 * On-demand capacity (a handful of writes per case), point-in-time recovery, deletion protection,
 * and a customer-managed key.
 */
export class CaseTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: CaseTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: EXPIRES_AT_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: CASES_BY_ACCOUNT_INDEX,
      partitionKey: { name: 'accountId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'openedAt', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
}
