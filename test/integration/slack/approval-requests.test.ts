import type { Case, Decision } from '../../../functions/core/case';
import { awaitingCase, APPROVAL_MESSAGE } from '../../support/slack/case-fixture';
import { buttonClickBody, signSlackRequest } from '../../support/slack/signed-requests';
import { ACTION_IDS } from '../../../functions/adapters/slack/blocks/ids';
import {
  ALICE,
  BOB,
  CHANNEL,
  CROWD,
  eventually,
  MALLORY,
  startSlackAppHarness,
  type SlackAppHarness,
} from './slack-app-harness';

const TOKEN = 'SECRET-TASK-TOKEN-approval-1';

/** Blocks of the last chat.update the app sent. */
function lastUpdate(h: SlackAppHarness): { type: string; text?: { text: string }; elements?: unknown[] }[] {
  return h.slack.callsTo('chat.update').at(-1)!.args.blocks as { type: string; text?: { text: string } }[];
}

function ephemeralTo(h: SlackAppHarness, userId: string): string[] {
  return h.slack
    .callsTo('chat.postEphemeral')
    .filter((c) => c.args.user === userId)
    .map((c) => String(c.args.text));
}

describe('Slack approval requests over signed HTTP', () => {
  let h: SlackAppHarness;
  const c = awaitingCase();

  afterEach(async () => {
    // Whatever happened, the task token never went to Slack.
    expect(h.slack.everythingSent()).not.toContain(TOKEN);
    await h.stop();
  });

  it('refuses a forged signature with 401 and changes nothing', async () => {
    // Prepare
    h = await startSlackAppHarness([c]);
    const body = buttonClickBody({
      user: ALICE,
      actionId: ACTION_IDS.delete,
      value: c.caseId,
      channel: CHANNEL,
      messageTs: APPROVAL_MESSAGE.ts,
    });
    const forged = signSlackRequest('not-the-signing-secret', body)['x-slack-signature'];
    // Act
    const response = await h.send(body, { signature: forged });
    // Assess
    expect(response.status).toBe(401);
    expect(await h.cases.get(c.caseId)).toEqual(c);
    expect(h.callbacks.successes).toHaveLength(0);
    expect(h.slack.calls).toHaveLength(0);
  });

  it('refuses a correctly signed but stale request (replay) with 401 and changes nothing', async () => {
    h = await startSlackAppHarness([c]);
    const body = buttonClickBody({
      user: ALICE,
      actionId: ACTION_IDS.delete,
      value: c.caseId,
      channel: CHANNEL,
      messageTs: APPROVAL_MESSAGE.ts,
    });
    const response = await h.send(body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(response.status).toBe(401);
    expect(await h.cases.get(c.caseId)).toEqual(c);
    expect(h.callbacks.successes).toHaveLength(0);
  });

  it("decides on an approver's click: case updated, decision sent to the workflow, buttons replaced", async () => {
    // Prepare
    h = await startSlackAppHarness([c]);
    // Act
    const response = await h.click(ALICE, ACTION_IDS.delete, c.caseId);
    // Assess
    expect(response.status).toBe(200);
    const stored = await h.cases.get(c.caseId);
    expect(stored.decision).toMatchObject({ action: 'delete', approvers: [{ userId: ALICE.id, userName: 'alice' }] });
    expect(stored.pendingTask).toBeUndefined();
    expect(h.callbacks.successes).toEqual([{ token: TOKEN, output: stored.decision }]);
    const update = h.slack.callsTo('chat.update').at(-1)!;
    expect(update.args).toMatchObject({ channel: APPROVAL_MESSAGE.channel, ts: APPROVAL_MESSAGE.ts });
    const blocks = lastUpdate(h);
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(blocks)).toContain('decided by <@U0ALICE>');
    expect(h.slack.callsTo('chat.postMessage').at(-1)!.args).toMatchObject({ thread_ts: APPROVAL_MESSAGE.ts });
    expect(h.evidence.ofType('decision')).toHaveLength(1);
  });

  it('still announces the decision in the thread when Slack refuses to update the approval message', async () => {
    // Prepare: the approval message was deleted meanwhile (chat.update fails; not retried).
    h = await startSlackAppHarness([c]);
    h.slack.failNext('chat.update', 'message_not_found');
    // Act
    const response = await h.click(ALICE, ACTION_IDS.delete, c.caseId);
    // Assess: the decision stands and reached the workflow; the thread reply went out all the same.
    expect(response.status).toBe(200);
    expect((await h.cases.get(c.caseId)).decision).toMatchObject({ action: 'delete' });
    expect(h.callbacks.successes).toHaveLength(1);
    expect(h.slack.callsTo('chat.update')).toHaveLength(1);
    const reply = h.slack.callsTo('chat.postMessage').at(-1)!;
    expect(reply.args).toMatchObject({ thread_ts: APPROVAL_MESSAGE.ts });
    expect(String(reply.args.text)).toContain('decided by alice');
  });

  it("refuses an outsider's click ephemerally and changes nothing", async () => {
    h = await startSlackAppHarness([c]);
    const response = await h.click(MALLORY, ACTION_IDS.delete, c.caseId);
    expect(response.status).toBe(200);
    expect(ephemeralTo(h, MALLORY.id)).toEqual([expect.stringContaining('You are not an approver')]);
    expect(await h.cases.get(c.caseId)).toEqual(c);
    expect(h.callbacks.successes).toHaveLength(0);
    expect(h.slack.callsTo('chat.update')).toHaveLength(0);
    expect(h.evidence.events).toHaveLength(0);
  });

  it('turns fifty concurrent clicks into one decision and tells the other 49 who decided', async () => {
    // Prepare
    h = await startSlackAppHarness([c]);
    // Act
    const responses = await Promise.all(
      CROWD.map((user, i) => h.click(user, i % 2 ? ACTION_IDS.delete : ACTION_IDS.runbook, c.caseId)),
    );
    // Assess
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(h.callbacks.successes).toHaveLength(1);
    const decision = (await h.cases.get(c.caseId)).decision!;
    expect(h.callbacks.successes[0]!.output).toEqual(decision);
    const answers = h.slack.callsTo('chat.postEphemeral');
    expect(answers).toHaveLength(49);
    const decider = decision.approvers[0]!.userId;
    for (const a of answers) {
      expect(a.args.user).not.toBe(decider);
      expect(String(a.args.text)).toContain(`Already decided by <@${decider}>`);
    }
    expect(h.evidence.ofType('decision')).toHaveLength(1);
  });

  it('records the reason and expiry given in the reject modal, after refusing an incomplete form', async () => {
    // Prepare
    h = await startSlackAppHarness([c]);
    await h.click(BOB, ACTION_IDS.reject, c.caseId);
    const opened = h.slack.callsTo('views.open')[0]!;
    const view = opened.args.view as Record<string, unknown>;
    // Act
    const incomplete = await h.submitView(BOB, view, '   ', '2026-05-01');
    const complete = await h.submitView(
      BOB,
      view,
      'Owned by the mainframe bridge; replaced in Q3 <!channel>',
      '2026-09-30',
    );
    // Assess
    expect(opened.args.trigger_id).toBe(`${BOB.id}.trigger`);
    expect(JSON.parse(incomplete.body)).toEqual({
      response_action: 'errors',
      errors: {
        'rootkey.exception.reason': expect.any(String),
        'rootkey.exception.expiry': 'Choose a date in the future.',
      },
    });
    expect(complete).toEqual({ status: 200, body: '' });
    const decision = (await h.cases.get(c.caseId)).decision!;
    expect(decision).toMatchObject({
      action: 'reject',
      reason: 'Owned by the mainframe bridge; replaced in Q3 <!channel>',
      expiresAt: '2026-09-30T00:00:00.000Z',
      approvers: [{ userId: BOB.id }],
    });
    expect(h.callbacks.successes).toEqual([{ token: TOKEN, output: decision }]);
    // The reason appears in the updated message, escaped: no channel-wide mention.
    const shown = JSON.stringify(lastUpdate(h));
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown).not.toContain('<!channel>');
  });

  it('requires an expiry within 365 days to accept the risk', async () => {
    h = await startSlackAppHarness([c]);
    await h.click(ALICE, ACTION_IDS.acceptRisk, c.caseId);
    const view = h.slack.callsTo('views.open')[0]!.args.view as Record<string, unknown>;
    const missing = await h.submitView(ALICE, view, 'Batch job owner is migrating', null);
    const tooFar = await h.submitView(ALICE, view, 'Batch job owner is migrating', '2027-06-02');
    const ok = await h.submitView(ALICE, view, 'Batch job owner is migrating', '2027-06-01');
    expect(JSON.parse(missing.body).errors).toEqual({
      'rootkey.exception.expiry': expect.stringContaining('Choose the date'),
    });
    expect(JSON.parse(tooFar.body).errors).toEqual({ 'rootkey.exception.expiry': expect.stringContaining('365 days') });
    expect(ok.status).toBe(200);
    expect((await h.cases.get(c.caseId)).decision).toMatchObject({
      action: 'accept-risk',
      expiresAt: '2027-06-01T00:00:00.000Z',
    });
    expect(h.callbacks.successes).toHaveLength(1);
  });

  it('opens no modal for an outsider', async () => {
    h = await startSlackAppHarness([c]);
    await h.click(MALLORY, ACTION_IDS.acceptRisk, c.caseId);
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
    expect(ephemeralTo(h, MALLORY.id)).toEqual([expect.stringContaining('not an approver')]);
  });

  it('keeps a click that lands just after the wait timed out for the next wait, and shows the decision', async () => {
    // Prepare: the workflow's wait timed out; Step Functions no longer knows the token (the reminder's wait comes next).
    h = await startSlackAppHarness([c]);
    h.callbacks.expiredTokens.add(TOKEN);
    // Act
    await h.click(ALICE, ACTION_IDS.runbook, c.caseId);
    await h.click(BOB, ACTION_IDS.delete, c.caseId);
    // Assess: the decision stays on the case (request-approval hands it to the next wait), nothing expired.
    const stored = await h.cases.get(c.caseId);
    expect(stored.status).toBe('awaiting-approval');
    expect(stored.decision).toMatchObject({ action: 'runbook', approvers: [{ userId: ALICE.id }] });
    expect(stored.outcome).toBeUndefined();
    expect(h.callbacks.successes).toHaveLength(0);
    expect(ephemeralTo(h, ALICE.id)).toEqual([]);
    expect(ephemeralTo(h, BOB.id)).toEqual([expect.stringContaining('Already decided by')]);
    const blocks = lastUpdate(h);
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(blocks)).toContain('decided by <@U0ALICE>');
  });

  it('answers a click on a request whose last wait timed out clearly, and changes nothing', async () => {
    // Prepare: every reminder went unanswered; the workflow marked the request expired and is closing the case.
    const expiring: Case = { ...c, approval: { ...c.approval!, expiredAt: '2026-06-01T11:59:00.000Z' } };
    delete expiring.pendingTask;
    h = await startSlackAppHarness([expiring]);
    // Act
    await h.click(ALICE, ACTION_IDS.runbook, c.caseId);
    // Assess
    expect(await h.cases.get(c.caseId)).toEqual(expiring);
    expect(ephemeralTo(h, ALICE.id)).toEqual([expect.stringContaining('This request expired')]);
    expect(h.callbacks.successes).toHaveLength(0);
  });

  it('needs two distinct approvers with four-eyes and refuses the same approver twice', async () => {
    // Prepare
    const fourEyes = awaitingCase({ requiredApprovals: 2 });
    h = await startSlackAppHarness([fourEyes]);
    // Act
    await h.click(ALICE, ACTION_IDS.delete, fourEyes.caseId);
    await h.click(ALICE, ACTION_IDS.delete, fourEyes.caseId);
    const afterAlice = await h.cases.get(fourEyes.caseId);
    await h.click(BOB, ACTION_IDS.delete, fourEyes.caseId);
    // Assess
    expect(afterAlice.decision).toBeUndefined();
    expect(afterAlice.approval?.votes.map((v) => v.userId)).toEqual([ALICE.id]);
    expect(ephemeralTo(h, ALICE.id)).toEqual([expect.stringContaining('Each approver counts once')]);
    expect(h.slack.callsTo('chat.postMessage')[0]!.args.text).toContain('1 of 2 needed');
    expect(h.callbacks.successes).toHaveLength(1);
    const decision = h.callbacks.successes[0]!.output as Decision;
    expect(decision.approvers.map((a) => a.userId)).toEqual([ALICE.id, BOB.id]);
  });

  it('tells the approver to try again when the workflow cannot be reached, and keeps the request open', async () => {
    h = await startSlackAppHarness([c]);
    h.callbacks.unavailable = true;
    await h.click(ALICE, ACTION_IDS.delete, c.caseId);
    expect(ephemeralTo(h, ALICE.id)).toEqual([expect.stringContaining('Nothing was decided; try again')]);
    const stored = await h.cases.get(c.caseId);
    expect(stored.decision).toBeUndefined();
    expect(stored.pendingTask).toEqual(c.pendingTask);
    expect(h.slack.callsTo('chat.update')).toHaveLength(0);
  });

  it('answers a click on a case that does not exist', async () => {
    h = await startSlackAppHarness([c]);
    await h.click(ALICE, ACTION_IDS.delete, 'RK-999999999999-20260601110000-zz99');
    expect(ephemeralTo(h, ALICE.id)).toEqual(['This case does not exist (any more). Nothing was changed.']);
  });

  it('acks before the work is done in the default mode, and the decision follows', async () => {
    h = await startSlackAppHarness([c], { processBeforeResponse: false });
    const response = await h.click(ALICE, ACTION_IDS.runbook, c.caseId);
    expect(response.status).toBe(200);
    await eventually(() => h.slack.callsTo('chat.update').length > 0);
    expect(h.callbacks.successes).toHaveLength(1);
    expect((await h.cases.get(c.caseId)).decision?.action).toBe('runbook');
  });
});
