import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidInputError } from '../../../functions/core/errors';
import { createAwsRuntime, lazyPort, workflowSettingsFromEnv } from '../../../functions/handlers/aws-deps';
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

describe('createAwsRuntime', () => {
  it('builds every port from names and ARNs in env, without calling AWS', async () => {
    const runtime = await createAwsRuntime(ENV);

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

      await expect(createAwsRuntime(env)).rejects.toThrow(`Environment variable ${name} is not set`);
    },
  );

  it('reads the Slack secret on the first message only, through Secrets Manager', async () => {
    // Prepare: a secret without a bot token, so the notifier refuses before it reaches Slack.
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ signingSecret: 's' }) });
    const runtime = await createAwsRuntime(ENV);

    // Act
    const attempt = runtime.deps.notifier.progress(caseFixture(), 'hello');

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidInputError);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: ENV.SLACK_SECRET_ARN });
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
