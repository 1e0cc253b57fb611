import { ACTION_IDS } from '../../../functions/adapters/slack/blocks/ids';
import { awaitingCase } from '../../support/slack/case-fixture';
import { ALICE, eventually, startSlackAppHarness, type SlackAppHarness } from './slack-app-harness';

/**
 * One process (`rootkey serve`, the sandbox): every click is acked at once, and the clicks' work takes
 * turns (slack-app/work-after-ack.ts), so that a burst's acks never wait behind the work of earlier clicks.
 */
describe('acks first, clicks work in turns (one process)', () => {
  const a = awaitingCase({ accountId: '111111111111', caseId: 'RK-111111111111-20260601110000-aa11' });
  const b = awaitingCase({ accountId: '222222222222', caseId: 'RK-222222222222-20260601110000-bb22' });
  let h: SlackAppHarness;

  afterEach(async () => {
    await h.stop();
  });

  it('answers the second click at once while the first still works, and works the second when the turn is free', async () => {
    h = await startSlackAppHarness([a, b], { processBeforeResponse: false, ackFirst: { turns: 1, turnMs: 60_000 } });
    const releaseSlack = h.slack.holdNext('chat.update'); // the first decision's message update hangs
    expect((await h.click(ALICE, ACTION_IDS.delete, a.caseId)).status).toBe(200);
    await eventually(() => h.slack.callsTo('chat.update').length === 1);
    expect((await h.cases.get(a.caseId)).decision?.action).toBe('delete');

    // Acked while the first click holds the only turn; its vote is not recorded yet.
    expect((await h.click(ALICE, ACTION_IDS.delete, b.caseId)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await h.cases.get(b.caseId)).decision).toBeUndefined();
    expect(h.callbacks.successes).toHaveLength(1);

    releaseSlack();
    await eventually(() => h.callbacks.successes.length === 2);
    expect((await h.cases.get(b.caseId)).decision?.action).toBe('delete');
  });

  it('lets the next click work once a slow one has held its turn long enough', async () => {
    h = await startSlackAppHarness([a, b], { processBeforeResponse: false, ackFirst: { turns: 1, turnMs: 100 } });
    const releaseSlack = h.slack.holdNext('chat.update');
    await h.click(ALICE, ACTION_IDS.delete, a.caseId);
    await h.click(ALICE, ACTION_IDS.delete, b.caseId);
    // The first is still waiting for Slack, yet the second is decided.
    await eventually(() => h.callbacks.successes.length === 2);
    expect((await h.cases.get(b.caseId)).decision?.action).toBe('delete');
    releaseSlack();
    await eventually(() => h.slack.callsTo('chat.update').length === 2);
  });
});
