import type { Case } from '../core/case';
import { decideOnTimeout } from '../core/reminder-policy';
import { recordCaseEvidence } from './case-evidence';
import { updateCaseWithRetry } from './update-case';
import type { Deps } from './dependencies';

/** `wait`: wait for approval again (after a reminder, or because a decision is already stored); `expire`: give up. */
export interface ApprovalTimeoutResult {
  caseId: string;
  next: 'wait' | 'expire';
  reminders: number;
  escalated: boolean;
}

/**
 * Runs when the approval task timed out (`States.Timeout`). Sends the next reminder (the last one
 * escalates) and records it, or, once `settings.maxReminders` reminders went unanswered, tells the
 * workflow to expire the case (marking the request expired, so that a later click is told so). A
 * click between a timed-out wait and the next one is kept on the case (record-vote): the workflow
 * waits again and the approval task hands the decision over at once; it never expires the case.
 */
export async function handleApprovalTimeout(deps: Deps, input: { caseId: string }): Promise<ApprovalTimeoutResult> {
  const { caseId } = input;
  const current = await deps.cases.get(caseId);
  const reminders = current.approval?.reminders ?? 0;
  const escalated = current.approval?.escalated ?? false;
  if (current.decision) return { caseId, next: 'wait', reminders, escalated };

  const next = decideOnTimeout(reminders, deps.settings.maxReminders);
  // A click may land between the read above and the write below: each write re-checks the fresh
  // case, and a decision found there is kept for the next wait instead of being expired or reminded.
  let decidedMeanwhile = false;
  if (next.action === 'give-up') {
    await updateCaseWithRetry(deps.cases, caseId, (c) => {
      decidedMeanwhile = Boolean(c.decision);
      if (decidedMeanwhile) return undefined;
      // From this write on a click is refused as expired (no later wait would take its decision).
      const expiring = withoutPendingTask(c);
      if (expiring.approval) expiring.approval = { ...expiring.approval, expiredAt: deps.clock.now().toISOString() };
      return expiring;
    });
    if (decidedMeanwhile) return { caseId, next: 'wait', reminders, escalated };
    return { caseId, next: 'expire', reminders, escalated };
  }
  const { case: updated } = await updateCaseWithRetry(deps.cases, caseId, (c) => {
    decidedMeanwhile = Boolean(c.decision);
    if (decidedMeanwhile) return undefined;
    return {
      ...withoutPendingTask(c),
      ...(c.approval
        ? {
            approval: {
              ...c.approval,
              reminders: next.reminderNumber,
              escalated: c.approval.escalated || next.escalate,
            },
          }
        : {}),
    };
  });
  if (decidedMeanwhile) return { caseId, next: 'wait', reminders, escalated };
  await deps.notifier.remind(updated, next.reminderNumber, next.escalate);
  await recordCaseEvidence(deps, updated, next.escalate ? 'escalation' : 'reminder', {
    waitingFor: 'approval',
    reminderNumber: next.reminderNumber,
    maxReminders: deps.settings.maxReminders,
    escalate: next.escalate,
    requestedAt: updated.approval?.requestedAt,
  });
  return { caseId, next: 'wait', reminders: next.reminderNumber, escalated: escalated || next.escalate };
}

/** The case without the expired token: a late click is then told the request expired. */
function withoutPendingTask(c: Case): Case {
  const next = { ...c };
  delete next.pendingTask;
  return next;
}
