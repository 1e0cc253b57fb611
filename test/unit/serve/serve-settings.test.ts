import { parseDuration, resolveServeSettings, ServeSettingsError } from '../../../serve/serve-settings';

const GOOD_ENV = {
  AWS_REGION: 'eu-west-1',
  SLACK_BOT_TOKEN: 'xoxb-1-2-3',
  SLACK_SIGNING_SECRET: 'secret',
  SLACK_CHANNEL: 'C0123456789',
  SLACK_APPROVERS: 'U0ALICE,U0BOB',
};

async function problemsOf(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    await resolveServeSettings(flags, env);
  } catch (error) {
    if (error instanceof ServeSettingsError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseDuration', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 90 * 60_000],
    ['90s', 90_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '1', 'h', '1w', '30 minutes', '1m1h', '-5m'])(
    'refuses %p with a message that shows the format',
    (text) => {
      expect(() => parseDuration(text)).toThrow(/such as 30m, 1h, 1d/);
    },
  );
});

describe('resolveServeSettings', () => {
  it('returns the settings with the documented defaults', async () => {
    const settings = await resolveServeSettings({}, GOOD_ENV);
    expect(settings).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      sweep: true,
      sweepEveryMs: 3_600_000,
      securityHub: { enabled: true },
      region: 'eu-west-1',
      slack: { channel: 'C0123456789', approvers: ['U0ALICE', 'U0BOB'], requiredApprovals: 1 },
    });
    expect(settings.dataDir).toMatch(/\.rootkey$/);
    expect(settings.signingKeyArn).toBeUndefined();
  });

  it('takes the flags and the KMS signing key', async () => {
    const settings = await resolveServeSettings(
      { port: '0', 'role-name': 'RootKeyRead', 'sweep-every': '30m', 'security-hub-region': 'us-east-1' },
      {
        ...GOOD_ENV,
        EVIDENCE_SIGNING_KEY_ARN: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
    );
    expect(settings).toMatchObject({
      port: 0,
      roleName: 'RootKeyRead',
      sweepEveryMs: 30 * 60_000,
      securityHub: { enabled: true, region: 'us-east-1' },
      signingKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
  });

  it('switches Security Hub and the sweep off', async () => {
    const settings = await resolveServeSettings({ 'no-security-hub': true, 'no-sweep': true }, GOOD_ENV);
    expect(settings.securityHub).toEqual({ enabled: false });
    expect(settings.sweep).toBe(false);
  });

  it('names every problem at once, without echoing secret values', async () => {
    const problems = await problemsOf(
      {
        port: '70000',
        'sweep-every': '10s',
        'role-name': 'no spaces',
        'security-hub-region': 'x',
        'no-security-hub': true,
      },
      {
        AWS_REGION: 'aws-global',
        AWS_ENDPOINT_URL_STS: 'ftp://example.com',
        SLACK_BOT_TOKEN: 'xoxp-user-token-secret',
        SLACK_CHANNEL: '#general',
        REQUIRED_APPROVALS: 'two',
        EVIDENCE_SIGNING_KEY_ARN: 'alias/evidence',
      },
    );
    const text = problems.join('\n');
    for (const name of [
      '--port',
      '--sweep-every',
      '--role-name',
      '--security-hub-region and --no-security-hub',
      'AWS_REGION',
      'AWS_ENDPOINT_URL_STS',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'SLACK_CHANNEL',
      'SLACK_APPROVER_GROUP',
      'REQUIRED_APPROVALS',
      'EVIDENCE_SIGNING_KEY_ARN',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain('xoxp-user-token-secret');
  });

  it('refuses --sweep-every together with --no-sweep', async () => {
    expect(await problemsOf({ 'sweep-every': '1h', 'no-sweep': true }, GOOD_ENV)).toEqual([
      '--sweep-every and --no-sweep: choose one',
    ]);
  });
});
