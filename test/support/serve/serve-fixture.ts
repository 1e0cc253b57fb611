import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsEndpointDouble } from '../aws/aws-endpoint-double';
import { fakeKmsKey } from '../evidence/fake-kms-ecdsa';
import { SlackWebApiDouble } from '../slack/slack-web-api-double';
import type { SlackUser } from '../slack/signed-requests';

export const BOT_TOKEN = 'xoxb-serve-test-token';
export const SIGNING_SECRET = 'serve-test-signing-secret';
export const CHANNEL = 'C0ROOTKEYS';
export const APPROVER_GROUP = 'S0APPROVERS';
export const ALICE: SlackUser = { id: 'U0ALICE', name: 'alice' };
export const BOB: SlackUser = { id: 'U0BOB', name: 'bob' };
export const MALLORY: SlackUser = { id: 'U0MALLORY', name: 'mallory' };
export const CENTRAL_KEY = 'AKIACENTRALTEST00001';
export const MANAGEMENT = '111111111111';
export const WORKLOAD = '222222222222';
export const SANDBOX_ACCOUNT = '333333333333';
export const WORKLOAD_KEYS = ['AKIAWORKLOADROOT0001', 'AKIAWORKLOADROOT0002'];
export const DELETE_POLICY = 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';
export const KMS_KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
export const FINDING_ID = `arn:aws:securityhub:us-east-1:${WORKLOAD}:security-control/IAM.4/finding/7f1e2d3c`;

/**
 * The world `rootkey serve` runs against in the tests: an organization of three accounts (management
 * and sandbox compliant, workload with an active and an inactive root key and a FAILED IAM.4 finding)
 * behind the AWS endpoint double, a Slack workspace behind the Web API double (Alice and Bob approve,
 * Mallory does not), a data directory and an empty HOME (no profile of the machine leaks in).
 */
export interface ServeWorld {
  aws: AwsEndpointDouble;
  slack: SlackWebApiDouble;
  dataDir: string;
  home: string;
  /** The public key (PEM) of the KMS signing key behind `KMS_KEY_ARN`. */
  kmsPublicKeyPem: string;
  /** The environment `serve` runs with: the SDK's standard variables pointed at the doubles, and real-Slack settings. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

/** Creates the doubles before each test and tears them down after it. */
export function useServeWorld(): () => ServeWorld {
  let world: ServeWorld | undefined;
  beforeEach(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rootkey-serve-'));
    const home = mkdtempSync(join(tmpdir(), 'rootkey-serve-home-'));
    const kmsKey = fakeKmsKey();
    const aws = new AwsEndpointDouble({
      managementAccountId: MANAGEMENT,
      organizationId: 'o-exampleorg1',
      centralAccessKeyId: CENTRAL_KEY,
      centralArn: `arn:aws:sts::${MANAGEMENT}:assumed-role/rootkey-central/serve`,
      accounts: [
        { id: MANAGEMENT, name: 'management', email: 'management@example.com', keys: [] },
        {
          id: WORKLOAD,
          name: 'workload-prod',
          email: 'prod@example.com',
          keys: [
            {
              id: WORKLOAD_KEYS[0]!,
              status: 'Active',
              createdAt: '2023-04-05T06:07:08Z',
              lastUsed: { date: '2026-11-20T10:00:00Z', service: 's3', region: 'eu-west-1' },
            },
            { id: WORKLOAD_KEYS[1]!, status: 'Inactive', createdAt: '2021-01-02T03:04:05Z' },
          ],
        },
        { id: SANDBOX_ACCOUNT, name: 'sandbox', email: 'sandbox@example.com', keys: [] },
      ],
      kmsKey: { arn: KMS_KEY_ARN, key: kmsKey },
      findings: [
        {
          Id: FINDING_ID,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          AwsAccountId: WORKLOAD,
          ComplianceStatus: 'FAILED',
          WorkflowStatus: 'NEW',
          RecordState: 'ACTIVE',
          UpdatedAt: '2026-11-30T08:00:00Z',
          Notes: [],
        },
      ],
    });
    await aws.start();
    const slack = new SlackWebApiDouble(BOT_TOKEN);
    slack.groups.set(APPROVER_GROUP, [ALICE.id, BOB.id]);
    await slack.start();
    world = {
      aws,
      slack,
      dataDir,
      home,
      kmsPublicKeyPem: createPublicKey({ key: Buffer.from(kmsKey.publicKeyDer), format: 'der', type: 'spki' })
        .export({ type: 'spki', format: 'pem' })
        .toString(),
      env: (extra = {}) => ({
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: CENTRAL_KEY,
        AWS_SECRET_ACCESS_KEY: 'central-secret-for-the-double',
        AWS_ENDPOINT_URL: aws.url,
        AWS_MAX_ATTEMPTS: '2',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        SLACK_CHANNEL: CHANNEL,
        SLACK_APPROVER_GROUP: APPROVER_GROUP,
        VERIFY_INITIAL_WAIT_SECONDS: '1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...extra,
      }),
    };
  });
  afterEach(async () => {
    if (!world) return;
    await world.aws.stop();
    await world.slack.stop();
    rmSync(world.dataDir, { recursive: true, force: true, maxRetries: 3 });
    rmSync(world.home, { recursive: true, force: true, maxRetries: 3 });
    world = undefined;
  });
  return () => {
    if (!world) throw new Error('useServeWorld: only inside a test');
    return world;
  };
}

/** Polls `probe` until it returns something other than undefined/false. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
