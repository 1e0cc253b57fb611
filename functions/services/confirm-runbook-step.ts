import type { Case } from '../core/case';
import { ConcurrentUpdateError, TaskTokenExpiredError } from '../core/errors';
import {
  claimRunbookTask,
  clickIdOf,
  evaluateRunbookClick,
  type RunbookClick,
  type RunbookClickRefusal,
  type RunbookTaskOutput,
} from '../core/runbook-confirmation';
import type { ApproverDirectory } from '../ports/approver-directory';
import type { WorkflowCallbacksPort } from '../ports/workflow-callbacks';
import type { Deps } from './dependencies';
import { updateCaseWithRetry } from './update-case';

export type RunbookClickDeps = Pick<Deps, 'cases' | 'clock'>;

export interface RunbookClickInput {
  caseId: string;
  userId: string;
  userName?: string;
  /** Slack's `action_ts` of the click: a replay carries the same one and is refused. */
  actionTs?: string;
}

export type RunbookClickResult =
  /** The waiting task received `output`; the workflow records the step and moves on. */
  | { status: 'sent'; case: Case; output: RunbookTaskOutput }
  | { status: 'refused'; case: Case; refusal: RunbookClickRefusal }
  /** The waiting task had timed out; nothing reached the workflow. */
  | { status: 'expired'; case: Case };

const MAX_ATTEMPTS = 60;

/**
 * An operator confirms that runbook step `stepId` is done. Sends
 * `{ kind: 'step-confirmed', stepId, by, at }` to the `runbook-step` task the workflow waits on; the
 * workflow records the step in the evidence and posts the next one.
 */
export function confirmRunbookStep(
  deps: RunbookClickDeps,
  callbacks: WorkflowCallbacksPort,
  approvers: ApproverDirectory,
  input: RunbookClickInput & { stepId: string },
): Promise<RunbookClickResult> {
  return answerRunbookTask(deps, callbacks, approvers, input, { kind: 'step-confirmed', stepId: input.stepId });
}

/**
 * "Verify now": asks the waiting runbook task to check the account immediately, whichever step it
 * waits on (`{ kind: 'verify-now', by, at }`).
 */
export function requestVerifyNow(
  deps: RunbookClickDeps,
  callbacks: WorkflowCallbacksPort,
  approvers: ApproverDirectory,
  input: RunbookClickInput,
): Promise<RunbookClickResult> {
  return answerRunbookTask(deps, callbacks, approvers, input, { kind: 'verify-now' });
}

/**
 * Claims the waiting task (clears `pendingTask` under the case's version, so that one of several
 * concurrent clicks answers it) and then sends the answer. A transient failure gives the task back.
 */
async function answerRunbookTask(
  deps: RunbookClickDeps,
  callbacks: WorkflowCallbacksPort,
  approvers: ApproverDirectory,
  input: RunbookClickInput,
  click: RunbookClick,
): Promise<RunbookClickResult> {
  const approverIds = await approvers.approverIds();
  const by = input.userName ? { userId: input.userId, userName: input.userName } : { userId: input.userId };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const before = await deps.cases.get(input.caseId);
    const now = deps.clock.now();
    const clickId = clickIdOf(input.userId, input.actionTs);
    const evaluation = evaluateRunbookClick(before, click, by, { approverIds, now, clickId });
    if (evaluation.kind === 'refused') return { status: 'refused', case: before, refusal: evaluation.refusal };
    let claimed: Case;
    try {
      claimed = await deps.cases.update(before.caseId, before.version, (current) =>
        claimRunbookTask(current, now, clickId),
      );
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) continue;
      throw error;
    }
    try {
      await callbacks.sendTaskSuccess(evaluation.token, evaluation.output);
    } catch (error) {
      if (error instanceof TaskTokenExpiredError) return { status: 'expired', case: claimed };
      await updateCaseWithRetry(deps.cases, before.caseId, (c) =>
        c.pendingTask
          ? undefined
          : {
              ...c,
              pendingTask: before.pendingTask,
              // Not answered after all: the same click may be sent again.
              ...(clickId ? { answeredClicks: (c.answeredClicks ?? []).filter((id) => id !== clickId) } : {}),
            },
      );
      throw error;
    }
    return { status: 'sent', case: claimed, output: evaluation.output };
  }
  throw new ConcurrentUpdateError(input.caseId);
}
