import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { Logger } from '@slack/bolt';
// AwsLambdaReceiver from its own module: the '@slack/bolt' index also loads ExpressReceiver (express).
import AwsLambdaReceiver from '@slack/bolt/dist/receivers/AwsLambdaReceiver';
import { LogLevel } from '@slack/logger';
import type { Context } from 'aws-lambda';
import { describeError } from '../functions/core/errors';
import type { createSlackApp } from './app';
import { createBoltApp } from './bolt-app';
import { awsSlackServices, requiredEnv, SLACK_FUNCTION_ENV } from './aws-services';
import {
  parseSlackSecretValue,
  parseSlackSettings,
  type SlackSecrets,
  type SlackSettings,
} from '../functions/adapters/slack/slack-config';
import type { SlackAppServices } from './services';

type AwsHandler = ReturnType<ReturnType<typeof createSlackApp>['lambdaHandler']>;
type AwsEvent = Parameters<AwsHandler>[0];
type AwsResponse = Awaited<ReturnType<AwsHandler>>;

/** Seconds Powertools keeps the secret: a rotated token or signing secret is picked up within minutes. */
const SECRET_MAX_AGE_SECONDS = 300;

/** Everything the Slack app needs in Lambda, built once per container. */
export interface SlackLambdaSetup {
  settings: SlackSettings;
  /** Read on every invocation (cached by Powertools); a change rebuilds the app. */
  loadSecrets: () => Promise<SlackSecrets>;
  /** Built with the bot token, because the approver directory asks Slack for the group's members. */
  services: (secrets: SlackSecrets) => SlackAppServices;
  logger?: Logger;
}

/**
 * Reads the Slack secret with Powertools parameters (cached for five minutes per container). The
 * provider (and through it the Secrets Manager client) is injectable for tests.
 */
export function slackSecretsLoader(
  secretArn: string,
  provider: SecretsProvider = new SecretsProvider(),
): () => Promise<SlackSecrets> {
  return async () =>
    parseSlackSecretValue(await provider.get(secretArn, { transform: 'json', maxAge: SECRET_MAX_AGE_SECONDS }));
}

/**
 * The two-argument Lambda handler over a setup: the Bolt app with `AwsLambdaReceiver`, built on the
 * first invocation and reused while the secret stays the same. A failed build is not cached. Bolt
 * verifies the signature (401 otherwise) and the listeners ack first; the receiver answers API
 * Gateway once the listeners are done, which is why they keep their work short.
 */
export function createSlackLambdaHandler(
  setup: () => Promise<SlackLambdaSetup>,
): (event: AwsEvent, context: Context) => Promise<AwsResponse> {
  let ready: Promise<SlackLambdaSetup> | undefined;
  let current: { key: string; handle: AwsHandler } | undefined;
  return async (event, context) => {
    ready ??= setup().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    const s = await ready;
    const secrets = await s.loadSecrets();
    const key = JSON.stringify(secrets);
    if (current?.key !== key) {
      const receiver = new AwsLambdaReceiver({
        signingSecret: secrets.signingSecret,
        ...(s.logger ? { logger: s.logger } : {}),
        logLevel: LogLevel.INFO,
      });
      createBoltApp(receiver, {
        botToken: secrets.botToken,
        channel: s.settings.channel,
        services: s.services(secrets),
        ...(s.settings.slackApiUrl ? { slackApiUrl: s.settings.slackApiUrl } : {}),
        ...(s.settings.escalationMention ? { escalationMention: s.settings.escalationMention } : {}),
        ...(s.logger ? { logger: s.logger } : {}),
      });
      current = { key, handle: receiver.toHandler() };
    }
    return current.handle(event, context);
  };
}

/**
 * The deployed setup: settings from env, the secret from Secrets Manager (`SLACK_SECRET_ARN`), and the
 * AWS services of {@link awsSlackServices}.
 */
export async function awsSlackSetup(env: Record<string, string | undefined>): Promise<SlackLambdaSetup> {
  const settings = parseSlackSettings(env);
  return {
    settings,
    loadSecrets: slackSecretsLoader(requiredEnv(env, SLACK_FUNCTION_ENV.slackSecretArn)),
    services: awsSlackServices(env, settings),
    logger: boltLogger(powertoolsLogger),
  };
}

const powertoolsLogger = new PowertoolsLogger({ serviceName: 'rootkey-slack' });
const handle = createSlackLambdaHandler(() => awsSlackSetup(process.env));

/** The Lambda entry (API Gateway REST proxy or a Function URL): `slack-app/lambda-handler.handler`. */
export async function handler(event: AwsEvent, context: Context): Promise<AwsResponse> {
  powertoolsLogger.addContext(context);
  try {
    return await handle(event, context);
  } catch (error) {
    const { name, message } = describeError(error);
    powertoolsLogger.error('Slack request failed', { errorName: name, errorMessage: message });
    return { statusCode: 500, body: '' };
  }
}

/** Bolt's logger interface over Powertools' structured logger. */
export function boltLogger(logger: PowertoolsLogger): Logger {
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => logger.debug(text(msg)),
    info: (...msg) => logger.info(text(msg)),
    warn: (...msg) => logger.warn(text(msg)),
    error: (...msg) => logger.error(text(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
