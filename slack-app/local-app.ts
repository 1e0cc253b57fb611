import { WebClient } from '@slack/web-api';
import type { Logger } from '@slack/bolt';
import { SlackApproverDirectory } from '../functions/adapters/slack/slack-approver-directory';
import type { ApproverDirectory } from '../functions/ports/approver-directory';
import { createSlackApp, type SlackApp, type SlackReceiverChoice } from './app';
import { parseSlackConfig, type SlackConfig, type SlackSecrets } from '../functions/adapters/slack/slack-config';
import type { SlackAppServices } from './services';

/** Socket Mode when an app-level token is set (no public URL needed), HTTP on `port` otherwise. */
export function localReceiverChoice(secrets: SlackSecrets, port: number, host = '127.0.0.1'): SlackReceiverChoice {
  return secrets.appToken ? { type: 'socket', appToken: secrets.appToken } : { type: 'http', port, host };
}

/**
 * The Slack app for a local run against real Slack (or any Web API at `SLACK_API_URL`): settings and
 * secrets from env, approvers from `SLACK_APPROVER_GROUP` / `SLACK_APPROVERS` unless given, Socket Mode
 * when `SLACK_APP_TOKEN` is set. Throws InvalidInputError naming each bad variable.
 */
export function createLocalSlackApp(
  env: Record<string, string | undefined>,
  services: Omit<SlackAppServices, 'approvers'> & { approvers?: ApproverDirectory },
  options: { port?: number; host?: string; logger?: Logger } = {},
): { slack: SlackApp; config: SlackConfig } {
  const config = parseSlackConfig(env);
  const approvers =
    services.approvers ??
    new SlackApproverDirectory({
      client: new WebClient(config.botToken, config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
      userIds: config.approvers,
      clock: services.clock,
      ...(config.approverGroup ? { groupId: config.approverGroup } : {}),
    });
  const slack = createSlackApp({
    receiver: localReceiverChoice(config, options.port ?? 3000, options.host),
    signingSecret: config.signingSecret,
    botToken: config.botToken,
    channel: config.channel,
    services: { ...services, approvers },
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
    ...(config.escalationMention ? { escalationMention: config.escalationMention } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return { slack, config };
}
