import { isTerminal, transition, type Case, type Decision } from '../core/case';
import { DecisionNotAcceptedError } from '../core/errors';
import { maskedKeys } from './open-case';
import { recordCaseEvidence } from './case-evidence';
import { updateCaseWithRetry } from './update-case';
import type { Deps } from './dependencies';
import { updateFinding } from './update-finding';

/** What the waiting task's Lambda did; the state machine waits for the task token either way. */
export type ApprovalRequestResult =
  | { caseId: string; outcome: 'requested' | 'token-renewed' }
  /** Approvers decided while the previous token expired: the caller hands this decision to the workflow. */
  | { caseId: string; outcome: 'already-decided'; decision: Decision };

/**
 * The body of the `waitForTaskToken` approval task. The first time, it moves the case to
 * `awaiting-approval`, stores the task token with the case (server side only), posts the approval
 * request once, marks the Security Hub finding NOTIFIED and records `approval-requested` evidence.
 * After a reminder the workflow waits again with a new token: only the token is replaced, nothing
 * is posted twice. The token is stored BEFORE the message goes out so that the fastest click finds it.
 *
 * Evidence follows what happened: `approval-requested` is recorded before the token is stored, since
 * a vote needs the token and the fastest approver clicks before this function could record anything
 * after posting. Where the request was posted (channel, ts) is kept with the case (`approval.message`),
 * not in this record. A retry after a crash between recording and storing the
 * token records the request a second time; that is visible, never out of order.
 */
export async function requestApproval(
  deps: Deps,
  input: { caseId: string; token: string },
): Promise<ApprovalRequestResult> {
  const { caseId, token } = input;
  const current = await deps.cases.get(caseId);
  if (isTerminal(current.status)) {
    throw new DecisionNotAcceptedError(`Case ${caseId} is ${current.status}; no approval can be requested`);
  }
  if (current.status === 'awaiting-approval' && current.decision) {
    return { caseId, outcome: 'already-decided', decision: current.decision };
  }
  const since = deps.clock.now().toISOString();
  const firstRequest = current.status !== 'awaiting-approval' || !current.approval?.message;
  // Recorded once per case: a retry after the message went out finds `approval.requestedAt` set.
  if (firstRequest && !current.approval?.requestedAt) {
    await recordCaseEvidence(deps, current, 'approval-requested', {
      requiredApprovals: current.requiredApprovals,
      keys: maskedKeys(current.posture.keys),
      removalPaths: current.removalPaths,
      requestedAt: since,
    });
  }

  let decided: Decision | undefined;
  const { case: waiting } = await updateCaseWithRetry(deps.cases, caseId, (c) => {
    // A late click kept its decision on the case after the read above: hand it over, store no token.
    decided = c.status === 'awaiting-approval' ? c.decision : undefined;
    if (decided) return undefined;
    const moved: Case = c.status === 'awaiting-approval' ? c : transition(c, 'awaiting-approval', deps.clock.now());
    return {
      ...moved,
      approval: moved.approval ?? { requestedAt: since, reminders: 0, escalated: false, votes: [] },
      pendingTask: { kind: 'approval', token, since },
    };
  });
  if (decided) return { caseId, outcome: 'already-decided', decision: decided };
  if (!firstRequest) return { caseId, outcome: 'token-renewed' };

  const message = await deps.notifier.requestApproval(waiting);
  await updateCaseWithRetry(deps.cases, caseId, (c) =>
    c.approval ? { ...c, approval: { ...c.approval, message } } : undefined,
  );
  await updateFinding(deps, caseId, 'NOTIFIED');
  return { caseId, outcome: 'requested' };
}
