import { runbookText } from '../../../functions/adapters/slack/blocks/runbook-step-message';
import { runbookForCase } from '../../../functions/core/runbook';
import { ACTION_IDS, runbookStepBlockId } from '../../../functions/adapters/slack/blocks/ids';
import { APPROVAL_MESSAGE, awaitingCase, NOW, runbookCase } from '../../support/slack/case-fixture';
import { buttonClickBody } from '../../support/slack/signed-requests';
import {
  ALICE,
  BOB,
  CHANNEL,
  MALLORY,
  eventually,
  startSlackAppHarness,
  type SlackAppHarness,
} from './slack-app-harness';

const RUNBOOK_TOKEN = 'SECRET-TASK-TOKEN-runbook-1';

describe('guided runbook in Slack', () => {
  let h: SlackAppHarness;
  const base = runbookCase('placeholder');
  const steps = runbookForCase(base, NOW).steps;
  const first = steps[0]!.id;
  const second = steps[1]!.id;
  const c = runbookCase(first);

  afterEach(async () => {
    expect(h.slack.everythingSent()).not.toContain(RUNBOOK_TOKEN);
    await h.stop();
  });

  it('posts a step with its exact instructions and buttons that carry only the case id', async () => {
    // Prepare
    h = await startSlackAppHarness([c]);
    // Act
    await h.app.notifier.runbookStep(c, first);
    // Assess
    const post = h.slack.callsTo('chat.postMessage')[0]!;
    expect(post.args).toMatchObject({ channel: APPROVAL_MESSAGE.channel, thread_ts: APPROVAL_MESSAGE.ts });
    const blocks = post.args.blocks as { type: string; block_id?: string; elements?: { value?: string }[] }[];
    const text = JSON.stringify(blocks);
    for (const line of steps[0]!.instructions.slice(0, 3)) {
      // A key detail ("  - AKIA…") is an indented bullet; identifiers are code spans (runbookText).
      expect(text).toContain(runbookText(line.replace(/^ {2}- /, '')).slice(0, 20));
    }
    const actions = blocks.find((b) => b.type === 'actions')!;
    expect(actions.block_id).toBe(runbookStepBlockId(first));
    expect(actions.elements!.map((e) => e.value)).toEqual([c.caseId, c.caseId]);
  });

  it('runs one verification for a "Verify now" click replayed byte for byte, even after the workflow waits again', async () => {
    // Prepare: one genuine signed click, captured.
    h = await startSlackAppHarness([c]);
    const body = buttonClickBody({
      user: ALICE,
      actionId: ACTION_IDS.verifyNow,
      value: c.caseId,
      blockId: runbookStepBlockId(first),
      channel: CHANNEL,
      messageTs: '1780315200.000200',
    });
    // Act: the click, then the workflow's next wait (the key was still there), then the replays.
    expect((await h.send(body)).status).toBe(200);
    await h.cases.update(c.caseId, (await h.cases.get(c.caseId)).version, (cur) => ({
      ...cur,
      pendingTask: {
        kind: 'runbook-step',
        token: 'SECRET-TASK-TOKEN-runbook-2',
        since: NOW.toISOString(),
        stepId: first,
      },
    }));
    const replays = await Promise.all(Array.from({ length: 5 }, () => h.send(body)));
    // Assess
    expect(replays.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(h.callbacks.successes).toHaveLength(1);
    expect((await h.cases.get(c.caseId)).pendingTask?.token).toBe('SECRET-TASK-TOKEN-runbook-2');
    await eventually(() => h.slack.callsTo('chat.postEphemeral').length >= 6);
    expect(
      h.slack.callsTo('chat.postEphemeral').filter((x) => String(x.args.text).includes('already answered')),
    ).toHaveLength(5);
  });

  it('confirms the pending step for the workflow and marks the step message done', async () => {
    // Prepare
    h = await startSlackAppHarness([c]);
    // Act
    await h.click(ALICE, ACTION_IDS.confirmStep, c.caseId, {
      blockId: runbookStepBlockId(first),
      messageTs: '1780315200.000200',
    });
    // Assess
    expect(h.callbacks.successes).toEqual([
      {
        token: RUNBOOK_TOKEN,
        output: {
          kind: 'step-confirmed',
          stepId: first,
          by: { userId: ALICE.id, userName: 'alice' },
          at: NOW.toISOString(),
        },
      },
    ]);
    const update = h.slack.callsTo('chat.update')[0]!;
    expect(update.args).toMatchObject({ ts: '1780315200.000200' });
    expect(JSON.stringify(update.args.blocks)).toContain('confirmed by <@U0ALICE>');
    expect((update.args.blocks as { type: string }[]).some((b) => b.type === 'actions')).toBe(false);
    expect((await h.cases.get(c.caseId)).pendingTask).toBeUndefined();
  });

  it("refuses an earlier step's button while a later step is pending", async () => {
    const atSecond = runbookCase(second);
    h = await startSlackAppHarness([atSecond]);
    await h.click(ALICE, ACTION_IDS.confirmStep, atSecond.caseId, { blockId: runbookStepBlockId(first) });
    expect(h.callbacks.successes).toHaveLength(0);
    expect(String(h.slack.callsTo('chat.postEphemeral')[0]!.args.text)).toContain('belongs to an earlier step');
  });

  it('asks for verification on "Verify now" and refuses outsiders', async () => {
    h = await startSlackAppHarness([c]);
    await h.click(MALLORY, ACTION_IDS.verifyNow, c.caseId);
    await h.click(BOB, ACTION_IDS.verifyNow, c.caseId);
    expect(h.callbacks.successes).toEqual([
      {
        token: RUNBOOK_TOKEN,
        output: { kind: 'verify-now', by: { userId: BOB.id, userName: 'bob' }, at: NOW.toISOString() },
      },
    ]);
    const answers = h.slack.callsTo('chat.postEphemeral').map((x) => [x.args.user, String(x.args.text)]);
    expect(answers).toEqual([
      [MALLORY.id, expect.stringContaining('Only approvers')],
      [BOB.id, expect.stringContaining('Verifying now')],
    ]);
  });
});

describe('/rootkey', () => {
  let h: SlackAppHarness;
  const open = awaitingCase({ accountName: 'payments <@U0EVIL>' });

  afterEach(async () => {
    await h.stop();
  });

  function responses(): string[] {
    return h.slack.callsTo('response_url').map((x) => String(x.args.text));
  }

  it('lists the open cases with escaped account names', async () => {
    h = await startSlackAppHarness([open]);
    const ack = await h.command(ALICE, 'status');
    expect(ack.status).toBe(200);
    expect(responses()).toEqual([expect.stringContaining('Open root access key cases (1)')]);
    expect(responses()[0]).toContain('payments &lt;@U0EVIL&gt;');
    expect(h.slack.callsTo('response_url')[0]!.args.response_type).toBe('ephemeral');
  });

  it('tells an outsider privately that status is for approvers, naming no account', async () => {
    h = await startSlackAppHarness([open]);
    const ack = await h.command(MALLORY, 'status');
    expect(ack.status).toBe(200);
    expect(responses()).toEqual([expect.stringContaining('not an approver')]);
    expect(responses()[0]).not.toContain(open.accountId);
    expect(responses()[0]).not.toContain('payments');
    expect(h.slack.callsTo('response_url')[0]!.args.response_type).toBe('ephemeral');
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('starts a check of a valid account for an approver', async () => {
    h = await startSlackAppHarness([]);
    await h.command(BOB, 'scan 444455556666');
    expect(h.starter.started).toEqual([
      { input: { source: 'manual', accountId: '444455556666', detectedAt: NOW.toISOString(), requestedBy: BOB.id } },
    ]);
    expect(responses()).toEqual([expect.stringContaining('Checking account `444455556666` now')]);
  });

  it('refuses to start a check for an outsider', async () => {
    h = await startSlackAppHarness([]);
    await h.command(MALLORY, 'scan 444455556666');
    expect(h.starter.started).toHaveLength(0);
    expect(responses()).toEqual([expect.stringContaining('not an approver')]);
  });

  it('explains the usage when the account id is not 12 digits', async () => {
    h = await startSlackAppHarness([]);
    const ack = await h.command(ALICE, 'scan 1234');
    expect(h.starter.started).toHaveLength(0);
    expect(JSON.parse(ack.body)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('12 digits'),
    });
  });

  it('answers help', async () => {
    h = await startSlackAppHarness([]);
    const ack = await h.command(ALICE, 'help');
    expect(JSON.parse(ack.body).text).toContain('/rootkey scan ACCOUNT');
  });
});
