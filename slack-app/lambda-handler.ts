import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { AnyMiddlewareArgs, Logger, Middleware } from '@slack/bolt';
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
import {
  deferredActionOf,
  isDeferredSlackRequest,
  lambdaSelfInvoker,
  type DeferredSlackRequest,
  type DeferSlackRequest,
  type SlackHttpEvent,
} from './deferred-requests';

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
  /**
   * Hands a click to an asynchronous invocation of this function, so that Slack gets its answer
   * before the work (see slack-app/deferred-requests.ts). Without it every request is answered inline.
   */
  defer?: DeferSlackRequest;
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
 * Gateway once the listeners are done. So, with `defer`, a click whose listener needs nothing from
 * the HTTP answer but the ack (a vote, a runbook step) is answered at once and handed to an
 * asynchronous invocation of the function, which runs the listener; if it cannot be handed over,
 * it is answered inline as before. Bolt checks the signature of that invocation's request
 * (`{ rootkeyDeferredSlackRequest }`) again; anything but a 200 there is thrown, so that Lambda
 * retries it and finally sends it to the function's dead-letter queue.
 */
export function createSlackLambdaHandler(
  setup: () => Promise<SlackLambdaSetup>,
): (event: AwsEvent | DeferredSlackRequest<AwsEvent>, context: Context) => Promise<AwsResponse> {
  let ready: Promise<SlackLambdaSetup> | undefined;
  // Per secret: the services (one approver directory and its cache for both apps), and each app once used.
  let current: { key: string; services: SlackAppServices; ingress?: AwsHandler; worker?: AwsHandler } | undefined;
  return async (event, context) => {
    ready ??= setup().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    const s = await ready;
    const secrets = await s.loadSecrets();
    const key = JSON.stringify(secrets);
    if (current?.key !== key) current = { key, services: s.services(secrets) };
    if (isDeferredSlackRequest(event)) {
      const request = event.rootkeyDeferredSlackRequest as AwsEvent;
      current.worker ??= receiverHandler(s, secrets, current.services);
      const response = await current.worker(request, context);
      // Refused (401: a wrong or stale signature), unrouted or failed: thrown, so that Lambda retries it
      // and the dead-letter queue (with its alarm) keeps what never ran.
      if (response.statusCode !== 200) {
        throw new Error(`The queued Slack request was answered with status ${response.statusCode}`);
      }
      return response;
    }
    current.ingress ??= receiverHandler(s, secrets, current.services, s.defer);
    return current.ingress(event, context);
  };
}

/** Where the ingress receiver leaves the Lambda event for the deferring middleware (Bolt context). */
const LAMBDA_EVENT = 'rootkeyLambdaEvent';

/** Bolt over an `AwsLambdaReceiver`: with `defer`, the ingress (clicks queued); without, the worker. */
function receiverHandler(
  s: SlackLambdaSetup,
  secrets: SlackSecrets,
  services: SlackAppServices,
  defer?: DeferSlackRequest,
): AwsHandler {
  const receiver = new AwsLambdaReceiver({
    // Both apps check the signature (DESIGN.md: Bolt does it, never turned off): the queued request
    // carries Slack's headers, and the function's maxEventAge keeps it within Bolt's five minutes.
    signingSecret: secrets.signingSecret,
    ...(defer ? { customPropertiesExtractor: (event: AwsEvent) => ({ [LAMBDA_EVENT]: event }) } : {}),
    ...(s.logger ? { logger: s.logger } : {}),
    logLevel: LogLevel.INFO,
  });
  const { app } = createBoltApp(receiver, {
    botToken: secrets.botToken,
    channel: s.settings.channel,
    services,
    ...(s.settings.slackApiUrl ? { slackApiUrl: s.settings.slackApiUrl } : {}),
    ...(s.settings.escalationMention ? { escalationMention: s.settings.escalationMention } : {}),
    ...(s.logger ? { logger: s.logger } : {}),
  });
  if (defer) app.use(deferClicks(defer));
  return receiver.toHandler();
}

/**
 * Global middleware of the ingress: a click of {@link deferredActionOf} is queued for the
 * asynchronous invocation and acked; its listener does not run here. Everything else, and a click
 * that could not be queued, goes on to the listeners.
 */
function deferClicks(defer: DeferSlackRequest): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const request = args.context[LAMBDA_EVENT] as SlackHttpEvent | undefined;
    const actionId = deferredActionOf(args.body);
    const ack = 'ack' in args ? (args.ack as () => Promise<void>) : undefined;
    if (!request || !actionId || !ack) {
      await args.next();
      return;
    }
    try {
      await defer(request);
    } catch (error) {
      const { name, message } = describeError(error);
      args.logger.warn(`Answering ${actionId} inline: it could not be handed over (${name}: ${message})`);
      await args.next();
      return;
    }
    await ack();
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
    // Set by the Lambda runtime in every function (a reserved variable); absent elsewhere, where
    // requests are answered inline.
    ...(env['AWS_LAMBDA_FUNCTION_NAME']
      ? { defer: lambdaSelfInvoker(new LambdaClient({}), env['AWS_LAMBDA_FUNCTION_NAME']) }
      : {}),
  };
}

const powertoolsLogger = new PowertoolsLogger({ serviceName: 'rootkey-slack' });
const handle = createSlackLambdaHandler(() => awsSlackSetup(process.env));

/** The Lambda entry (API Gateway REST proxy or a Function URL): `slack-app/lambda-handler.handler`. */
export async function handler(
  event: AwsEvent | DeferredSlackRequest<AwsEvent>,
  context: Context,
): Promise<AwsResponse> {
  powertoolsLogger.addContext(context);
  try {
    return await handle(event, context);
  } catch (error) {
    const { name, message } = describeError(error);
    powertoolsLogger.error('Slack request failed', { errorName: name, errorMessage: message });
    // A deferred click fails its asynchronous invocation, so that Lambda retries it and then sends it
    // to the dead-letter queue (whose depth raises the alarm); Slack's own request gets a 500.
    if (isDeferredSlackRequest(event)) throw error;
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
