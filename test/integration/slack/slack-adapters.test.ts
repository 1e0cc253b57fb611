import { WebClient } from '@slack/web-api';
import { SlackApproverDirectory } from '../../../functions/adapters/slack/slack-approver-directory';
import { SlackNotifier } from '../../../functions/adapters/slack/slack-notifier';
import type { Case } from '../../../functions/core/case';
import { runbookForCase } from '../../../functions/core/runbook';
import { APPROVAL_MESSAGE, awaitingCase, manualClock, NOW, runbookCase } from '../../support/slack/case-fixture';
import { SlackWebApiDouble } from '../../support/slack/slack-web-api-double';

const BOT_TOKEN = 'xoxb-adapter-test';

describe('Slack adapters against the Web API double', () => {
  let slack: SlackWebApiDouble;
  let client: WebClient;

  beforeEach(async () => {
    slack = new SlackWebApiDouble(BOT_TOKEN);
    await slack.start();
    client = new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  });

  afterEach(async () => {
    expect(slack.everythingSent()).not.toContain('SECRET-TASK-TOKEN');
    await slack.stop();
  });

  describe('SlackApproverDirectory', () => {
    it('resolves the user group and caches it for a minute', async () => {
      // Prepare
      slack.groups.set('S0SECURITY', ['U0ALICE']);
      const clock = manualClock();
      const directory = new SlackApproverDirectory({ client, groupId: 'S0SECURITY', userIds: ['U0BOB'], clock });
      // Act
      const first = await directory.approverIds();
      slack.groups.set('S0SECURITY', ['U0CAROL']);
      clock.advance(59);
      const cached = await directory.approverIds();
      clock.advance(2);
      const refreshed = await directory.approverIds();
      // Assess
      expect([...first].sort()).toEqual(['U0ALICE', 'U0BOB']);
      expect(cached).toBe(first);
      expect([...refreshed].sort()).toEqual(['U0BOB', 'U0CAROL']);
      expect(slack.callsTo('usergroups.users.list').map((c) => c.args.usergroup)).toEqual(['S0SECURITY', 'S0SECURITY']);
    });

    it('asks Slack once for many simultaneous clicks', async () => {
      slack.groups.set('S0SECURITY', ['U0ALICE']);
      const directory = new SlackApproverDirectory({ client, groupId: 'S0SECURITY', clock: manualClock() });
      await Promise.all(Array.from({ length: 20 }, () => directory.approverIds()));
      expect(slack.callsTo('usergroups.users.list')).toHaveLength(1);
    });

    it('fails instead of authorizing anyone when the group cannot be read', async () => {
      const directory = new SlackApproverDirectory({ client, groupId: 'S0MISSING', clock: manualClock() });
      await expect(directory.approverIds()).rejects.toThrow('no_such_subteam');
    });

    it('describes the approvers for refusals', () => {
      const directory = new SlackApproverDirectory({ client, groupId: 'S0SECURITY', userIds: ['U0BOB'] });
      expect(directory.describe()).toBe('members of <!subteam^S0SECURITY> and <@U0BOB>');
    });
  });

  describe('SlackNotifier', () => {
    function notifier() {
      return new SlackNotifier({ client, channel: 'C0SECURITY', escalationMention: 'S0ONCALL', clock: manualClock() });
    }

    it('posts the approval request to the channel and returns where it went', async () => {
      const c = awaitingCase({ message: null });
      const ref = await notifier().requestApproval(c);
      const post = slack.callsTo('chat.postMessage')[0]!;
      expect(ref).toEqual({ channel: 'C0SECURITY', ts: '1780315200.000001' });
      expect(post.token).toBe(BOT_TOKEN);
      expect(post.args).toMatchObject({ channel: 'C0SECURITY', unfurl_links: 'false' });
      expect(JSON.stringify(post.args.blocks)).toContain(c.caseId);
    });

    it('reminds in the thread and broadcasts the escalation with its mention', async () => {
      const c = awaitingCase();
      await notifier().remind(c, 1, false);
      await notifier().remind(c, 2, true);
      const [first, second] = slack.callsTo('chat.postMessage');
      expect(first!.args).toMatchObject({ thread_ts: APPROVAL_MESSAGE.ts, reply_broadcast: 'false' });
      expect(second!.args).toMatchObject({ thread_ts: APPROVAL_MESSAGE.ts, reply_broadcast: 'true' });
      expect(String(second!.args.text)).toContain('<!subteam^S0ONCALL>');
    });

    it('replaces the buttons of the request by the decision', async () => {
      const c: Case = {
        ...awaitingCase({ token: null }),
        status: 'deleting',
        decision: {
          action: 'delete',
          approvers: [{ userId: 'U0ALICE', action: 'delete', at: NOW.toISOString() }],
          decidedAt: NOW.toISOString(),
          approvedKeys: [],
        },
      };
      await notifier().showDecision(c);
      const update = slack.callsTo('chat.update')[0]!;
      expect(update.args).toMatchObject({ channel: APPROVAL_MESSAGE.channel, ts: APPROVAL_MESSAGE.ts });
      expect((update.args.blocks as { type: string }[]).some((b) => b.type === 'actions')).toBe(false);
    });

    it('posts progress, runbook steps and the outcome into the thread', async () => {
      const c = runbookCase('x');
      const n = notifier();
      await n.progress(c, 'Deleting <1> key');
      await n.runbookStep(c, runbookForCase(c, NOW).steps[0]!.id);
      await n.outcome({ ...c, status: 'remediated' }, { digest: 'ab12', reportLocation: 's3://evidence/RK.html' });
      const posts = slack.callsTo('chat.postMessage');
      expect(posts.map((p) => p.args.thread_ts)).toEqual([
        APPROVAL_MESSAGE.ts,
        APPROVAL_MESSAGE.ts,
        APPROVAL_MESSAGE.ts,
      ]);
      expect(String(posts[0]!.args.text)).toContain('Deleting &lt;1&gt; key');
      expect(JSON.stringify(posts[1]!.args.blocks)).toContain('rootkey.runbook-step:');
      expect(String(posts[2]!.args.text)).toContain('sha256:ab12');
    });

    it('rewrites the approval message to end with the outcome, the evidence digest and a report link', async () => {
      const c = runbookCase('x');
      const n = new SlackNotifier({
        client,
        channel: 'C0SECURITY',
        clock: manualClock(),
        reportUrl: (location) => `http://127.0.0.1:3000/evidence/reports/${location.split('/').at(-1)}`,
      });
      const closed: Case = {
        ...c,
        status: 'remediated',
        outcome: { status: 'remediated', summary: 'The key is gone.', at: NOW.toISOString() },
      };

      await n.outcome(closed, { digest: 'ab12', reportLocation: '/data/evidence/reports/RK-1.html' });

      const update = slack.callsTo('chat.update').at(-1)!;
      expect(update.args).toMatchObject({ channel: APPROVAL_MESSAGE.channel, ts: APPROVAL_MESSAGE.ts });
      const blocks = JSON.stringify(update.args.blocks);
      expect(blocks).not.toContain('Guided manual removal');
      const last = (update.args.blocks as { text?: { text: string } }[]).at(-1)!.text!.text;
      expect(last).toMatch(/^:white_check_mark: \*Remediated\*.*The key is gone\./);
      expect(last).toContain('Evidence: `sha256:ab12`');
      expect(last).toContain('<http://127.0.0.1:3000/evidence/reports/RK-1.html|Open the report>');
      const post = slack.callsTo('chat.postMessage').at(-1)!;
      expect(String(post.args.text)).toContain('<http://127.0.0.1:3000/evidence/reports/RK-1.html|Open the report>');
    });

    it('posts nothing for a compliant account that never needed anyone', async () => {
      const c: Case = {
        ...awaitingCase({ message: null, token: null }),
        status: 'compliant',
        outcome: { status: 'compliant', summary: 'No root access key.', at: NOW.toISOString() },
      };

      await notifier().outcome(c, { digest: 'ab12' });

      expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
      expect(slack.callsTo('chat.update')).toHaveLength(0);
    });
  });
});
