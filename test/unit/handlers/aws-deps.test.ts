import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidInputError } from '../../../functions/core/errors';
import { createAwsRuntime, lazyPort, workflowSettingsFromEnv } from '../../../functions/handlers/aws-deps';
import { awsCallbacks } from '../../../functions/handlers/aws-ports/callbacks';
import { awsCases } from '../../../functions/handlers/aws-ports/cases';
import { awsEvidence } from '../../../functions/handlers/aws-ports/evidence';
import { awsFindings } from '../../../functions/handlers/aws-ports/findings';
import { awsNotifier } from '../../../functions/handlers/aws-ports/notifier';
import { awsRemover } from '../../../functions/handlers/aws-ports/remover';
import { PortNotWiredError } from '../../../functions/handlers/task-ports';
import { requireEnv } from '../../../functions/handlers/env';
import { caseFixture } from '../../support/workflow/case-fixture';

const secrets = mockClient(SecretsManagerClient);

const ENV = {
  AWS_REGION: 'eu-west-1',
  CASES_TABLE_NAME: 'rootkey-cases',
  EVIDENCE_BUCKET_NAME: 'rootkey-evidence',
  EVIDENCE_KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:222222222222:key/data',
  EVIDENCE_SIGNING_KEY_ARN: 'arn:aws:kms:eu-west-1:222222222222:key/signing',
  SLACK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:rootkey-slack',
  SLACK_CHANNEL: 'C0123456789',
  SLACK_APPROVERS: 'U0123456789',
  READ_ROLE_NAME: 'RootKeyAudit',
  REQUIRED_APPROVALS: '2',
  MAX_REMINDERS: '3',
};

beforeEach(() => secrets.reset());

/** request-approval's ports: cases, evidence, notifier, findings, callbacks (the widest task). */
const APPROVAL_PORTS = {
  cases: awsCases,
  evidence: awsEvidence,
  notifier: awsNotifier,
  findings: awsFindings,
  callbacks: awsCallbacks,
};
const build = (env: Record<string, string | undefined>) => createAwsRuntime('request-approval', APPROVAL_PORTS, env);

describe('createAwsRuntime', () => {
  it("builds the task's ports from names and ARNs in env, without calling AWS", async () => {
    const runtime = build(ENV);

    expect(runtime.deps.settings).toMatchObject({
      requiredApprovals: 2,
      maxReminders: 3,
      readRoleName: 'RootKeyAudit',
    });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
    expect(typeof runtime.callbacks.sendTaskSuccess).toBe('function');
  });

  it.each(['CASES_TABLE_NAME', 'EVIDENCE_BUCKET_NAME', 'EVIDENCE_SIGNING_KEY_ARN', 'SLACK_SECRET_ARN'])(
    'names %s when it is missing',
    async (name) => {
      const env = { ...ENV, [name]: '' };

      expect(() => build(env)).toThrow(`Environment variable ${name} is not set`);
    },
  );

  it('reads the Slack secret on the first message only, through Secrets Manager', async () => {
    // Prepare: a secret without a bot token, so the notifier refuses before it reaches Slack.
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ signingSecret: 's' }) });
    const runtime = build(ENV);

    // Act
    const attempt = runtime.deps.notifier.progress(caseFixture(), 'hello');

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidInputError);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: ENV.SLACK_SECRET_ARN });
  });
});

describe('ports a task does not have', () => {
  it('throw PortNotWiredError naming the port and the task, and build no client for them', async () => {
    const runtime = createAwsRuntime(
      'delete-keys',
      { cases: awsCases, evidence: awsEvidence, remover: awsRemover },
      ENV,
    );

    const attempt = runtime.deps.notifier.progress(caseFixture(), 'hello');

    await expect(attempt).rejects.toBeInstanceOf(PortNotWiredError);
    await expect(runtime.deps.findings.findRootKeyFinding('123456789012')).rejects.toThrow(
      /delete-keys function has no findings port/,
    );
  });

  it('refuse a builder list that differs from TASK_PORTS', () => {
    expect(() => createAwsRuntime('open-case', { cases: awsCases } as never, ENV)).toThrow(/missing \[evidence\]/);
  });
});

describe('env helpers', () => {
  it('throws naming a required variable that is unset or blank', () => {
    expect(() => requireEnv({}, 'CASES_TABLE_NAME')).toThrow('Environment variable CASES_TABLE_NAME is not set');
    expect(() => requireEnv({ X: '  ' }, 'X')).toThrow(InvalidInputError);
  });

  it('refuses settings that are not whole numbers', () => {
    expect(() => workflowSettingsFromEnv({ MAX_REMINDERS: 'two' })).toThrow(/MAX_REMINDERS must be a whole number/);
  });
});

describe('lazyPort', () => {
  it('builds the adapter on first use, once, and again after a failed build', async () => {
    // Prepare
    let builds = 0;
    const port = lazyPort(async () => {
      builds += 1;
      if (builds === 1) throw new Error('secret not readable yet');
      return { hello: async (name: string) => `hello ${name}` };
    });

    // Act
    const failed = port.hello('a').catch((e: Error) => e.message);
    const before = builds;
    const first = await failed;
    const second = await port.hello('b');
    const third = await port.hello('c');

    // Assess
    expect(before).toBe(1);
    expect(first).toBe('secret not readable yet');
    expect([second, third]).toEqual(['hello b', 'hello c']);
    expect(builds).toBe(2);
  });
});
