import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { WebClient } from '@slack/web-api';
import { parseSlackSecretValue, parseSlackSettings } from '../../slack-app/config';
import { AwsOrganization } from '../adapters/aws/aws-organization';
import { AwsRootKeyReader } from '../adapters/aws/aws-root-key-reader';
import { createAwsClients, createIamClientFromCredentials } from '../adapters/aws/clients';
import { DynamoCaseStore } from '../adapters/aws/dynamo-case-store';
import { KmsSigner } from '../adapters/aws/kms-signer';
import { AwsRootKeyRemover } from '../adapters/aws/root-key-remover';
import { S3EvidenceStore } from '../adapters/aws/s3-evidence-store';
import { S3SweepListStore } from '../adapters/aws/s3-sweep-list-store';
import { SecurityHubFindings } from '../adapters/aws/security-hub-findings';
import { SfnWorkflowCallbacks } from '../adapters/aws/sfn-workflow-callbacks';
import { SlackNotifier } from '../adapters/slack/slack-notifier';
import { systemClock } from '../ports/clock';
import type { NotifierPort } from '../ports/notifier';
import { DEFAULT_SETTINGS, type WorkflowSettings } from '../services/dependencies';
import { EvidenceService } from '../services/evidence-service';
import { intEnv, optionalEnv, requireEnv } from './env';
import type { WorkflowRuntime } from './workflow-runtime';

/** Environment variables the workflow functions read: names, ARNs and settings, never secret values. */
export const WORKFLOW_ENV = {
  casesTable: 'CASES_TABLE_NAME',
  evidenceBucket: 'EVIDENCE_BUCKET_NAME',
  /** Only the sweep's list function has it (and may write there). */
  sweepListBucket: 'SWEEP_LIST_BUCKET_NAME',
  evidenceKmsKey: 'EVIDENCE_KMS_KEY_ARN',
  signingKey: 'EVIDENCE_SIGNING_KEY_ARN',
  slackSecretArn: 'SLACK_SECRET_ARN',
  securityHubRegion: 'SECURITY_HUB_REGION',
  readRoleName: 'READ_ROLE_NAME',
  requiredApprovals: 'REQUIRED_APPROVALS',
  maxReminders: 'MAX_REMINDERS',
  verifyMaxAttempts: 'VERIFY_MAX_ATTEMPTS',
  verifyInitialWait: 'VERIFY_INITIAL_WAIT_SECONDS',
  verifyMaxWait: 'VERIFY_MAX_WAIT_SECONDS',
} as const;

/** Seconds the Slack secret is cached per container: a rotated token is picked up within minutes. */
const SECRET_MAX_AGE_SECONDS = 300;

type Env = Record<string, string | undefined>;

/** The decision settings from env, defaults from `DEFAULT_SETTINGS`. */
export function workflowSettingsFromEnv(env: Env): WorkflowSettings {
  const readRoleName = optionalEnv(env, WORKFLOW_ENV.readRoleName);
  return {
    requiredApprovals: Math.max(1, intEnv(env, WORKFLOW_ENV.requiredApprovals, DEFAULT_SETTINGS.requiredApprovals)),
    maxReminders: intEnv(env, WORKFLOW_ENV.maxReminders, DEFAULT_SETTINGS.maxReminders),
    verification: {
      maxAttempts: Math.max(1, intEnv(env, WORKFLOW_ENV.verifyMaxAttempts, DEFAULT_SETTINGS.verification.maxAttempts)),
      initialWaitSeconds: intEnv(env, WORKFLOW_ENV.verifyInitialWait, DEFAULT_SETTINGS.verification.initialWaitSeconds),
      maxWaitSeconds: intEnv(env, WORKFLOW_ENV.verifyMaxWait, DEFAULT_SETTINGS.verification.maxWaitSeconds),
    },
    ...(readRoleName ? { readRoleName } : {}),
  };
}

/**
 * A port whose adapter is built on first use. Functions that never notify never fetch the Slack
 * secret (and their role is not allowed to); the ones that do fetch it once per container.
 */
export function lazyPort<T extends object>(load: () => Promise<T>): T {
  let loaded: Promise<T> | undefined;
  const get = (): Promise<T> => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
  return new Proxy({} as T, {
    get:
      (_target, property) =>
      async (...args: unknown[]) => {
        const port = await get();
        const method = (port as Record<PropertyKey, unknown>)[property];
        if (typeof method !== 'function') throw new TypeError(`${String(property)} is not a method of the port`);
        return (method as (...a: unknown[]) => unknown).apply(port, args);
      },
  });
}

/** The Slack notifier over the bot token from Secrets Manager (Powertools parameters, cached). */
function slackNotifier(env: Env): NotifierPort {
  const secretArn = requireEnv(env, WORKFLOW_ENV.slackSecretArn);
  const settings = parseSlackSettings(env);
  return lazyPort(async () => {
    const secret = await getSecret(secretArn, { transform: 'json', maxAge: SECRET_MAX_AGE_SECONDS });
    const { botToken } = parseSlackSecretValue(secret);
    return new SlackNotifier({
      client: new WebClient(botToken, settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {}),
      channel: settings.channel,
      ...(settings.escalationMention ? { escalationMention: settings.escalationMention } : {}),
    });
  });
}

/**
 * Builds the workflow's dependencies for Lambda from env: DynamoDB cases, S3 evidence signed by KMS,
 * Slack from Secrets Manager, Security Hub, Organizations/STS/IAM readers and the remover, Step
 * Functions callbacks. SDK clients take the standard configuration (Region, endpoints, credential
 * chain) and are traced by X-Ray when a tracer is given. Throws naming the first missing variable.
 */
export async function createAwsRuntime(env: Env = process.env, tracer?: Tracer): Promise<WorkflowRuntime> {
  const traced = <C>(client: C): C => (tracer ? tracer.captureAWSv3Client(client) : client);
  const casesTable = requireEnv(env, WORKFLOW_ENV.casesTable);
  const bucket = requireEnv(env, WORKFLOW_ENV.evidenceBucket);
  const evidenceKey = requireEnv(env, WORKFLOW_ENV.evidenceKmsKey);
  const signingKey = requireEnv(env, WORKFLOW_ENV.signingKey);
  const securityHubRegion = optionalEnv(env, WORKFLOW_ENV.securityHubRegion);

  const { sts, iam, organizations } = createAwsClients();
  const ddb = DynamoDBDocumentClient.from(traced(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const evidence = new EvidenceService({
    store: new S3EvidenceStore({ client: traced(new S3Client({})), bucket, kmsKeyId: evidenceKey }),
    signer: new KmsSigner({ client: traced(new KMSClient({})), keyId: signingKey }),
  });
  const deps = {
    organization: new AwsOrganization({ organizations: traced(organizations), sts: traced(sts), iam: traced(iam) }),
    reader: new AwsRootKeyReader({ sts: traced(sts), iam: traced(iam), iamFor: createIamClientFromCredentials }),
    remover: new AwsRootKeyRemover({ sts: traced(sts) }),
    cases: new DynamoCaseStore({ client: ddb, tableName: casesTable }),
    evidence,
    notifier: slackNotifier(env),
    findings: new SecurityHubFindings({
      client: traced(new SecurityHubClient(securityHubRegion ? { region: securityHubRegion } : {})),
    }),
    clock: systemClock,
    settings: workflowSettingsFromEnv(env),
  };
  // Built on first use: only the sweep's list function stores lists (and has the bucket's name).
  const sweepLists = lazyPort(async () => {
    const sweepBucket = requireEnv(env, WORKFLOW_ENV.sweepListBucket);
    return new S3SweepListStore({ client: traced(new S3Client({})), bucket: sweepBucket });
  });
  return { deps, callbacks: new SfnWorkflowCallbacks(traced(new SFNClient({}))), sweepLists };
}
