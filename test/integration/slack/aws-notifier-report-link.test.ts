import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { Case } from '../../../functions/core/case';
import { awsNotifier } from '../../../functions/handlers/aws-ports/notifier';
import { APPROVAL_MESSAGE, NOW, runbookCase } from '../../support/slack/case-fixture';
import { SlackWebApiDouble } from '../../support/slack/slack-web-api-double';

const BOT_TOKEN = 'xoxb-aws-notifier-test';
const secrets = mockClient(SecretsManagerClient);

describe('the AWS notifier (Lambda wiring) and report links', () => {
  let slack: SlackWebApiDouble;

  beforeEach(async () => {
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ signingSecret: 'signing', botToken: BOT_TOKEN }),
    });
    slack = new SlackWebApiDouble(BOT_TOKEN);
    await slack.start();
  });

  afterEach(async () => {
    await slack.stop();
  });

  it('shows the report in the evidence bucket as a link to its S3 console page, not as a path', async () => {
    // Prepare: the env a record-outcome function has in eu-west-1.
    const notifier = awsNotifier({
      AWS_REGION: 'eu-west-1',
      SLACK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:rootkey-slack',
      SLACK_CHANNEL: 'C0SECURITY',
      SLACK_APPROVERS: 'U0ALICE',
      SLACK_API_URL: slack.apiUrl,
    });
    const closed: Case = {
      ...runbookCase('x'),
      status: 'remediated',
      outcome: { status: 'remediated', summary: 'The key is gone.', at: NOW.toISOString() },
    };

    // Act
    await notifier.outcome(closed, {
      digest: 'ab12',
      reportLocation: 's3://rootkey-evidence-222222222222/reports/RK-1.html',
    });

    // Assess: the thread reply and the rewritten approval message both link to the console page.
    const link =
      '<https://console.aws.amazon.com/s3/object/rootkey-evidence-222222222222?region=eu-west-1&amp;prefix=reports%2FRK-1.html|Open the report>';
    const reply = slack.callsTo('chat.postMessage').at(-1)!;
    expect(reply.args).toMatchObject({ channel: APPROVAL_MESSAGE.channel, thread_ts: APPROVAL_MESSAGE.ts });
    expect(String(reply.args.text)).toContain(link);
    expect(String(reply.args.text)).not.toContain('s3://');
    expect(JSON.stringify(slack.callsTo('chat.update').at(-1)!.args.blocks)).toContain(
      'console.aws.amazon.com/s3/object/rootkey-evidence-222222222222',
    );
  });
});
