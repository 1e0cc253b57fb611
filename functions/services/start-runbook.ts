import { isTerminal, transition, type Case } from '../core/case';
import { DecisionNotAcceptedError } from '../core/errors';
import { withoutCentralizedRootAccess } from '../core/removal-paths';
import { runbookForCase } from '../core/runbook';
import { nextRunbookStep } from '../core/runbook-progress';
import { recordCaseEvidence } from './case-evidence';
import type { Deps } from './dependencies';
import { updateCaseWithRetry } from './update-case';

/** Why the guided runbook starts (or starts over). */
export type RunbookReason =
  /** The approvers chose it. */
  | 'decision'
  /** Automated deletion turned out impossible (AssumeRoot refused / feature off). */
  | 'root-access-unavailable'
  /** Verification still saw the key after the bounded polling: walk the runbook again, escalated. */
  | 'key-still-present';

/** Where the runbook stands, as the state machine carries it between steps. */
export interface RunbookCursor {
  caseId: string;
  /** The step to wait for; absent when nothing is left to confirm. */
  stepId?: string;
  /** Reminders sent for the current step. */
  reminders: number;
  next: 'await' | 'verify' | 'abandon';
}

const PROGRESS_TEXT: Record<RunbookReason, string> = {
  decision: 'Guided removal started: each step follows in this thread; confirm it when done.',
  'root-access-unavailable':
    'Automated deletion is not available for this account (centralized root access cannot reach it), so the guided runbook takes over.',
  'key-still-present':
    'Verification still sees a root access key after every check. The runbook starts again from its first step; please look at it now.',
};

/**
 * Moves the case into the guided runbook and returns its first step. The variant comes from the
 * case (`runbookForCase`) and is kept with the case so that every later step and message agrees.
 * Starting over after a failed verification clears the confirmations and escalates.
 */
export async function startRunbook(
  deps: Deps,
  input: { caseId: string; reason: RunbookReason },
): Promise<RunbookCursor> {
  const now = deps.clock.now();
  const current = await deps.cases.get(input.caseId);
  if (isTerminal(current.status)) {
    throw new DecisionNotAcceptedError(`Case ${current.caseId} is ${current.status}; no runbook can start`);
  }
  // AssumeRoot was just refused: the paths seen at detection no longer hold, and the runbook must not
  // send anyone to the console's privileged action, which needs the same centralized root access.
  const unavailable = input.reason === 'root-access-unavailable';
  const removalPaths = unavailable ? withoutCentralizedRootAccess(current.removalPaths) : current.removalPaths;
  const runbook = runbookForCase({ ...current, removalPaths }, now);
  const restart = input.reason === 'key-still-present';
  const { case: updated } = await updateCaseWithRetry(deps.cases, current.caseId, (c) => {
    const moved: Case = c.status === 'runbook' ? { ...c } : transition(c, 'runbook', now);
    if (unavailable) moved.removalPaths = withoutCentralizedRootAccess(c.removalPaths);
    const keep = c.runbook && !restart ? c.runbook : undefined;
    moved.runbook = keep ?? { variant: runbook.variant, completed: [] };
    delete moved.pendingTask;
    return moved;
  });
  const stepId = nextRunbookStep(runbook, updated.runbook);
  await recordCaseEvidence(deps, updated, 'runbook-step', {
    started: true,
    reason: input.reason,
    variant: runbook.variant,
    ...(unavailable ? { removalPaths: updated.removalPaths } : {}),
    steps: runbook.steps.map((s) => ({ id: s.id, title: s.title })),
  });
  await deps.notifier.progress(updated, PROGRESS_TEXT[input.reason]);
  return { caseId: updated.caseId, ...(stepId ? { stepId } : {}), reminders: 0, next: stepId ? 'await' : 'verify' };
}
