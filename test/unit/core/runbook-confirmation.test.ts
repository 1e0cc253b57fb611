import { claimRunbookTask, evaluateRunbookClick } from '../../../functions/core/runbook-confirmation';
import { awaitingCase, NOW, runbookCase } from '../../support/slack/case-fixture';

const ctx = { approverIds: new Set(['U0ALICE']), now: NOW };
const alice = { userId: 'U0ALICE', userName: 'alice' };

describe('evaluateRunbookClick', () => {
  it('confirms the step the workflow waits for, with who and when', () => {
    const c = runbookCase('delete-keys');
    expect(evaluateRunbookClick(c, { kind: 'step-confirmed', stepId: 'delete-keys' }, alice, ctx)).toEqual({
      kind: 'accepted',
      token: 'SECRET-TASK-TOKEN-runbook-1',
      output: { kind: 'step-confirmed', stepId: 'delete-keys', by: alice, at: NOW.toISOString() },
    });
  });

  it('refuses a stale button of an earlier step instead of confirming the pending one', () => {
    const c = runbookCase('delete-keys');
    expect(evaluateRunbookClick(c, { kind: 'step-confirmed', stepId: 'sign-in' }, alice, ctx)).toEqual({
      kind: 'refused',
      refusal: { code: 'wrong-step', expectedStepId: 'delete-keys' },
    });
  });

  it('asks for verification whichever step is pending', () => {
    const c = runbookCase('delete-keys');
    expect(evaluateRunbookClick(c, { kind: 'verify-now' }, alice, ctx)).toMatchObject({
      kind: 'accepted',
      output: { kind: 'verify-now', by: alice },
    });
  });

  it('refuses users outside the approvers', () => {
    const c = runbookCase('delete-keys');
    expect(evaluateRunbookClick(c, { kind: 'verify-now' }, { userId: 'U0MALLORY' }, ctx)).toEqual({
      kind: 'refused',
      refusal: { code: 'not-approver' },
    });
  });

  it('says nothing waits when no runbook step task is pending', () => {
    const c = awaitingCase();
    expect(evaluateRunbookClick(c, { kind: 'verify-now' }, alice, ctx)).toEqual({
      kind: 'refused',
      refusal: { code: 'not-waiting', status: 'awaiting-approval' },
    });
  });

  it('refuses clicks on a closed case', () => {
    const c = { ...runbookCase('delete-keys'), status: 'remediated' as const, closedAt: NOW.toISOString() };
    expect(evaluateRunbookClick(c, { kind: 'verify-now' }, alice, ctx)).toMatchObject({
      kind: 'refused',
      refusal: { code: 'closed', status: 'remediated' },
    });
  });
});

describe('claimRunbookTask', () => {
  it('removes the pending task so that nobody else can answer it', () => {
    expect(claimRunbookTask(runbookCase('delete-keys'), NOW).pendingTask).toBeUndefined();
  });
});
