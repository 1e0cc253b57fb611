import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCaseStore } from '../../functions/adapters/aws/dynamo-case-store';
import { AwsEndpointDouble } from '../../test/support/aws/aws-endpoint-double';
import { startAwsStub, type AwsStub } from './aws-stub-server';
import {
  BENCH_ACCOUNT,
  BENCH_FINDING,
  BENCH_MANAGEMENT_ACCOUNT,
  BENCH_ROOT_KEY,
  taskRootKeys,
  TASK_CASES,
} from './handler-events';

/** The credentials every benchmarked function signs with (the organization double's central caller). */
export const BENCH_ACCESS_KEY_ID = 'AKIABENCHMARKSTUB000';
export const CASES_TABLE = 'rootkey-cases';

/**
 * What a benchmarked invocation talks to: the stub (DynamoDB, KMS, S3, Secrets Manager, Step Functions,
 * Slack) in front of an organization double (STS, IAM, Organizations, Security Hub) holding the
 * benchmark's member account and its root key.
 */
export interface BenchWorld {
  stub: AwsStub;
  organization: AwsEndpointDouble;
  /**
   * Puts both back in the state `entry` runs in: no items, objects or sessions, the organization as
   * built (the member account's root keys as `taskRootKeys` says), and the entry's case
   * (`TASK_CASES`) stored as the case store stores it. Call before every fresh-process run.
   */
  prepare(entry: string): Promise<void>;
  close(): Promise<void>;
}

export async function startBenchWorld(): Promise<BenchWorld> {
  const organization = new AwsEndpointDouble({
    managementAccountId: BENCH_MANAGEMENT_ACCOUNT,
    organizationId: 'o-benchmark1',
    centralAccessKeyId: BENCH_ACCESS_KEY_ID,
    centralArn: `arn:aws:sts::${BENCH_MANAGEMENT_ACCOUNT}:assumed-role/rootkey-central/bench`,
    accounts: [
      { id: BENCH_MANAGEMENT_ACCOUNT, name: 'management', email: 'management@example.com', keys: [] },
      {
        id: BENCH_ACCOUNT,
        name: 'payments-prod',
        email: 'payments@example.com',
        keys: [{ id: BENCH_ROOT_KEY.id, status: BENCH_ROOT_KEY.status, createdAt: BENCH_ROOT_KEY.createdAt }],
      },
    ],
    findings: [BENCH_FINDING],
  });
  await organization.start();
  const stub = await startAwsStub({ delegateUrl: organization.url });
  // The real adapter writes the seed, so the items are exactly what the functions read (case + lock).
  const client = new DynamoDBClient({
    endpoint: stub.url,
    region: 'us-east-1',
    credentials: { accessKeyId: BENCH_ACCESS_KEY_ID, secretAccessKey: 'benchmark-stub-secret' },
    maxAttempts: 1,
  });
  const cases = new DynamoCaseStore({
    client: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: CASES_TABLE,
  });
  return {
    stub,
    organization,
    prepare: async (entry) => {
      stub.reset();
      organization.reset();
      const keys = taskRootKeys(entry);
      organization.account(BENCH_ACCOUNT).keys = keys.map((k) => ({
        id: k.id,
        status: k.status,
        createdAt: k.createdAt,
      }));
      const seed = TASK_CASES[entry];
      if (seed) await cases.create(seed());
      stub.calls.length = 0;
    },
    close: async () => {
      client.destroy();
      await stub.close();
      await organization.stop();
    },
  };
}
