import * as z from '../core/zod-mini';
import { transition, type Case, type Decision } from '../core/case';
import { isException } from '../core/approval-policy';
import { statusAfterDecision } from '../core/decision-routing';
import { DecisionNotAcceptedError, InvalidInputError, SlackUnavailableError } from '../core/errors';
import { recheckScheduleFor, type RecheckSchedule } from '../core/recheck-schedule';
import { canDeleteAutomatically } from '../core/removal-paths';
import { acceptanceExpiry } from '../core/risk-acceptance';
import { recordCaseEvidence } from './case-evidence';
import { updateCaseWithRetry } from './update-case';
import type { Deps } from './dependencies';

const isoDate = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 date'));
const action = z.enum(['delete', 'runbook', 'accept-risk', 'reject']);

/** The `Decision` the approval task's token was completed with (core/case.ts), checked at the edge. */
export const decisionSchema = z.looseObject({
  action,
  approvers: z
    .array(
      z.looseObject({
        userId: z.string().check(z.minLength(1)),
        userName: z.optional(z.string()),
        action,
        at: isoDate,
        reason: z.optional(z.string()),
        expiresAt: z.optional(isoDate),
      }),
    )
    .check(z.minLength(1, 'a decision names at least one approver')),
  decidedAt: isoDate,
  reason: z.optional(z.string()),
  expiresAt: z.optional(isoDate),
  approvedKeys: z.array(z.string()),
});

export interface AppliedDecision {
  caseId: string;
  action: Decision['action'];
  status: string;
  /** Present for exceptions with an end: the one-time schedule that checks the account again. */
  recheck?: RecheckSchedule;
}

export function parseDecision(raw: unknown): Decision {
  const parsed = decisionSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidInputError(`Invalid decision: ${issues.join('; ')}`, issues);
  }
  return parsed.data as Decision;
}

/**
 * Applies the approvers' decision to the case: the status it leads to, the decision kept with the
 * case, the waiting token cleared, the Slack request showing who decided. The decision stored by the
 * vote (server side) is authoritative; one that differs from the task output is refused. Deletion
 * needs the automated path; an accepted risk needs a valid expiry (at most a year), and any exception
 * with an end gets a re-check schedule.
 */
export async function applyDecision(
  deps: Deps,
  input: { caseId: string; decision: unknown },
): Promise<AppliedDecision> {
  const given = parseDecision(input.decision);
  const current = await deps.cases.get(input.caseId);
  const stored = current.decision;
  if (stored && stored.action !== given.action) {
    throw new DecisionNotAcceptedError(
      `Case ${current.caseId}: the workflow received '${given.action}' but the approvers decided '${stored.action}'`,
    );
  }
  const decision = stored ?? given;
  const status = statusAfterDecision(decision.action);
  if (decision.action === 'delete' && !canDeleteAutomatically(current.removalPaths)) {
    throw new DecisionNotAcceptedError(`Case ${current.caseId}: automated deletion is not available for this account`);
  }
  if (decision.action === 'accept-risk') acceptanceExpiry(decision);
  const recheck =
    isException(decision.action) && decision.expiresAt
      ? recheckScheduleFor(current.caseId, current.accountId, decision.expiresAt)
      : undefined;

  if (current.status === status) {
    // A retried invocation after the status moved: the work is done, answer the same.
    return { caseId: current.caseId, action: decision.action, status, ...(recheck ? { recheck } : {}) };
  }
  const { case: updated } = await updateCaseWithRetry(deps.cases, current.caseId, (c) => {
    // A retried invocation after the status moved: nothing more to store.
    if (c.status === status) return undefined;
    const moved: Case = { ...transition(c, status, deps.clock.now()), decision };
    delete moved.pendingTask;
    return moved;
  });
  await recordCaseEvidence(deps, updated, 'decision', {
    applied: true,
    action: decision.action,
    approvers: decision.approvers.map((a) => ({ userId: a.userId, userName: a.userName, at: a.at })),
    decidedAt: decision.decidedAt,
    approvedKeys: decision.approvedKeys,
    ...(decision.reason ? { reason: decision.reason } : {}),
    ...(decision.expiresAt ? { expiresAt: decision.expiresAt } : {}),
    ...(recheck ? { recheckAt: recheck.expression } : {}),
  });
  await showDecision(deps, updated);
  return { caseId: current.caseId, action: decision.action, status, ...(recheck ? { recheck } : {}) };
}

/**
 * Replaces the request's buttons by the decision. A Slack outage never undoes a decision: the case
 * goes on, marked `decisionNotShown`, and the outcome message shows the decision when it is posted.
 */
async function showDecision(deps: Deps, c: Case): Promise<void> {
  try {
    await deps.notifier.showDecision(c);
  } catch (error) {
    if (!(error instanceof SlackUnavailableError)) throw error;
    await updateCaseWithRetry(deps.cases, c.caseId, (current) =>
      current.decisionNotShown ? undefined : { ...current, decisionNotShown: true },
    );
  }
}
