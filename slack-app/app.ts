import type { AddressInfo } from 'node:net';
import { AwsLambdaReceiver, HTTPReceiver, LogLevel, SocketModeReceiver, type App, type Logger } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { SlackNotifier } from '../functions/adapters/slack/slack-notifier';
import { createBoltApp } from './bolt-app';
import type { SlackAppServices } from './services';
import { AckFirstWork, type AckFirstOptions } from './work-after-ack';

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
  /**
   * HTTP (answering before the work) and Socket Mode: when votes and runbook clicks work after their
   * ack (see {@link AckFirstWork}); `DEFAULT_ACK_FIRST` unless given.
   */
  ackFirst?: AckFirstOptions;
}

/** How long `stop()` waits for the work of clicks already acked. */
const STOP_DRAIN_MS = 10_000;

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
 * One Bolt app, whatever runs it ({@link createBoltApp} over the chosen receiver). The Lambda
 * function builds its app in `lambda-handler.ts` over `AwsLambdaReceiver` alone, so that its bundle
 * carries neither Socket Mode nor the HTTP server's dependencies.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const receiver = createReceiver(options);
  const choice = options.receiver;
  // One process answers every request and runs every click's work: the acks go first.
  // Not when the answer waits for the work (processBeforeResponse), nor in Lambda (one click per invocation).
  const sharesOneLoop = choice.type === 'socket' || (choice.type === 'http' && !choice.processBeforeResponse);
  const work = sharesOneLoop ? new AckFirstWork(options.ackFirst) : undefined;
  const { app, notifier } = createBoltApp(receiver, { ...options, ...(work ? { workAfterAck: work.afterAck } : {}) });

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
      try {
        if (options.receiver.type !== 'lambda') await receiver.stop();
      } finally {
        // Clicks already answered are still counted: their work finishes before the caller moves on.
        await work?.idle(STOP_DRAIN_MS);
      }
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
