import { InvalidInputError } from '../../../functions/core/errors';
import {
  parseSlackConfig,
  parseSlackSecretValue,
  parseSlackSettings,
} from '../../../functions/adapters/slack/slack-config';
import { localReceiverChoice } from '../../../slack-app/local-app';

const valid = {
  SLACK_SIGNING_SECRET: 'sign-me-0123456789abcdef',
  SLACK_BOT_TOKEN: 'xoxb-1-2-3',
  SLACK_CHANNEL: 'C0SECURITY',
  SLACK_APPROVER_GROUP: 'S0SECURITY',
};

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.issues;
    throw error;
  }
  throw new Error('expected InvalidInputError');
}

describe('Slack configuration from env', () => {
  it('reads a minimal configuration with defaults', () => {
    expect(parseSlackConfig(valid)).toEqual({
      signingSecret: valid.SLACK_SIGNING_SECRET,
      botToken: valid.SLACK_BOT_TOKEN,
      channel: 'C0SECURITY',
      approverGroup: 'S0SECURITY',
      approvers: [],
      requiredApprovals: 1,
    });
  });

  it('reads the optional values', () => {
    const config = parseSlackConfig({
      ...valid,
      SLACK_APPROVER_GROUP: '',
      SLACK_APPROVERS: 'U0ALICE, U0BOB',
      REQUIRED_APPROVALS: '2',
      SLACK_API_URL: 'http://127.0.0.1:3000/slack/api',
      SLACK_APP_TOKEN: 'xapp-1-A0-1-abc',
      SLACK_ESCALATION_MENTION: 'S0ONCALL',
    });
    expect(config).toMatchObject({
      approvers: ['U0ALICE', 'U0BOB'],
      requiredApprovals: 2,
      slackApiUrl: 'http://127.0.0.1:3000/slack/api/',
      appToken: 'xapp-1-A0-1-abc',
      escalationMention: 'S0ONCALL',
    });
    expect(config.approverGroup).toBeUndefined();
  });

  it('refuses to run without approvers', () => {
    expect(issues(() => parseSlackSettings({ SLACK_CHANNEL: 'C0SECURITY' })).join()).toContain('SLACK_APPROVER_GROUP');
  });

  it('names every bad variable without echoing the values', () => {
    const found = issues(() =>
      parseSlackConfig({
        SLACK_SIGNING_SECRET: '',
        SLACK_BOT_TOKEN: 'xapp-this-is-the-wrong-token-secret',
        SLACK_CHANNEL: '#security',
        SLACK_APPROVERS: 'alice',
        REQUIRED_APPROVALS: 'two',
      }),
    );
    const text = found.join('\n');
    expect(text).toContain('SLACK_CHANNEL');
    expect(text).toContain('SLACK_APPROVERS');
    expect(text).toContain('REQUIRED_APPROVALS');
    expect(text).not.toContain('xapp-this-is-the-wrong-token-secret');
  });

  it('checks the secrets separately, so that settings can be read where secrets live elsewhere', () => {
    expect(issues(() => parseSlackConfig({ ...valid, SLACK_BOT_TOKEN: 'xoxp-user-token' })).join()).toContain(
      'SLACK_BOT_TOKEN',
    );
    expect(parseSlackSettings({ SLACK_CHANNEL: 'C0SECURITY', SLACK_APPROVERS: 'U0ALICE' }).approvers).toEqual([
      'U0ALICE',
    ]);
  });

  it('reads the Secrets Manager JSON in either key style', () => {
    expect(parseSlackSecretValue({ signingSecret: 's', botToken: 'xoxb-1' })).toEqual({
      signingSecret: 's',
      botToken: 'xoxb-1',
    });
    expect(parseSlackSecretValue({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual({
      signingSecret: 's',
      botToken: 'xoxb-1',
    });
    expect(() => parseSlackSecretValue('not json')).toThrow(InvalidInputError);
  });

  it('uses Socket Mode exactly when an app-level token is set', () => {
    expect(localReceiverChoice({ signingSecret: 's', botToken: 'xoxb-1', appToken: 'xapp-1' }, 3000)).toEqual({
      type: 'socket',
      appToken: 'xapp-1',
    });
    expect(localReceiverChoice({ signingSecret: 's', botToken: 'xoxb-1' }, 3000)).toEqual({
      type: 'http',
      port: 3000,
      host: '127.0.0.1',
    });
  });
});
