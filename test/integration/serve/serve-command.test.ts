import { join } from 'node:path';
import { main } from '../../../cli/main';
import { maskAccessKeyId } from '../../../functions/core/root-key';
import { ACTION_IDS } from '../../../functions/adapters/slack/blocks/ids';
import {
  ALICE,
  BOB,
  CHANNEL,
  DELETE_POLICY,
  eventually,
  MALLORY,
  SIGNING_SECRET,
  useServeWorld,
  WORKLOAD,
  WORKLOAD_KEYS,
} from '../../support/serve/serve-fixture';
import { startServe, runServe, type ServeProcess } from '../../support/serve/serve-process';
import { buttonClickBody, sendToSlackApp, type SlackUser } from '../../support/slack/signed-requests';

jest.setTimeout(300_000);

interface CaseSummary {
  caseId: string;
  accountId: string;
  status: string;
  reportUrl?: string;
}

async function casesOf(serve: ServeProcess): Promise<CaseSummary[]> {
  const res = await fetch(`${serve.url}/api/cases`);
  return ((await res.json()) as { cases: CaseSummary[] }).cases;
}

describe('rootkey serve as a child process against an AWS endpoint double and a Slack Web API double', () => {
  const running: ServeProcess[] = [];
  // Declared before the world so that it runs first: the processes stop before their data directory goes.
  afterEach(async () => {
    for (const serve of running.splice(0)) await serve.stop('SIGKILL');
  });
  const world = useServeWorld();

  const start = async (args: string[], extra?: NodeJS.ProcessEnv) => {
    const { dataDir, env } = world();
    const serve = await startServe(['--data-dir', dataDir, '--port', '0', ...args], env(extra));
    running.push(serve);
    return serve;
  };

  const click = (serve: ServeProcess, user: SlackUser, caseId: string, messageTs: string) =>
    sendToSlackApp(
      `${serve.url}/slack/events`,
      buttonClickBody({ user, actionId: ACTION_IDS.delete, value: caseId, channel: CHANNEL, messageTs }),
      { signingSecret: SIGNING_SECRET },
    );

  /** The approval request posted for `caseId` (the message whose buttons carry the case id). */
  const approvalRequests = (caseId: string) =>
    world()
      .slack.callsTo('chat.postMessage')
      .filter((c) => JSON.stringify(c.args['blocks'] ?? []).includes(ACTION_IDS.delete) && c.raw.includes(caseId));

  it('sweeps, asks for approval, refuses an outsider, deletes exactly the approved keys after an approver clicks, resolves the finding and leaves evidence that verifies', async () => {
    // Prepare
    const { aws, slack, dataDir } = world();
    const serve = await start([]);
    const workloadCase = await eventually(
      async () => (await casesOf(serve)).find((c) => c.accountId === WORKLOAD && c.status === 'awaiting-approval'),
      'the approval request of the workload account',
    );
    const request = await eventually(() => approvalRequests(workloadCase.caseId)[0], 'the approval message');
    const shown = JSON.stringify(request.args['blocks']);
    for (const key of WORKLOAD_KEYS) {
      expect(shown).toContain(maskAccessKeyId(key));
      expect(shown).not.toContain(key);
    }
    const ts = await approvalMessageTs(serve, workloadCase.caseId);
    // The compliant accounts' checks close as compliant (evidence, no approval request).
    await eventually(async () => {
      const others = (await casesOf(serve)).filter((c) => c.accountId !== WORKLOAD);
      return others.length === 2 && others.every((c) => c.status === 'compliant') ? others : undefined;
    }, 'the compliant accounts to be recorded as compliant');

    // Act: an outsider clicks Delete
    const refused = await click(serve, MALLORY, workloadCase.caseId, ts);

    // Assess: acknowledged, told no, nothing deleted
    expect(refused.status).toBe(200);
    await eventually(
      () => slack.callsTo('chat.postEphemeral').find((c) => c.args['user'] === MALLORY.id),
      'the refusal shown to the outsider',
    );
    expect(aws.callsTo('DeleteAccessKey')).toEqual([]);
    expect((await casesOf(serve)).find((c) => c.caseId === workloadCase.caseId)?.status).toBe('awaiting-approval');

    // Act: an approver clicks Delete
    const approved = await click(serve, ALICE, workloadCase.caseId, ts);

    // Assess: AssumeRoot with the delete task policy, then exactly the two keys the approver saw
    expect(approved.status).toBe(200);
    const done = await eventually(
      async () => (await casesOf(serve)).find((c) => c.caseId === workloadCase.caseId && c.status === 'remediated'),
      'the case to be remediated',
    );
    const deleteSessions = aws.callsTo('AssumeRoot').filter((c) => c.params['TaskPolicyArn.arn'] === DELETE_POLICY);
    expect(deleteSessions.map((c) => c.params['TargetPrincipal'])).toEqual([WORKLOAD]);
    const deletions = aws.callsTo('DeleteAccessKey');
    expect(deletions.map((c) => c.params['AccessKeyId']).sort()).toEqual(WORKLOAD_KEYS);
    for (const d of deletions) {
      expect(d.caller).toEqual({ kind: 'root-session', accountId: WORKLOAD, taskPolicyArn: DELETE_POLICY });
      expect(d.params['UserName']).toBeUndefined();
    }
    expect(aws.account(WORKLOAD).keys).toEqual([]);
    // Verification read the account again after the deletion.
    const lastDelete = aws.calls.lastIndexOf(deletions.at(-1)!);
    expect(aws.calls.slice(lastDelete).some((c) => c.action === 'GetAccountSummary')).toBe(true);
    // The finding is RESOLVED with a note.
    expect(aws.findings[0]?.WorkflowStatus).toBe('RESOLVED');
    expect(aws.findings[0]?.Notes.join('\n')).toContain(workloadCase.caseId);
    const reportUrl = await eventually(
      async () => (await casesOf(serve)).find((c) => c.caseId === done.caseId)?.reportUrl,
      'the case report',
    );
    expect(reportUrl).toBe(`/evidence/reports/${workloadCase.caseId}.html`);
    // The dashboard shows it, read-only.
    const page = await (await fetch(`${serve.url}/`)).text();
    expect(page).toContain(workloadCase.caseId);
    expect(page).toContain('remediated');
    expect(page).not.toMatch(/<form|<script|<button/i);

    // Evidence verifies, as `rootkey evidence verify` sees it.
    let out = '';
    const code = await main(['evidence', 'verify', dataDir, '--require-complete'], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (out += s) },
      env: {},
    });
    expect(code).toBe(0);
    expect(out).toContain('INTACT');
    expect(out).toMatch(/cases:\s+3 \(3 closed, 0 open\)/);
    const report = await (await fetch(`${serve.url}${reportUrl}`)).text();
    expect(report).toContain('remediated');

    // SIGTERM ends it within a few seconds.
    const stopped = await serve.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5000);
  });

  it('resumes a case awaiting approval after a restart: the first vote is kept, the same message keeps working, and the second approver completes the removal', async () => {
    // Prepare: four-eyes, first vote before the stop
    const { aws } = world();
    const first = await start([], { REQUIRED_APPROVALS: '2' });
    const pending = await eventually(
      async () => (await casesOf(first)).find((c) => c.accountId === WORKLOAD && c.status === 'awaiting-approval'),
      'the approval request',
    );
    const request = await eventually(() => approvalRequests(pending.caseId)[0], 'the approval message');
    expect(request.args['channel']).toBe(CHANNEL);
    const ts = await approvalMessageTs(first, pending.caseId);
    expect((await click(first, ALICE, pending.caseId, ts)).status).toBe(200);
    await eventually(async () => {
      const detail = (await (await fetch(`${first.url}/api/cases/${pending.caseId}`)).json()) as {
        approval?: { votes: unknown[] };
      };
      return (detail.approval?.votes.length ?? 0) === 1 || undefined;
    }, 'the first vote to be recorded');
    const stopped = await first.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5000);
    expect(aws.callsTo('DeleteAccessKey')).toEqual([]);

    // Act: start again (no sweep: nothing but the resume may touch the case), second approver clicks the same message
    const second = await start(['--no-sweep']);
    expect(second.stdout()).toContain('Resumed:   1 open case(s)');
    expect((await casesOf(second)).find((c) => c.caseId === pending.caseId)?.status).toBe('awaiting-approval');
    expect((await click(second, BOB, pending.caseId, ts)).status).toBe(200);

    // Assess
    await eventually(
      async () => (await casesOf(second)).find((c) => c.caseId === pending.caseId && c.status === 'remediated'),
      'the resumed case to be remediated',
    );
    expect(aws.account(WORKLOAD).keys).toEqual([]);
    expect(approvalRequests(pending.caseId)).toHaveLength(1);
    const detail = (await (await fetch(`${second.url}/api/cases/${pending.caseId}`)).json()) as {
      decision: { approvers: { userId: string }[] };
    };
    expect(detail.decision.approvers.map((a) => a.userId).sort()).toEqual([ALICE.id, BOB.id]);
    expect(JSON.stringify(detail)).not.toContain('local-task-token');
  });

  it('exits 2 naming every missing or malformed setting, before calling AWS or Slack', async () => {
    // Act
    const { aws, slack, dataDir, home } = world();
    const result = await runServe(
      ['--data-dir', dataDir, '--port', 'eighty', '--sweep-every', '90 minutes', '--security-hub-region', 'mars'],
      {
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
        AWS_ENDPOINT_URL: aws.url,
        SLACK_BOT_TOKEN: 'not-a-bot-token',
        SLACK_API_URL: slack.apiUrl,
        SLACK_CHANNEL: '#root-keys',
        EVIDENCE_SIGNING_KEY_ARN: 'my-key',
      },
    );

    // Assess
    expect(result.code).toBe(2);
    for (const name of [
      '--port',
      '--sweep-every',
      '--security-hub-region',
      'EVIDENCE_SIGNING_KEY_ARN',
      'AWS_REGION',
      'SLACK_CHANNEL',
      'SLACK_APPROVER_GROUP',
      'SLACK_SIGNING_SECRET',
      'SLACK_BOT_TOKEN',
    ]) {
      expect(result.stderr).toContain(name);
    }
    expect(result.stderr).not.toContain('not-a-bot-token');
    expect(aws.calls).toEqual([]);
    expect(slack.calls).toEqual([]);
  });
});

/** The approval message's ts as the case stored it (what Slack's click payload carries). */
async function approvalMessageTs(serve: ServeProcess, caseId: string): Promise<string> {
  const detail = (await (await fetch(`${serve.url}/api/cases/${caseId}`)).json()) as {
    approval?: { message?: { channel: string; ts: string } };
  };
  const message = detail.approval?.message;
  if (!message) throw new Error(`case ${caseId} has no approval message`);
  expect(message.channel).toBe(CHANNEL);
  return message.ts;
}
