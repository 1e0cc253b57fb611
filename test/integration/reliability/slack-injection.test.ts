import { WebClient } from '@slack/web-api';
import fc from 'fast-check';
import { SlackNotifier } from '../../../functions/adapters/slack/slack-notifier';
import type { Case, Decision } from '../../../functions/core/case';
import { buildRunbook } from '../../../functions/core/runbook';
import { hostileString } from '../../support/reliability/json-mutations';
import { ReliabilityRecorder } from '../../support/reliability/reliability-results';
import { quietLogger } from '../../support/reliability/reliability-world';
import { sentTexts, unexpectedMarkup } from '../../support/reliability/slack-markup-scan';
import { awaitingCase, NOW } from '../../support/slack/case-fixture';
import { SlackWebApiDouble } from '../../support/slack/slack-web-api-double';

/**
 * Text from outside — account names, key metadata AWS reports, approvers' names and reasons, who
 * asked for a check, error messages — must never become Slack markup: no `<!channel>`, `<@U…>`,
 * `<!subteam^…>`, `<http://…|…>` and no bare `@channel` in anything the app posts. Every message
 * the SlackNotifier sends goes through the real WebClient to a Web API double and is scanned.
 */

jest.setTimeout(60_000);

const BOT_TOKEN = 'xoxb-injection-test';
const ESCALATION_GROUP = 'S0ESCALATE';
const APPROVERS = ['U0ALICE', 'U0BOB'];
const recorder = new ReliabilityRecorder('slack-injection', 'test/integration/reliability/slack-injection.test.ts');
let slack: SlackWebApiDouble;
let notifier: SlackNotifier;

beforeAll(async () => {
  slack = new SlackWebApiDouble(BOT_TOKEN);
  await slack.start();
  notifier = new SlackNotifier({
    client: new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, logger: quietLogger }),
    channel: 'C0SECURITY',
    escalationMention: ESCALATION_GROUP,
    clock: { now: () => NOW },
    runbookFor: (c, now) =>
      buildRunbook({ account: c.posture.account, removalPaths: c.removalPaths, keys: c.posture.keys, now }),
  });
});

afterAll(async () => {
  await slack.stop();
  await recorder.flush();
});

/** Markup an attacker would like to see rendered, mixed into otherwise ordinary text. */
const injected = fc.oneof(
  hostileString,
  fc
    .tuple(
      fc.string({ maxLength: 10 }),
      fc.constantFrom(
        '<!channel>',
        '<!here>',
        '<!everyone>',
        '@channel',
        '@here',
        '<@U0MALLORY>',
        '<@W0MALLORY|boss>',
        '<!subteam^S0EVIL>',
        '<!subteam^S0EVIL|@security>',
        '<http://evil.example|Open the report>',
        '<https://evil.example>',
        '<mailto:x@evil.example|mail>',
        '<#C0GENERAL>',
        '<!date^1^{date}|x>',
        '&lt;!channel&gt;',
        '*bold* _it_ ~s~ `code` ```block```',
        '>quote',
        '<',
        '>',
        '|',
      ),
      fc.string({ maxLength: 10 }),
    )
    .map((parts) => parts.join('')),
);

/** A case whose every externally supplied text is hostile. */
const hostileCase = fc
  .record({
    accountName: injected,
    service: injected,
    region: injected,
    userName: injected,
    reason: injected,
    requestedBy: injected,
    postureReason: injected,
    errorMessage: injected,
  })
  .map((t): Case => {
    const base = awaitingCase({ accountName: t.accountName.slice(0, 50) });
    const key = {
      ...base.posture.keys[0]!,
      lastUsed: { date: '2026-05-30T08:15:00.000Z', service: t.service, region: t.region },
    };
    const at = NOW.toISOString();
    const decision: Decision = {
      action: 'accept-risk',
      approvers: [
        {
          userId: APPROVERS[0]!,
          userName: t.userName,
          action: 'accept-risk',
          at,
          reason: t.reason,
          expiresAt: '2026-12-31T00:00:00.000Z',
        },
        {
          userId: APPROVERS[1]!,
          userName: t.userName,
          action: 'accept-risk',
          at,
          reason: t.reason,
          expiresAt: '2026-12-31T00:00:00.000Z',
        },
      ],
      decidedAt: at,
      reason: t.reason,
      expiresAt: '2026-12-31T00:00:00.000Z',
      approvedKeys: [key.maskedId],
    };
    return {
      ...base,
      accountName: t.accountName,
      posture: {
        ...base.posture,
        account: { ...base.posture.account, name: t.accountName },
        keys: [key],
        reason: t.postureReason,
      },
      trigger: { ...base.trigger, source: 'manual', requestedBy: t.requestedBy },
      decision,
      status: 'risk-accepted',
      outcome: {
        status: 'failed',
        summary: `Risk accepted for ${t.accountName}: ${t.reason}`,
        at,
        error: { name: t.errorMessage.slice(0, 20), message: t.errorMessage },
      },
    };
  });

describe('external text in Slack messages', () => {
  it('never turns account names, key metadata, names, reasons or errors into mentions, broadcasts or links', async () => {
    // Prepare
    let cases = 0;
    let messages = 0;
    let texts = 0;
    const findings: string[] = [];
    // Act
    await fc.assert(
      fc.asyncProperty(hostileCase, async (c) => {
        const from = slack.calls.length;
        const waiting: Case = { ...c, status: 'awaiting-approval', decision: undefined } as Case;
        await notifier.requestApproval(waiting);
        await notifier.remind(waiting, 1, false);
        await notifier.remind(waiting, 2, true);
        await notifier.showDecision(c);
        await notifier.progress(c, `${c.decision!.approvers[0]!.userName} asked to verify now; checking the account.`);
        const inRunbook: Case = { ...c, status: 'runbook' };
        const runbook = buildRunbook({
          account: c.posture.account,
          removalPaths: c.removalPaths,
          keys: c.posture.keys,
          now: NOW,
        });
        for (const step of runbook.steps) await notifier.runbookStep(inRunbook, step.id);
        await notifier.outcome(c, { digest: 'a'.repeat(64), reportLocation: `/tmp/${c.accountName}.html` });
        await notifier.outcome(c, { digest: 'b'.repeat(64), reportLocation: `https://evil.example/|<!channel>` });
        const calls = slack.calls.slice(from);
        cases += 1;
        messages += calls.length;
        texts += sentTexts(calls).length;
        for (const f of unexpectedMarkup(calls, { userIds: APPROVERS, groupIds: [ESCALATION_GROUP] })) {
          findings.push(`${f.method} ${f.path}: ${f.sequence} in ${JSON.stringify(f.text.slice(0, 200))}`);
        }
      }),
      { numRuns: 40, seed: 20261128 },
    );
    // Assess
    recorder.add({
      id: 'forgery.slack-markup-injection',
      section: 'forgery',
      title: 'Slack markup injected through external text (notifier)',
      injected: `${cases} cases with hostile account names, key service/region, approver names, reasons, requester, errors; ${messages} messages (request, reminders, decision, progress, every runbook step, outcomes)`,
      outcome: `${texts} mrkdwn texts scanned; ${findings.length} unexpected mentions, broadcasts or links`,
      counts: { cases, messages, textsScanned: texts, injected: findings.length },
      holds: findings.length === 0,
    });
    expect(findings.slice(0, 10)).toEqual([]);
    expect(texts).toBeGreaterThanOrEqual(messages);
  });
});
