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
 * workflow to expire the case. The expired token is cleared so that a late click is told the request
 * expired instead of failing against Step Functions. A decision that reached the case just as the
 * token expired is not lost: the workflow waits again and the approval task hands it over at once.
 */
export async function handleApprovalTimeout(deps: Deps, input: { caseId: string }): Promise<ApprovalTimeoutResult> {
  const { caseId } = input;
  const current = await deps.cases.get(caseId);
  const reminders = current.approval?.reminders ?? 0;
  const escalated = current.approval?.escalated ?? false;
  if (current.decision) return { caseId, next: 'wait', reminders, escalated };

  const next = decideOnTimeout(reminders, deps.settings.maxReminders);
  if (next.action === 'give-up') {
    await updateCaseWithRetry(deps.cases, caseId, withoutPendingTask);
    return { caseId, next: 'expire', reminders, escalated };
  }
  const { case: updated } = await updateCaseWithRetry(deps.cases, caseId, (c) => ({
    ...withoutPendingTask(c),
    ...(c.approval
      ? {
          approval: { ...c.approval, reminders: next.reminderNumber, escalated: c.approval.escalated || next.escalate },
        }
      : {}),
  }));
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
