import type { Approver, Case, CaseStatus } from './case';
import { isTerminal } from './case';
import { ANSWERED_CLICKS_KEPT, isAuthorizedApprover } from './approval-policy';

/** What a runbook click asks the waiting workflow task to do. */
export type RunbookClick = { kind: 'step-confirmed'; stepId: string } | { kind: 'verify-now' };

/** The output sent to the waiting `runbook-step` task (SendTaskSuccess); never contains the token. */
export type RunbookTaskOutput =
  | { kind: 'step-confirmed'; stepId: string; by: Approver; at: string }
  | { kind: 'verify-now'; by: Approver; at: string };

export type RunbookClickRefusal =
  | { code: 'not-approver' }
  | { code: 'closed'; status: CaseStatus; at: string }
  /** No runbook step is waiting: already confirmed by someone, verification running, or not started. */
  | { code: 'not-waiting'; status: CaseStatus; lastConfirmed?: { stepId: string; by: string; at: string } }
  /** The button belongs to another step than the one the workflow waits for (an old message). */
  | { code: 'wrong-step'; expectedStepId: string }
  /** This very click (same user and Slack action time) was answered before: a replay. */
  | { code: 'replayed' };

/** The id of one Slack click: who clicked and Slack's `action_ts`, which a replay repeats exactly. */
export function clickIdOf(userId: string, actionTs: string | undefined): string | undefined {
  return actionTs ? `${userId}:${actionTs}` : undefined;
}

export type RunbookClickEvaluation =
  { kind: 'refused'; refusal: RunbookClickRefusal } | { kind: 'accepted'; token: string; output: RunbookTaskOutput };

/**
 * Decides whether a runbook click answers the task the workflow waits for. Only approvers may confirm
 * steps (they stand in for the operator's accountability in the evidence); a stale button from an
 * earlier step is refused instead of confirming the step that is actually pending.
 */
export function evaluateRunbookClick(
  c: Case,
  click: RunbookClick,
  by: Approver,
  context: { approverIds: ReadonlySet<string>; now: Date; clickId?: string },
): RunbookClickEvaluation {
  const refuse = (refusal: RunbookClickRefusal): RunbookClickEvaluation => ({ kind: 'refused', refusal });
  if (!isAuthorizedApprover(by.userId, context.approverIds)) return refuse({ code: 'not-approver' });
  if (context.clickId && c.answeredClicks?.includes(context.clickId)) return refuse({ code: 'replayed' });
  if (isTerminal(c.status)) return refuse({ code: 'closed', status: c.status, at: c.closedAt ?? c.updatedAt });
  const pending = c.pendingTask;
  if (pending?.kind !== 'runbook-step') {
    const lastConfirmed = c.runbook?.completed.at(-1);
    return refuse({ code: 'not-waiting', status: c.status, ...(lastConfirmed ? { lastConfirmed } : {}) });
  }
  const at = context.now.toISOString();
  const who: Approver = by.userName ? { userId: by.userId, userName: by.userName } : { userId: by.userId };
  if (click.kind === 'verify-now')
    return { kind: 'accepted', token: pending.token, output: { kind: 'verify-now', by: who, at } };
  if (pending.stepId !== undefined && pending.stepId !== click.stepId)
    return refuse({ code: 'wrong-step', expectedStepId: pending.stepId });
  return {
    kind: 'accepted',
    token: pending.token,
    output: { kind: 'step-confirmed', stepId: click.stepId, by: who, at },
  };
}

/** The case once a click has claimed the waiting task: nobody else can answer it. */
export function claimRunbookTask(c: Case, now: Date, clickId?: string): Case {
  const next: Case = { ...c, updatedAt: now.toISOString() };
  if (clickId) next.answeredClicks = [...(c.answeredClicks ?? []), clickId].slice(-ANSWERED_CLICKS_KEPT);
  delete next.pendingTask;
  return next;
}
