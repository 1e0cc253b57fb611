import type { AddressInfo } from 'node:net';
import { App, AwsLambdaReceiver, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { SlackNotifier } from '../functions/adapters/slack/slack-notifier';
import { describeError } from '../functions/core/errors';
import { registerListeners } from './listeners';
import type { SlackAppServices } from './services';

/** Where Slack's requests come from; the listeners are the same for all three. */
export type SlackReceiverChoice =
  /** `POST /slack/events` on a local port (0 = any free port). */
  | { type: 'http'; port?: number; host?: string; processBeforeResponse?: boolean }
  /** Socket Mode with an app-level token (`SLACK_APP_TOKEN`): no public URL needed. */
  | { type: 'socket'; appToken: string }
  /** API Gateway or a Lambda Function URL, through {@link SlackApp.lambdaHandler}. */
  | { type: 'lambda' };

export interface SlackAppOptions {
  receiver: SlackReceiverChoice;
  signingSecret: string;
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
}

export interface SlackApp {
  app: App;
  receiver: HTTPReceiver | SocketModeReceiver | AwsLambdaReceiver;
  /** The notifier the workflow uses, posting with the same bot token and Web API URL. */
  notifier: SlackNotifier;
  /** Starts listening (HTTP: resolves with the bound port; Socket Mode: once connected). */
  start(): Promise<{ port?: number }>;
  stop(): Promise<void>;
  /** The two-argument Lambda handler; only for the `lambda` receiver. */
  lambdaHandler(): ReturnType<AwsLambdaReceiver['toHandler']>;
}

/**
 * One Bolt app, whatever runs it. Signature verification stays on (Bolt refuses unsigned or stale
 * requests with 401); every listener acks first and works after. The bot token is given through
 * `authorize` so that no `auth.test` call is made at start-up (cold starts stay short and the app
 * starts even while the Web API is unreachable).
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const clientOptions: WebClientOptions = {
    // Clicks are answered within seconds or not at all: retry briefly rather than Slack's default 30 minutes.
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1000 },
    timeout: 5000,
    ...options.clientOptions,
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
  };
  const receiver = createReceiver(options);
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
  registerListeners(app, { services: options.services, notifier, channel: options.channel });

  return {
    app,
    receiver,
    notifier,
    async start() {
      const choice = options.receiver;
      if (choice.type === 'http') {
        const server = await (receiver as HTTPReceiver).start({
          port: choice.port ?? 3000,
          host: choice.host ?? '127.0.0.1',
        });
        return { port: (server.address() as AddressInfo).port };
      }
      if (choice.type === 'socket') await (receiver as SocketModeReceiver).start();
      return {};
    },
    async stop() {
      if (options.receiver.type !== 'lambda') await receiver.stop();
    },
    lambdaHandler() {
      if (!(receiver instanceof AwsLambdaReceiver)) throw new Error('lambdaHandler() needs the lambda receiver');
      return receiver.toHandler();
    },
  };
}

function createReceiver(options: SlackAppOptions): HTTPReceiver | SocketModeReceiver | AwsLambdaReceiver {
  const logging = {
    ...(options.logger ? { logger: options.logger } : {}),
    logLevel: options.logLevel ?? LogLevel.INFO,
  };
  const choice = options.receiver;
  switch (choice.type) {
    case 'http':
      return new HTTPReceiver({
        signingSecret: options.signingSecret,
        endpoints: '/slack/events',
        processBeforeResponse: choice.processBeforeResponse ?? false,
        ...logging,
      });
    case 'socket':
      return new SocketModeReceiver({ appToken: choice.appToken, ...logging });
    case 'lambda':
      return new AwsLambdaReceiver({ signingSecret: options.signingSecret, ...logging });
  }
}
