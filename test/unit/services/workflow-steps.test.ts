import type { Case, Decision } from '../../../functions/core/case';
import { DecisionNotAcceptedError, InvalidInputError, SlackUnavailableError } from '../../../functions/core/errors';
import { applyDecision } from '../../../functions/services/apply-decision';
import { handleApprovalTimeout } from '../../../functions/services/approval-timeout';
import { openCaseForTrigger } from '../../../functions/services/open-case';
import { describeCaughtError, recordFailure } from '../../../functions/services/record-failure';
import { recordOutcome } from '../../../functions/services/record-outcome';
import { recordRunbookStep } from '../../../functions/services/record-runbook-step';
import { returnToApproval } from '../../../functions/services/return-to-approval';
import { requestApproval } from '../../../functions/services/request-approval';
import { recordVote } from '../../../functions/services/record-vote';
import type { EvidenceService } from '../../../functions/services/evidence-service';
import { handleRunbookTimeout } from '../../../functions/services/runbook-timeout';
import { startRunbook } from '../../../functions/services/start-runbook';
import { detectAccount } from '../../../functions/services/scan-accounts';
import { runbookForCase } from '../../../functions/core/runbook';
import { caseFixture } from '../../support/workflow/case-fixture';
import { serviceDeps, type ServiceDeps } from '../../support/workflow/service-deps';

const CASE_ID = caseFixture().caseId;
let world: ServiceDeps;
afterEach(() => world.dispose());

function decision(action: Decision['action'], extra: Partial<Decision> = {}): Decision {
  const at = new Date().toISOString();
  return {
    action,
    approvers: [{ userId: 'U0APPROVER', userName: 'Ada', action, at }],
    decidedAt: at,
    approvedKeys: ['AKIA************0042'],
    ...extra,
  };
}

async function evidenceCount(w: ServiceDeps, caseId = CASE_ID): Promise<number> {
  return (await w.cases.get(caseId)).evidenceCount;
}

describe('openCaseForTrigger', () => {
  it('opens one case per account and answers a second trigger with the open one', async () => {
    // Prepare
    world = serviceDeps();
    const posture = await detectAccount(world.deps, '333333333333');
    const trigger = { source: 'manual' as const, accountId: '333333333333', detectedAt: new Date().toISOString() };

    // Act
    const first = await openCaseForTrigger(world.deps, { trigger, posture });
    const second = await openCaseForTrigger(world.deps, { trigger, posture });

    // Assess
    expect(first).toMatchObject({ duplicate: false, compliant: false });
    expect(second).toEqual({ caseId: first.caseId, accountId: '333333333333', duplicate: true, compliant: false });
    expect(await world.cases.list()).toHaveLength(1);
    expect((await world.cases.get(first.caseId)).evidenceCount).toBe(1);
  });
});

describe('handleApprovalTimeout', () => {
  it('reminds, escalates on the last reminder, then lets the case expire', async () => {
    // Prepare
    const waiting = caseFixture({
      status: 'awaiting-approval',
      approval: { requestedAt: new Date().toISOString(), reminders: 0, escalated: false, votes: [] },
      pendingTask: { kind: 'approval', token: 'expired-token', since: new Date().toISOString() },
    });
    world = serviceDeps([waiting]);

    // Act
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await handleApprovalTimeout(world.deps, { caseId: CASE_ID }));

    // Assess
    expect(results.map((r) => [r.next, r.reminders, r.escalated])).toEqual([
      ['wait', 1, false],
      ['wait', 2, true],
      ['expire', 2, true],
    ]);
    expect(world.notifier.of(CASE_ID, 'remind').map((m) => m.detail)).toEqual([
      { reminderNumber: 1, escalate: false },
      { reminderNumber: 2, escalate: true },
    ]);
    const c = await world.cases.get(CASE_ID);
    expect(c.pendingTask).toBeUndefined();
    expect(c.evidenceCount).toBe(2);
  });
});

describe('handleApprovalTimeout around a late click', () => {
  const waiting = (overrides: Partial<Case> = {}) =>
    caseFixture({
      status: 'awaiting-approval',
      approval: { requestedAt: new Date().toISOString(), reminders: 1, escalated: true, votes: [] },
      ...overrides,
    });

  it('marks the request expired when it gives up, so that a later click is refused', async () => {
    world = serviceDeps([waiting({ pendingTask: { kind: 'approval', token: 't', since: new Date().toISOString() } })]);
    world.deps.settings = { ...world.deps.settings, maxReminders: 1 };

    const result = await handleApprovalTimeout(world.deps, { caseId: CASE_ID });

    expect(result.next).toBe('expire');
    const c = await world.cases.get(CASE_ID);
    expect(c.approval?.expiredAt).toEqual(expect.any(String));
    expect(c.pendingTask).toBeUndefined();
  });

  it('waits again instead of expiring when a click kept its decision on the case', async () => {
    world = serviceDeps([waiting({ decision: decision('delete') })]);
    world.deps.settings = { ...world.deps.settings, maxReminders: 1 };

    const result = await handleApprovalTimeout(world.deps, { caseId: CASE_ID });

    expect(result.next).toBe('wait');
    expect((await world.cases.get(CASE_ID)).approval?.expiredAt).toBeUndefined();
    expect(world.notifier.of(CASE_ID, 'remind')).toHaveLength(0);
  });
});

describe('requestApproval', () => {
  it('records the approval request before the fastest approver can decide', async () => {
    // Prepare: the approver clicks the moment the message is posted, before requestApproval returns.
    world = serviceDeps([caseFixture()]);
    const callbacks = { sent: [] as unknown[] };
    const workflow = {
      sendTaskSuccess: async (_token: string, output: unknown) => void callbacks.sent.push(output),
      sendTaskFailure: async () => undefined,
    };
    const approvers = { approverIds: async () => new Set(['U0APPROVER']), describe: () => '<@U0APPROVER>' };
    const post = world.notifier.requestApproval.bind(world.notifier);
    world.notifier.requestApproval = async (c) => {
      const ref = await post(c);
      await recordVote(world.deps, workflow as never, approvers as never, {
        caseId: c.caseId,
        userId: 'U0APPROVER',
        action: 'delete',
      });
      return ref;
    };
    // Act
    await requestApproval(world.deps, { caseId: CASE_ID, token: 'TASK-TOKEN-1' });
    // Assess
    const types = (await (world.deps.evidence as EvidenceService).readCase(CASE_ID)).map((r) => r.type);
    expect(callbacks.sent).toHaveLength(1);
    expect(types.indexOf('approval-requested')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('approval-requested')).toBeLessThan(types.indexOf('decision'));
    expect(types.filter((t) => t === 'approval-requested')).toHaveLength(1);
  });
});

describe('applyDecision', () => {
  const waitingCase = (overrides: Partial<Case> = {}) =>
    caseFixture({ status: 'awaiting-approval', decision: decision('delete'), ...overrides });

  it('moves the case to the status the decision leads to and shows who decided', async () => {
    world = serviceDeps([waitingCase()]);

    const applied = await applyDecision(world.deps, { caseId: CASE_ID, decision: decision('delete') });

    expect(applied).toEqual({ caseId: CASE_ID, action: 'delete', status: 'deleting' });
    expect((await world.cases.get(CASE_ID)).status).toBe('deleting');
    expect(world.notifier.of(CASE_ID, 'showDecision')).toHaveLength(1);
  });

  it('goes on when Slack is down as the decision replaces the buttons; the outcome message shows it first', async () => {
    world = serviceDeps([waitingCase({ decision: decision('reject', { reason: 'needed by the batch job' }) })]);
    world.notifier.failNext(
      'showDecision',
      new SlackUnavailableError('Slack chat.update failed and may succeed later'),
    );

    const applied = await applyDecision(world.deps, {
      caseId: CASE_ID,
      decision: decision('reject', { reason: 'needed by the batch job' }),
    });

    expect(applied.status).toBe('rejected');
    expect(await world.cases.get(CASE_ID)).toMatchObject({ status: 'rejected', decisionNotShown: true });
    await recordOutcome(world.deps, { caseId: CASE_ID, status: 'rejected' });
    expect(
      world.notifier
        .of(CASE_ID)
        .map((m) => m.method)
        .slice(-2),
    ).toEqual(['showDecision', 'outcome']);
    expect((await world.cases.get(CASE_ID)).decisionNotShown).toBeUndefined();
  });

  it('refuses a task output that contradicts the decision the approvers stored', async () => {
    world = serviceDeps([waitingCase()]);

    await expect(applyDecision(world.deps, { caseId: CASE_ID, decision: decision('reject') })).rejects.toBeInstanceOf(
      DecisionNotAcceptedError,
    );
    expect((await world.cases.get(CASE_ID)).status).toBe('awaiting-approval');
  });

  it('refuses automated deletion where AssumeRoot cannot reach the account', async () => {
    world = serviceDeps([waitingCase({ decision: undefined, removalPaths: ['root-sign-in', 'password-recovery'] })]);

    await expect(applyDecision(world.deps, { caseId: CASE_ID, decision: decision('delete') })).rejects.toThrow(
      /automated deletion is not available/,
    );
  });

  it('refuses an accepted risk without a valid expiry, and refuses malformed decisions', async () => {
    world = serviceDeps([waitingCase({ decision: undefined })]);

    await expect(
      applyDecision(world.deps, { caseId: CASE_ID, decision: decision('accept-risk', { reason: 'legacy' }) }),
    ).rejects.toThrow(/needs an expiry/);
    await expect(applyDecision(world.deps, { caseId: CASE_ID, decision: { action: 'delete' } })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });

  it('schedules a re-check at the end of an accepted risk', async () => {
    const expiresAt = new Date(Date.now() + 10 * 86_400_000).toISOString();
    world = serviceDeps([waitingCase({ decision: undefined })]);

    const applied = await applyDecision(world.deps, {
      caseId: CASE_ID,
      decision: decision('accept-risk', { reason: 'legacy', expiresAt }),
    });

    expect(applied).toMatchObject({
      status: 'risk-accepted',
      recheck: { input: { source: 'acceptance-expired', accountId: '333333333333', previousCaseId: CASE_ID } },
    });
  });
});

describe('the guided runbook', () => {
  it('confirms steps in order only and moves to verification after the last one', async () => {
    // Prepare
    world = serviceDeps([caseFixture({ status: 'awaiting-approval', decision: decision('runbook') })]);
    await applyDecision(world.deps, { caseId: CASE_ID, decision: decision('runbook') });
    const start = await startRunbook(world.deps, { caseId: CASE_ID, reason: 'decision' });
    const steps = [start.stepId!];
    const by = { userId: 'U0APPROVER', userName: 'Ada' };
    const at = () => new Date().toISOString();

    // Act: an old button for a later step changes nothing; then every step in order.
    const c = await world.cases.get(CASE_ID);
    const later = runbookForCase(c, new Date()).steps.at(-1)!.id;
    const refused = await recordRunbookStep(world.deps, {
      caseId: CASE_ID,
      output: { kind: 'step-confirmed', stepId: later, by, at: at() },
    });
    let cursor = start;
    while (cursor.next === 'await') {
      cursor = await recordRunbookStep(world.deps, {
        caseId: CASE_ID,
        output: { kind: 'step-confirmed', stepId: cursor.stepId, by, at: at() },
      });
      if (cursor.stepId) steps.push(cursor.stepId);
    }

    // Assess
    expect(c.runbook?.completed).toEqual([]);
    expect(refused).toMatchObject({ next: 'await', stepId: start.stepId });
    expect(cursor.next).toBe('verify');
    const done = await world.cases.get(CASE_ID);
    expect(done.status).toBe('verifying');
    expect(done.runbook?.completed.map((s) => s.stepId)).toEqual(steps);
  });

  it('verifies at once on "verify now"', async () => {
    world = serviceDeps([caseFixture({ status: 'runbook', decision: decision('runbook') })]);
    await startRunbook(world.deps, { caseId: CASE_ID, reason: 'decision' });

    const cursor = await recordRunbookStep(world.deps, {
      caseId: CASE_ID,
      output: { kind: 'verify-now', by: { userId: 'U0APPROVER' }, at: new Date().toISOString() },
    });

    expect(cursor.next).toBe('verify');
    expect((await world.cases.get(CASE_ID)).status).toBe('verifying');
  });

  it('reminds about an unconfirmed step and abandons it after the last reminder', async () => {
    world = serviceDeps([caseFixture({ status: 'runbook', decision: decision('runbook') })]);
    const start = await startRunbook(world.deps, { caseId: CASE_ID, reason: 'decision' });

    const first = await handleRunbookTimeout(world.deps, { caseId: CASE_ID, stepId: start.stepId, reminders: 0 });
    const second = await handleRunbookTimeout(world.deps, { caseId: CASE_ID, stepId: start.stepId, reminders: 1 });
    const third = await handleRunbookTimeout(world.deps, { caseId: CASE_ID, stepId: start.stepId, reminders: 2 });

    expect([first, second, third].map((c) => [c.next, c.reminders])).toEqual([
      ['await', 1],
      ['await', 2],
      ['abandon', 2],
    ]);
    // Like approval reminders: the last reminder escalates (mentions the escalation target).
    expect(world.notifier.of(CASE_ID, 'remindRunbookStep').map((m) => m.detail)).toEqual([
      { step: { id: start.stepId, title: expect.any(String) }, reminderNumber: 1, escalate: false },
      { step: { id: start.stepId, title: expect.any(String) }, reminderNumber: 2, escalate: true },
    ]);
  });
});

describe('returnToApproval', () => {
  it('asks again about the keys that exist now and forgets the old decision', async () => {
    world = serviceDeps([caseFixture({ status: 'deleting', decision: decision('delete') })]);
    const created = world.sim.createRootKey('333333333333');

    const result = await returnToApproval(world.deps, { caseId: CASE_ID });

    expect(result.next).toBe('approval');
    const c = await world.cases.get(CASE_ID);
    expect(c.status).toBe('awaiting-approval');
    expect(c.decision).toBeUndefined();
    expect(c.posture.keys.map((k) => k.maskedId)).toContain(created);
  });

  it('goes to verification when the keys are already gone', async () => {
    world = serviceDeps([caseFixture({ status: 'deleting', decision: decision('delete') })]);
    world.sim.removeKeysByOperator('333333333333');

    expect(await returnToApproval(world.deps, { caseId: CASE_ID })).toEqual({ caseId: CASE_ID, next: 'verify' });
    expect((await world.cases.get(CASE_ID)).status).toBe('verifying');
  });
});

describe('recordOutcome', () => {
  it('closes the case with a final evidence record and does not record it twice', async () => {
    world = serviceDeps([caseFixture({ status: 'verifying', decision: decision('delete') })]);

    const first = await recordOutcome(world.deps, { caseId: CASE_ID, status: 'remediated' });
    const countAfterFirst = await evidenceCount(world);
    const second = await recordOutcome(world.deps, { caseId: CASE_ID, status: 'remediated' });

    expect(first.digest).toBe(second.digest);
    expect(await evidenceCount(world)).toEqual(countAfterFirst);
    const c = await world.cases.get(CASE_ID);
    expect(c).toMatchObject({ status: 'remediated', evidenceHead: first.digest, outcome: { status: 'remediated' } });
    expect(world.notifier.of(CASE_ID, 'outcome')[0]?.detail).toMatchObject({ digest: first.digest });
  });

  it('refuses to close a case with another outcome than the one it has', async () => {
    world = serviceDeps([caseFixture({ status: 'rejected', closedAt: new Date().toISOString() })]);

    await expect(recordOutcome(world.deps, { caseId: CASE_ID, status: 'remediated' })).rejects.toBeInstanceOf(
      DecisionNotAcceptedError,
    );
  });
});

describe('recordFailure', () => {
  it('reads the Lambda error out of the Cause the Catch delivers, without the stack trace', () => {
    const cause = JSON.stringify({ errorType: 'AccessDeniedError', errorMessage: 'no', trace: ['at x'] });

    expect(describeCaughtError({ Error: 'AccessDeniedError', Cause: cause })).toEqual({
      name: 'AccessDeniedError',
      message: 'no',
    });
    expect(describeCaughtError({ Error: 'States.Timeout', Cause: 'took too long' })).toEqual({
      name: 'States.Timeout',
      message: 'took too long',
    });
  });

  it('fails an open case with the error in its outcome', async () => {
    world = serviceDeps([caseFixture({ status: 'deleting' })]);

    const failed = await recordFailure(world.deps, {
      caseId: CASE_ID,
      error: { Error: 'AccessDeniedError', Cause: 'no' },
    });

    expect(failed).toMatchObject({ recorded: true, caseId: CASE_ID });
    expect(await world.cases.get(CASE_ID)).toMatchObject({
      status: 'failed',
      outcome: { status: 'failed', error: { name: 'AccessDeniedError', message: 'no' } },
    });
  });

  it('still leaves evidence when the failure came before a case was opened', async () => {
    world = serviceDeps();

    const failed = await recordFailure(world.deps, {
      accountId: '444444444444',
      error: { Error: 'InvalidInputError', Cause: 'account not in organization' },
    });

    expect(failed).toMatchObject({ recorded: true, caseId: expect.stringMatching(/^RK-444444444444-/) });
  });

  it('records nothing when not even the account is known, and says so', async () => {
    world = serviceDeps();

    expect(await recordFailure(world.deps, { error: { Error: 'InvalidInputError', Cause: 'garbage' } })).toMatchObject({
      recorded: false,
    });
  });
});
