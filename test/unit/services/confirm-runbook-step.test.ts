import { StaticApproverDirectory } from '../../../functions/adapters/slack/slack-approver-directory';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import { TransientAwsError } from '../../../functions/core/errors';
import { confirmRunbookStep, requestVerifyNow } from '../../../functions/services/confirm-runbook-step';
import { manualClock, NOW, runbookCase } from '../../support/slack/case-fixture';
import { WorkflowCallbacksDouble } from '../../support/slack/workflow-callbacks-double';

const approvers = new StaticApproverDirectory(['U0ALICE', 'U0BOB']);

function setup(stepId = 'delete-keys') {
  const c = runbookCase(stepId);
  const cases = new MemoryCaseStore([c]);
  const callbacks = new WorkflowCallbacksDouble();
  return { c, cases, callbacks, deps: { cases, clock: manualClock() } };
}

describe('confirmRunbookStep', () => {
  it('sends the confirmed step with who and when to the waiting task', async () => {
    const { c, cases, callbacks, deps } = setup();
    const result = await confirmRunbookStep(deps, callbacks, approvers, {
      caseId: c.caseId,
      userId: 'U0ALICE',
      userName: 'alice',
      stepId: 'delete-keys',
    });
    expect(result.status).toBe('sent');
    expect(callbacks.successes).toEqual([
      {
        token: 'SECRET-TASK-TOKEN-runbook-1',
        output: {
          kind: 'step-confirmed',
          stepId: 'delete-keys',
          by: { userId: 'U0ALICE', userName: 'alice' },
          at: NOW.toISOString(),
        },
      },
    ]);
    expect((await cases.get(c.caseId)).pendingTask).toBeUndefined();
  });

  it('answers the waiting task once when two people confirm at the same moment', async () => {
    const { c, callbacks, deps } = setup();
    const results = await Promise.all(
      ['U0ALICE', 'U0BOB'].map((userId) =>
        confirmRunbookStep(deps, callbacks, approvers, { caseId: c.caseId, userId, stepId: 'delete-keys' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['refused', 'sent']);
    expect(callbacks.successes).toHaveLength(1);
  });

  it('tells the clicker when the step task had timed out', async () => {
    const { c, callbacks, deps } = setup();
    callbacks.expiredTokens.add('SECRET-TASK-TOKEN-runbook-1');
    const result = await confirmRunbookStep(deps, callbacks, approvers, {
      caseId: c.caseId,
      userId: 'U0ALICE',
      stepId: 'delete-keys',
    });
    expect(result.status).toBe('expired');
  });

  it('gives the task back when Step Functions is unavailable', async () => {
    const { c, cases, callbacks, deps } = setup();
    callbacks.unavailable = true;
    await expect(
      confirmRunbookStep(deps, callbacks, approvers, { caseId: c.caseId, userId: 'U0ALICE', stepId: 'delete-keys' }),
    ).rejects.toBeInstanceOf(TransientAwsError);
    expect((await cases.get(c.caseId)).pendingTask).toEqual(c.pendingTask);
  });
});

describe('requestVerifyNow', () => {
  it('asks the waiting runbook task to verify at once', async () => {
    const { c, callbacks, deps } = setup();
    const result = await requestVerifyNow(deps, callbacks, approvers, { caseId: c.caseId, userId: 'U0BOB' });
    expect(result.status).toBe('sent');
    expect(callbacks.successes[0]!.output).toEqual({
      kind: 'verify-now',
      by: { userId: 'U0BOB' },
      at: NOW.toISOString(),
    });
  });

  it('refuses someone outside the approvers and changes nothing', async () => {
    const { c, cases, callbacks, deps } = setup();
    const result = await requestVerifyNow(deps, callbacks, approvers, { caseId: c.caseId, userId: 'U0MALLORY' });
    expect(result).toMatchObject({ status: 'refused', refusal: { code: 'not-approver' } });
    expect((await cases.get(c.caseId)).pendingTask).toEqual(c.pendingTask);
    expect(callbacks.successes).toHaveLength(0);
  });
});
