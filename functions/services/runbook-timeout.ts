import { decideOnTimeout } from '../core/reminder-policy';
import { runbookForCase } from '../core/runbook';
import { recordCaseEvidence } from './case-evidence';
import type { Deps } from './dependencies';
import type { RunbookCursor } from './start-runbook';

/**
 * Runs when a runbook step was not confirmed in time (`States.Timeout`): a reminder in the thread
 * (the last one escalating) until `settings.maxReminders` went unanswered, then `abandon`, which the
 * workflow turns into a failed case with its evidence — a root key must not wait forever unnoticed.
 */
export async function handleRunbookTimeout(
  deps: Deps,
  input: { caseId: string; stepId?: string; reminders?: number },
): Promise<RunbookCursor> {
  const c = await deps.cases.get(input.caseId);
  const sent = input.reminders ?? 0;
  const next = decideOnTimeout(sent, deps.settings.maxReminders);
  const stepId = input.stepId;
  if (next.action === 'give-up') {
    return { caseId: c.caseId, ...(stepId ? { stepId } : {}), reminders: sent, next: 'abandon' };
  }
  const title = stepId ? runbookForCase(c, deps.clock.now()).steps.find((s) => s.id === stepId)?.title : undefined;
  // Like the approval's reminders: the last one escalates (mentions the escalation target).
  await deps.notifier.remindRunbookStep(
    c,
    { id: stepId ?? 'next', title: title ?? stepId ?? 'next' },
    next.reminderNumber,
    next.escalate,
  );
  await recordCaseEvidence(deps, c, next.escalate ? 'escalation' : 'reminder', {
    waitingFor: 'runbook-step',
    stepId,
    reminderNumber: next.reminderNumber,
    maxReminders: deps.settings.maxReminders,
    escalate: next.escalate,
  });
  return { caseId: c.caseId, ...(stepId ? { stepId } : {}), reminders: next.reminderNumber, next: 'await' };
}
