import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { WebClient } from '@slack/web-api';
import { parseSlackSecretValue, parseSlackSettings } from '../../../slack-app/config';
import { SlackNotifier } from '../../adapters/slack/slack-notifier';
import type { NotifierPort } from '../../ports/notifier';
import { requireEnv } from '../env';
import { lazyPort, WORKFLOW_ENV, type Env } from '../workflow-env';

/** Seconds the Slack secret is cached per container: a rotated token is picked up within minutes. */
const SECRET_MAX_AGE_SECONDS = 300;

/**
 * The Slack notifier over the bot token from Secrets Manager (Powertools parameters, cached). The
 * secret is fetched on the first message, not at cold start. Only tasks that post import this
 * module, so only their bundles carry `@slack/web-api`.
 */
export function awsNotifier(env: Env): NotifierPort {
  const secretArn = requireEnv(env, WORKFLOW_ENV.slackSecretArn);
  const settings = parseSlackSettings(env);
  return lazyPort(async () => {
    const secret = await getSecret(secretArn, { transform: 'json', maxAge: SECRET_MAX_AGE_SECONDS });
    const { botToken } = parseSlackSecretValue(secret);
    return new SlackNotifier({
      client: new WebClient(botToken, settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {}),
      channel: settings.channel,
      ...(settings.escalationMention ? { escalationMention: settings.escalationMention } : {}),
    });
  });
}
