import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCaseStore } from '../../adapters/aws/dynamo-case-store';
import type { CaseStorePort } from '../../ports/case-store';
import { requireEnv } from '../env';
import { WORKFLOW_ENV, type Env } from '../workflow-env';

/** Cases in DynamoDB (`CASES_TABLE_NAME`). */
export function awsCases(env: Env): CaseStorePort {
  const tableName = requireEnv(env, WORKFLOW_ENV.casesTable);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return new DynamoCaseStore({ client, tableName });
}
