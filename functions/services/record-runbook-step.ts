import * as z from '../core/zod-mini';
import { transition, type Case } from '../core/case';
import { InvalidInputError } from '../core/errors';
import { runbookForCase } from '../core/runbook';
import { confirmRunbookStep } from '../core/runbook-progress';
import { recordCaseEvidence } from './case-evidence';
import type { Deps } from './dependencies';
import type { RunbookCursor } from './start-runbook';
import { updateCaseWithRetry } from './update-case';

const isoDate = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 date'));
const by = z.looseObject({ userId: z.string().check(z.minLength(1)), userName: z.optional(z.string()) });

/** What a runbook click sends to the waiting task (SLACK's `RunbookTaskOutput`), checked at the edge. */
export const runbookTaskOutputSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('step-confirmed'), stepId: z.string().check(z.minLength(1)), by, at: isoDate }),
  z.looseObject({ kind: z.literal('verify-now'), by, at: isoDate }),
]);

/**
 * Records what the operator told the waiting runbook task: a confirmed step (evidence
 * `runbook-step`, progress in the thread) and which step comes next, or — after the last step or on
 * "verify now" — the move to verification. A confirmation of another step than the awaited one
 * (an old button) changes nothing and the workflow keeps waiting for the right one.
 */
export async function recordRunbookStep(
  deps: Deps,
  input: { caseId: string; stepId?: string; output: unknown },
): Promise<RunbookCursor> {
  const parsed = runbookTaskOutputSchema.safeParse(input.output);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidInputError(`Invalid runbook answer: ${issues.join('; ')}`, issues);
  }
  const answer = parsed.data;
  const now = deps.clock.now();
  const current = await deps.cases.get(input.caseId);
  const runbook = runbookForCase(current, now);
  const who = answer.by.userName ?? answer.by.userId;

  if (answer.kind === 'verify-now') {
    const moved = await toVerification(deps, current.caseId, now);
    await recordCaseEvidence(deps, moved, 'runbook-step', { verifyNow: true, by: answer.by, at: answer.at });
    await deps.notifier.progress(moved, `${who} asked to verify now; checking the account.`);
    return { caseId: moved.caseId, reminders: 0, next: 'verify' };
  }

  const confirmation = confirmRunbookStep(runbook, current.runbook, {
    stepId: answer.stepId,
    by: answer.by.userId,
    at: answer.at,
  });
  if (!confirmation.accepted) {
    return {
      caseId: current.caseId,
      ...(confirmation.next ? { stepId: confirmation.next } : {}),
      reminders: 0,
      next: confirmation.next ? 'await' : 'verify',
    };
  }
  const { case: updated } = await updateCaseWithRetry(deps.cases, current.caseId, (c) => {
    const next: Case = { ...c, runbook: confirmation.progress };
    delete next.pendingTask;
    return next;
  });
  const step = runbook.steps.find((s) => s.id === answer.stepId);
  await recordCaseEvidence(deps, updated, 'runbook-step', {
    stepId: answer.stepId,
    title: step?.title ?? answer.stepId,
    variant: runbook.variant,
    by: answer.by,
    at: answer.at,
  });
  await deps.notifier.progress(updated, `Step "${step?.title ?? answer.stepId}" confirmed by ${who}.`);
  if (confirmation.next) return { caseId: updated.caseId, stepId: confirmation.next, reminders: 0, next: 'await' };

  const moved = await toVerification(deps, updated.caseId, now);
  await deps.notifier.progress(moved, 'Every runbook step is confirmed; verifying that the root access key is gone.');
  return { caseId: moved.caseId, reminders: 0, next: 'verify' };
}

async function toVerification(deps: Deps, caseId: string, now: Date): Promise<Case> {
  const { case: moved } = await updateCaseWithRetry(deps.cases, caseId, (c) => {
    if (c.status === 'verifying') return undefined;
    const next = transition(c, 'verifying', now);
    delete next.pendingTask;
    return next;
  });
  return moved;
}
