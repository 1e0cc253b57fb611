import type { Case } from '../../../../../functions/core/case';
import { runbookForCase } from '../../../../../functions/core/runbook';
import {
  helpReply,
  statusReply,
  STATUS_LIST_LIMIT,
} from '../../../../../functions/adapters/slack/blocks/command-replies';
import {
  buildExceptionModal,
  exceptionErrorsForModal,
} from '../../../../../functions/adapters/slack/blocks/exception-modal';
import {
  ACTION_IDS,
  BLOCK_IDS,
  runbookStepBlockId,
  VIEW_IDS,
} from '../../../../../functions/adapters/slack/blocks/ids';
import {
  lateDecisionText,
  runbookRefusalText,
  voteRefusalText,
} from '../../../../../functions/adapters/slack/blocks/replies';
import {
  buildRunbookStepDone,
  buildRunbookStepMessage,
} from '../../../../../functions/adapters/slack/blocks/runbook-step-message';
import {
  buildOutcome,
  buildProgress,
  buildReminder,
  buildRunbookStepReminder,
} from '../../../../../functions/adapters/slack/blocks/thread-messages';
import { awaitingCase, NOW, runbookCase } from '../../../../support/slack/case-fixture';

describe('exception modal', () => {
  const c = awaitingCase();

  it('asks for a reason and a required expiry to accept the risk, and carries no token', () => {
    const view = buildExceptionModal(
      c,
      { caseId: c.caseId, action: 'accept-risk', channel: 'C0SECURITY', messageTs: '1.2' },
      NOW,
    );
    expect(view.callback_id).toBe(VIEW_IDS.exception);
    expect(JSON.parse(view.private_metadata!)).toEqual({
      caseId: c.caseId,
      action: 'accept-risk',
      channel: 'C0SECURITY',
      messageTs: '1.2',
    });
    const inputs = view.blocks.filter((b) => b.type === 'input') as { block_id: string; optional?: boolean }[];
    expect(inputs.map((b) => [b.block_id, b.optional ?? false])).toEqual([
      [BLOCK_IDS.exceptionReason, false],
      [BLOCK_IDS.exceptionExpiry, false],
    ]);
    expect(JSON.stringify(view)).not.toContain('SECRET-TASK-TOKEN');
    expect(JSON.stringify(view)).toContain('until 2027-06-01');
  });

  it('makes the expiry optional for a rejection', () => {
    const view = buildExceptionModal(c, { caseId: c.caseId, action: 'reject' }, NOW);
    const expiry = view.blocks.find((b) => b.block_id === BLOCK_IDS.exceptionExpiry) as { optional?: boolean };
    expect(expiry.optional).toBe(true);
  });

  it('maps field errors onto the block ids Slack shows them under', () => {
    expect(exceptionErrorsForModal({ reason: 'r', expiresAt: 'e' })).toEqual({
      [BLOCK_IDS.exceptionReason]: 'r',
      [BLOCK_IDS.exceptionExpiry]: 'e',
    });
  });
});

describe('runbook step message', () => {
  const c = runbookCase('x');
  const runbook = runbookForCase(c, NOW);
  const step = runbook.steps[1]!;

  it('shows the step with its position, instructions and both buttons', () => {
    const message = buildRunbookStepMessage(c, runbook, step.id);
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain(`Step 2 of ${runbook.steps.length}`);
    const actions = message.blocks.find((b) => b.type === 'actions') as {
      block_id: string;
      elements: { action_id: string; value: string }[];
    };
    expect(actions.block_id).toBe(runbookStepBlockId(step.id));
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      [ACTION_IDS.confirmStep, c.caseId],
      [ACTION_IDS.verifyNow, c.caseId],
    ]);
  });

  it('says the last step leads to verification and lists what to check afterwards', () => {
    const last = runbook.steps.at(-1)!;
    const shown = JSON.stringify(buildRunbookStepMessage(c, runbook, last.id));
    expect(shown).toContain('Step done: verify now');
    expect(shown).toContain('*Afterwards:*');
  });

  it('keeps the instructions and drops the buttons once the step is confirmed', () => {
    const done = buildRunbookStepDone(runbook, step.id, { userId: 'U0ALICE' }, NOW.toISOString());
    expect(done.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(done.blocks)).toContain('confirmed by <@U0ALICE>');
  });

  it('refuses a step id the runbook does not have', () => {
    expect(() => buildRunbookStepMessage(c, runbook, 'no-such-step')).toThrow("has no step 'no-such-step'");
  });
});

describe('thread messages', () => {
  const c = awaitingCase();

  it('escalates with the configured mention only on the escalating reminder', () => {
    expect(buildReminder(c, 1, false, 'S0ONCALL').text).not.toContain('subteam');
    expect(buildReminder(c, 2, true, 'S0ONCALL').text).toContain('Escalating to <!subteam^S0ONCALL>');
    expect(buildReminder(c, 2, true, 'here').text).toContain('Escalating to <!here>');
  });

  it('escalates a runbook step reminder with the configured mention, like an approval reminder', () => {
    expect(buildRunbookStepReminder('Delete the key', 1, false, 'S0ONCALL').text).not.toContain('subteam');
    const escalating = buildRunbookStepReminder('Delete <!channel> key', 2, true, 'S0ONCALL').text;
    expect(escalating).toContain('Escalating to <!subteam^S0ONCALL>');
    expect(escalating).toContain('Delete &lt;!channel&gt; key');
    expect(escalating).not.toContain('<!channel>');
  });

  it('escapes progress text from the workflow', () => {
    expect(buildProgress('Deleted key of <!channel> account').text).toBe(
      ':gear: Deleted key of &lt;!channel&gt; account',
    );
  });

  it('gives the evidence digest and links a web report, showing other locations as code', () => {
    const done: Case = {
      ...c,
      status: 'remediated',
      outcome: { status: 'remediated', summary: 'Key deleted & verified', at: NOW.toISOString() },
    };
    const web = buildOutcome(done, {
      digest: 'ab'.repeat(32),
      reportLocation: 'https://reports.example/RK-1.html?a=1&b=2',
    }).text;
    expect(web).toContain(`sha256:${'ab'.repeat(32)}`);
    expect(web).toContain('<https://reports.example/RK-1.html?a=1&amp;b=2|Open the report>');
    expect(web).toContain('Key deleted &amp; verified');
    const s3 = buildOutcome(done, { digest: 'cd', reportLocation: 's3://bucket/reports/RK-1.html' }).text;
    expect(s3).toContain('`s3://bucket/reports/RK-1.html`');
  });
});

describe('replies', () => {
  it('tells a second clicker who decided and when', () => {
    const text = voteRefusalText(
      {
        code: 'already-decided',
        decision: {
          action: 'delete',
          approvers: [{ userId: 'U0ALICE', action: 'delete', at: 'x' }],
          decidedAt: NOW.toISOString(),
          approvedKeys: [],
        },
      },
      'members of <!subteam^S0SECURITY>',
    );
    expect(text).toBe(
      'Already decided by <@U0ALICE> <!date^1780315200^{date_short_pretty} {time}|2026-06-01 12:00 UTC>: *Delete the key (AssumeRoot)*. Nothing was changed.',
    );
  });

  it('names the approvers when refusing an outsider', () => {
    expect(voteRefusalText({ code: 'not-approver' }, 'members of <!subteam^S0SECURITY>')).toContain(
      'approvers: members of <!subteam^S0SECURITY>',
    );
    expect(runbookRefusalText({ code: 'not-approver' }, 'x')).toContain('Only approvers');
  });

  it('says when a late decision found the request expired', () => {
    expect(lateDecisionText(NOW.toISOString())).toContain('Too late: this request expired <!date^1780315200^');
  });
});

describe('command replies', () => {
  it('lists open cases up to a limit and says how many more there are', () => {
    const many = Array.from({ length: STATUS_LIST_LIMIT + 3 }, (_, i) =>
      awaitingCase({ accountId: String(100000000000 + i) }),
    );
    const text = statusReply(many);
    expect(text).toContain(`Open root access key cases (${STATUS_LIST_LIMIT + 3})`);
    expect(text).toContain('…and 3 more.');
    expect(statusReply([])).toContain('No open root access key cases');
  });

  it('documents the three subcommands', () => {
    expect(helpReply()).toMatch(/status[\s\S]*scan ACCOUNT[\s\S]*help/);
  });
});
