import { DecisionNotAcceptedError } from '../core/errors';
import type { Deps } from './dependencies';
import { updateCaseWithRetry } from './update-case';

/**
 * The body of the `waitForTaskToken` runbook task: stores the token with the case for the step the
 * workflow waits on (server side only) and posts the step's instructions with its buttons. After a
 * reminder (`reminders` > 0) the step was posted already: only the token is renewed.
 */
export async function awaitRunbookStep(
  deps: Deps,
  input: { caseId: string; stepId: string; token: string; reminders?: number },
): Promise<{ caseId: string; stepId: string; posted: boolean }> {
  const since = deps.clock.now().toISOString();
  const { case: waiting } = await updateCaseWithRetry(deps.cases, input.caseId, (c) => {
    if (c.status !== 'runbook') {
      throw new DecisionNotAcceptedError(`Case ${c.caseId} is ${c.status}; no runbook step can wait`);
    }
    return { ...c, pendingTask: { kind: 'runbook-step', token: input.token, since, stepId: input.stepId } };
  });
  const post = (input.reminders ?? 0) === 0;
  if (post) await deps.notifier.runbookStep(waiting, input.stepId);
  return { caseId: waiting.caseId, stepId: input.stepId, posted: post };
}
