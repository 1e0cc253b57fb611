import { isTerminal, transition, type Case } from '../core/case';
import { DecisionNotAcceptedError } from '../core/errors';
import { recordCaseEvidence } from './case-evidence';
import type { Deps } from './dependencies';
import { maskedKeys, postureForEvidence } from './open-case';
import { detectAccount } from './scan-accounts';
import { updateCaseWithRetry } from './update-case';

export interface KeysChangedResult {
  caseId: string;
  /** `approval`: ask the approvers again about the keys that exist now; `verify`: no key is left. */
  next: 'approval' | 'verify';
}

/**
 * The account's keys changed between the approval and the deletion (a key was created, or one was
 * removed by someone else), so nothing was deleted. The account is read again; with keys left, the
 * case goes back to the approvers with the current keys and a new request (the old decision covered
 * other keys); with none left, the workflow verifies and closes the case.
 */
export async function returnToApproval(
  deps: Deps,
  input: { caseId: string; error?: { Error?: string; Cause?: string } },
): Promise<KeysChangedResult> {
  const current = await deps.cases.get(input.caseId);
  if (isTerminal(current.status)) {
    throw new DecisionNotAcceptedError(`Case ${current.caseId} is ${current.status}; it cannot go back to approval`);
  }
  const posture = await detectAccount(deps, current.accountId);
  const next: KeysChangedResult['next'] = posture.keys.length > 0 ? 'approval' : 'verify';
  const target = next === 'approval' ? 'awaiting-approval' : 'verifying';
  const { case: updated } = await updateCaseWithRetry(deps.cases, current.caseId, (c) => {
    if (c.status === target) return undefined;
    const moved: Case = { ...transition(c, target, deps.clock.now()), posture };
    if (next === 'approval') {
      delete moved.decision;
      delete moved.approval;
      delete moved.pendingTask;
    }
    return moved;
  });
  await recordCaseEvidence(deps, updated, 'detection', {
    reason: 'The root keys changed after the approval; nothing was deleted.',
    approvedKeys: current.decision?.approvedKeys ?? [],
    currentKeys: maskedKeys(posture.keys).map((k) => k.maskedId),
    posture: postureForEvidence(posture),
    next,
  });
  await deps.notifier.progress(
    updated,
    next === 'approval'
      ? 'The root access keys changed since the approval, so nothing was deleted. A new approval request follows with the keys that exist now.'
      : 'The approved keys are already gone (removed outside this workflow); verifying now.',
  );
  return { caseId: current.caseId, next };
}
