import type { RunbookProgress } from './case';

/** The part of a runbook the progress needs: its steps, in order. */
export interface RunbookOutline {
  variant: string;
  steps: readonly { id: string; title?: string }[];
}

/** The first step not confirmed yet, or undefined when every step is confirmed. */
export function nextRunbookStep(runbook: RunbookOutline, progress: RunbookProgress | undefined): string | undefined {
  const done = new Set((progress?.completed ?? []).map((c) => c.stepId));
  return runbook.steps.find((s) => !done.has(s.id))?.id;
}

/** What a confirmation does to the progress. */
export type StepConfirmation =
  | { accepted: true; progress: RunbookProgress; next: string | undefined }
  | { accepted: false; reason: string; next: string | undefined };

/**
 * Confirms `stepId` when it is the step the runbook waits for. A confirmation of a step already
 * done, or of a later step, is refused (the runbook is walked in order: later steps assume earlier
 * ones, such as signing in before deleting), and the progress is left unchanged.
 */
export function confirmRunbookStep(
  runbook: RunbookOutline,
  progress: RunbookProgress | undefined,
  confirmation: { stepId: string; by: string; at: string },
): StepConfirmation {
  const current: RunbookProgress = progress ?? { variant: runbook.variant, completed: [] };
  const expected = nextRunbookStep(runbook, current);
  if (!runbook.steps.some((s) => s.id === confirmation.stepId)) {
    return {
      accepted: false,
      reason: `Step ${confirmation.stepId} is not part of the ${runbook.variant} runbook`,
      next: expected,
    };
  }
  if (expected === undefined || confirmation.stepId !== expected) {
    return {
      accepted: false,
      reason: expected
        ? `Step ${confirmation.stepId} cannot be confirmed now: the runbook waits for step ${expected}`
        : 'Every step of the runbook is confirmed already',
      next: expected,
    };
  }
  const updated: RunbookProgress = {
    variant: current.variant,
    completed: [...current.completed, { stepId: confirmation.stepId, by: confirmation.by, at: confirmation.at }],
  };
  return { accepted: true, progress: updated, next: nextRunbookStep(runbook, updated) };
}
