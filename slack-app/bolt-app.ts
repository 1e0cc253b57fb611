import type { Logger, Receiver } from '@slack/bolt';
// The App class from its own module, not from '@slack/bolt': the package index also loads
// ExpressReceiver (express and its dependencies), which the Lambda function never uses (issue #18).
import App from '@slack/bolt/dist/App';
import { LogLevel } from '@slack/logger';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { SlackNotifier } from '../functions/adapters/slack/slack-notifier';
import { describeError } from '../functions/core/errors';
import { registerListeners } from './listeners';
import type { SlackAppServices } from './services';
import { workAtOnce, type WorkAfterAck } from './work-after-ack';

/** What the Bolt app needs besides its receiver. */
export interface BoltAppOptions {
  botToken: string;
  /** Web API base URL (`SLACK_API_URL`), for a stand-in or a proxy; Slack's own by default. */
  slackApiUrl?: string;
  /** Channel id of the approval requests (`SLACK_CHANNEL`). */
  channel: string;
  /** Who escalating reminders mention (user id, user group id, `here` or `channel`). */
  escalationMention?: string;
  services: SlackAppServices;
  logger?: Logger;
  logLevel?: LogLevel;
  /** Web API client tuning (timeouts, retries); `slackApiUrl` above wins. */
  clientOptions?: WebClientOptions;
  /** How votes and runbook clicks work after their ack ({@link workAtOnce} unless given). */
  workAfterAck?: WorkAfterAck;
}

/**
 * One Bolt app over a given receiver, with every listener registered. Signature verification stays on
 * (the receiver refuses unsigned or stale requests with 401); every listener acks first and works
 * after. The bot token is given through `authorize` so that no `auth.test` call is made at start-up
 * (cold starts stay short and the app starts even while the Web API is unreachable).
 */
export function createBoltApp(receiver: Receiver, options: BoltAppOptions): { app: App; notifier: SlackNotifier } {
  const clientOptions: WebClientOptions = {
    // Clicks are answered within seconds or not at all: retry briefly rather than Slack's default 30 minutes.
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1000 },
    timeout: 5000,
    ...options.clientOptions,
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
  };
  const app = new App({
    receiver,
    authorize: async () => ({ botToken: options.botToken }),
    clientOptions,
    ...(options.logger ? { logger: options.logger } : {}),
    logLevel: options.logLevel ?? LogLevel.INFO,
  });
  app.error(async (error) => {
    // Logged, not rethrown: the request was acked already, and a 500 after the ack only confuses Slack.
    const { name, message } = describeError(error.original ?? error);
    app.logger.error(`Slack listener failed: ${name}: ${message}`);
  });

  const notifier = new SlackNotifier({
    client: new WebClient(options.botToken, { ...clientOptions, logger: app.logger }),
    channel: options.channel,
    clock: options.services.clock,
    ...(options.escalationMention ? { escalationMention: options.escalationMention } : {}),
    ...(options.services.runbookFor ? { runbookFor: options.services.runbookFor } : {}),
  });
  registerListeners(app, {
    services: options.services,
    notifier,
    channel: options.channel,
    afterAck: options.workAfterAck ?? workAtOnce,
  });
  return { app, notifier };
}
