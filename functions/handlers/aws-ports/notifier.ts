import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { WebClient } from '@slack/web-api';
import { parseSlackSecretValue, parseSlackSettings } from '../../adapters/slack/slack-config';
import { s3ConsoleUrl } from '../../adapters/aws/s3-console-url';
import { SlackNotifierBase } from '../../adapters/slack/slack-notifier-base';
import type { Runbook } from '../../core/runbook';
import type { Case } from '../../core/case';
import { PortNotWiredError } from '../task-ports';
import { requireEnv } from '../env';
import { lazyPort, WORKFLOW_ENV, type Env } from '../workflow-env';

/** Seconds the Slack secret is cached per container: a rotated token is picked up within minutes. */
const SECRET_MAX_AGE_SECONDS = 300;

/** A task whose function renders no runbook step: asking it to is a wiring error, not a silent default. */
function noRunbook(c: Case): Runbook {
  throw new PortNotWiredError('runbook renderer', `notifier of case ${c.caseId}`);
}

/**
 * The Slack notifier over the bot token from Secrets Manager (Powertools parameters, cached). The
 * secret is fetched on the first message, not at cold start. Only tasks that post import this
 * module, so only their bundles carry `@slack/web-api`. `runbookFor` renders runbook steps; only the
 * tasks that post them pass it (`awsRunbookNotifier`), so the others do not carry `core/runbook`.
 * Reports (`s3://` locations in the evidence bucket) are shown as links to the object's page in the
 * S3 console of the function's Region, where the bucket is (see `s3ConsoleUrl` for why not a
 * pre-signed URL).
 */
export function awsNotifier(env: Env, runbookFor: (c: Case, now: Date) => Runbook = noRunbook): SlackNotifierBase {
  const secretArn = requireEnv(env, WORKFLOW_ENV.slackSecretArn);
  const settings = parseSlackSettings(env);
  const region = env.AWS_REGION;
  return lazyPort<SlackNotifierBase>(async () => {
    const secret = await getSecret(secretArn, { transform: 'json', maxAge: SECRET_MAX_AGE_SECONDS });
    const { botToken } = parseSlackSecretValue(secret);
    return new SlackNotifierBase({
      client: new WebClient(botToken, settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {}),
      channel: settings.channel,
      runbookFor,
      reportUrl: (location) => s3ConsoleUrl(location, region),
      ...(settings.escalationMention ? { escalationMention: settings.escalationMention } : {}),
    });
  });
}
