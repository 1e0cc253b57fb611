import { StaticApproverDirectory } from '../../../functions/adapters/slack/slack-approver-directory';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import type { Case, Decision } from '../../../functions/core/case';
import { TransientAwsError } from '../../../functions/core/errors';
import { recordVote, type VoteResult } from '../../../functions/services/record-vote';
import { awaitingCase, manualClock } from '../../support/slack/case-fixture';
import { EvidenceRecorderDouble } from '../../support/slack/evidence-double';
import { LatentCaseStore } from '../../support/slack/latent-case-store';
import { WorkflowCallbacksDouble } from '../../support/slack/workflow-callbacks-double';

const approvers = new StaticApproverDirectory(Array.from({ length: 60 }, (_, i) => `U0APPROVER${i}`));

function setup(c: Case) {
  // Answers like a networked store, so that concurrent votes really interleave between read and write.
  const cases = new LatentCaseStore(new MemoryCaseStore([c]), 5);
  const evidence = new EvidenceRecorderDouble();
  const clock = manualClock();
  const callbacks = new WorkflowCallbacksDouble();
  return { deps: { cases, evidence, clock }, callbacks, cases, evidence, clock };
}

describe('recordVote', () => {
  it('hands the decision to the waiting task and keeps it with the case', async () => {
    // Prepare
    const c = awaitingCase();
    const { deps, callbacks, cases, evidence } = setup(c);
    // Act
    const result = await recordVote(deps, callbacks, approvers, {
      caseId: c.caseId,
      userId: 'U0APPROVER1',
      userName: 'alice',
      action: 'delete',
    });
    // Assess
    expect(result.status).toBe('decided');
    expect(callbacks.successes).toHaveLength(1);
    expect(callbacks.successes[0]!.token).toBe('SECRET-TASK-TOKEN-approval-1');
    const output = callbacks.successes[0]!.output as Decision;
    expect(output).toMatchObject({
      action: 'delete',
      approvers: [{ userId: 'U0APPROVER1', userName: 'alice' }],
      approvedKeys: ['AKIA************MPLE'],
    });
    const stored = await cases.get(c.caseId);
    expect(stored.decision).toEqual(output);
    expect(stored.pendingTask).toBeUndefined();
    expect(evidence.ofType('decision')).toHaveLength(1);
    expect(stored.evidenceHead).toBe(evidence.events.at(-1)!.digest);
  });

  it('lets exactly one of fifty concurrent clicks decide and tells the others who did', async () => {
    // Prepare
    const c = awaitingCase();
    const { deps, callbacks, evidence } = setup(c);
    // Act
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        recordVote(deps, callbacks, approvers, {
          caseId: c.caseId,
          userId: `U0APPROVER${i}`,
          action: i % 2 ? 'delete' : 'runbook',
        }),
      ),
    );
    // Assess
    expect(callbacks.successes).toHaveLength(1);
    const decided = results.filter((r) => r.status === 'decided');
    expect(decided).toHaveLength(1);
    const others = results.filter((r): r is Extract<VoteResult, { status: 'refused' }> => r.status === 'refused');
    expect(others).toHaveLength(49);
    for (const r of others)
      expect(r.refusal).toMatchObject({ code: 'already-decided', decision: { decidedAt: expect.any(String) } });
    expect(evidence.ofType('decision')).toHaveLength(1);
  });

  it('needs two distinct approvers with four-eyes and never counts one twice', async () => {
    // Prepare
    const c = awaitingCase({ requiredApprovals: 2 });
    const { deps, callbacks, cases } = setup(c);
    // Act
    const first = await recordVote(deps, callbacks, approvers, {
      caseId: c.caseId,
      userId: 'U0APPROVER1',
      action: 'delete',
    });
    const again = await recordVote(deps, callbacks, approvers, {
      caseId: c.caseId,
      userId: 'U0APPROVER1',
      action: 'delete',
    });
    const afterRepeat = await cases.get(c.caseId);
    const second = await recordVote(deps, callbacks, approvers, {
      caseId: c.caseId,
      userId: 'U0APPROVER2',
      action: 'delete',
    });
    // Assess
    expect(first).toMatchObject({ status: 'recorded', agreeing: 1, required: 2 });
    expect(again).toMatchObject({ status: 'refused', refusal: { code: 'already-voted' } });
    expect(afterRepeat.decision).toBeUndefined();
    expect(afterRepeat.approval?.votes).toHaveLength(1);
    expect(second.status).toBe('decided');
    expect(callbacks.successes).toHaveLength(1);
    expect((callbacks.successes[0]!.output as Decision).approvers.map((a) => a.userId)).toEqual([
      'U0APPROVER1',
      'U0APPROVER2',
    ]);
  });

  it('changes nothing for an outsider', async () => {
    const c = awaitingCase();
    const { deps, callbacks, cases, evidence } = setup(c);
    const result = await recordVote(deps, callbacks, approvers, {
      caseId: c.caseId,
      userId: 'U0MALLORY',
      action: 'delete',
    });
    expect(result).toMatchObject({ status: 'refused', refusal: { code: 'not-approver' } });
    expect(await cases.get(c.caseId)).toEqual(c);
    expect(callbacks.successes).toHaveLength(0);
    expect(evidence.events).toHaveLength(0);
  });

  it('keeps a decision on the case when the wait it answered had just timed out, for the next wait to deliver', async () => {
    // Prepare: the stored token expired (the wait timed out); the reminder's wait has not started yet.
    const c = awaitingCase();
    const { deps, callbacks, cases, evidence } = setup(c);
    callbacks.expiredTokens.add(c.pendingTask!.token);
    // Act
    const result = await recordVote(deps, callbacks, approvers, {
      caseId: c.caseId,
      userId: 'U0APPROVER1',
      action: 'runbook',
    });
    // Assess: decided, not expired; kept on the case without a token (request-approval hands it over).
    expect(result.status).toBe('decided');
    const stored = await cases.get(c.caseId);
    expect(stored).toMatchObject({ status: 'awaiting-approval', decision: { action: 'runbook' } });
    expect(stored.pendingTask).toBeUndefined();
    expect(stored.outcome).toBeUndefined();
    expect(evidence.ofType('outcome')).toHaveLength(0);
    expect(callbacks.successes).toHaveLength(0);
    const second = await recordVote(deps, callbacks, approvers, {
      caseId: c.caseId,
      userId: 'U0APPROVER2',
      action: 'delete',
    });
    expect(second).toMatchObject({ status: 'refused', refusal: { code: 'already-decided' } });
  });

  it('refuses a click once the last wait timed out and the request is marked expired', async () => {
    // Prepare
    const base = awaitingCase();
    const c: Case = { ...base, approval: { ...base.approval!, expiredAt: '2026-06-01T11:59:00.000Z' } };
    delete c.pendingTask;
    const { deps, callbacks, cases } = setup(c);
    // Act
    const result = await recordVote(deps, callbacks, approvers, {
      caseId: c.caseId,
      userId: 'U0APPROVER1',
      action: 'runbook',
    });
    // Assess
    expect(result).toMatchObject({ status: 'refused', refusal: { code: 'expired', at: '2026-06-01T11:59:00.000Z' } });
    expect(await cases.get(c.caseId)).toEqual(c);
  });

  it('follows a newer wait when a reminder renewed the token while the decision was on its way', async () => {
    // Prepare: the stored token expires, and the workflow stores a new one just as the first send fails.
    const c = awaitingCase();
    const { deps, cases } = setup(c);
    const callbacks = new WorkflowCallbacksDouble();
    callbacks.expiredTokens.add('SECRET-TASK-TOKEN-approval-1');
    const send = callbacks.sendTaskSuccess.bind(callbacks);
    callbacks.sendTaskSuccess = async (token, output) => {
      if (token === 'SECRET-TASK-TOKEN-approval-1') {
        const current = await cases.get(c.caseId);
        await cases.update(c.caseId, current.version, (x) => ({
          ...x,
          pendingTask: { kind: 'approval', token: 'SECRET-TASK-TOKEN-approval-2', since: x.updatedAt },
        }));
      }
      return send(token, output);
    };
    // Act
    const result = await recordVote(deps, callbacks, approvers, {
      caseId: c.caseId,
      userId: 'U0APPROVER1',
      action: 'runbook',
    });
    // Assess
    expect(result.status).toBe('decided');
    expect(callbacks.successes.map((s) => s.token)).toEqual(['SECRET-TASK-TOKEN-approval-2']);
    expect((await cases.get(c.caseId)).pendingTask).toBeUndefined();
  });

  it('gives the request back when the workflow cannot be reached, so approvers can click again', async () => {
    // Prepare
    const c = awaitingCase();
    const { deps, callbacks, cases, evidence } = setup(c);
    callbacks.unavailable = true;
    // Act
    await expect(
      recordVote(deps, callbacks, approvers, { caseId: c.caseId, userId: 'U0APPROVER1', action: 'runbook' }),
    ).rejects.toBeInstanceOf(TransientAwsError);
    // Assess
    const stored = await cases.get(c.caseId);
    expect(stored.decision).toBeUndefined();
    expect(stored.pendingTask).toEqual(c.pendingTask);
    expect(stored.approval?.votes).toEqual([]);
    expect(evidence.events.map((e) => e.data.event)).toEqual(['decided', 'delivery-failed']);
    callbacks.unavailable = false;
    const retry = await recordVote(deps, callbacks, approvers, {
      caseId: c.caseId,
      userId: 'U0APPROVER1',
      action: 'runbook',
    });
    expect(retry.status).toBe('decided');
  });
});
