import { applyVote, evaluateVote, expireAfterLateDecision, type VoteRefusal } from '../core/approval-policy';
import { clickIdOf } from '../core/runbook-confirmation';
import type { ApprovalVote, Case, Decision, DecisionAction } from '../core/case';
import { ConcurrentUpdateError, TaskTokenExpiredError, describeError } from '../core/errors';
import type { ApproverDirectory } from '../ports/approver-directory';
import type { WorkflowCallbacksPort } from '../ports/workflow-callbacks';
import { recordCaseEvidence } from './case-evidence';
import type { Deps } from './dependencies';
import { updateCaseWithRetry } from './update-case';

/** What recording a vote needs: a full `Deps` fits, and so does the Slack app's smaller set. */
export type VoteDeps = Pick<Deps, 'cases' | 'evidence' | 'clock'>;

export interface VoteInput {
  caseId: string;
  userId: string;
  userName?: string;
  action: DecisionAction;
  reason?: string;
  /** ISO-8601 instant the exception ends (accept-risk requires it). */
  expiresAt?: string;
  /** Slack's `action_ts` of a button click: a replay of an answered click (same user, same time) changes nothing. */
  actionTs?: string;
}

export type VoteResult =
  /**
   * This vote completed the decision; the workflow has received it, or (when the wait it answered
   * had just timed out) receives it from the case at its next wait.
   */
  | { status: 'decided'; case: Case; decision: Decision }
  /** Counted; more distinct approvers must agree (four-eyes). */
  | { status: 'recorded'; case: Case; vote: ApprovalVote; agreeing: number; required: number }
  /** Nothing changed; `refusal` says why. */
  | { status: 'refused'; case: Case; refusal: VoteRefusal }
  /** The workflow's wait had timed out before the decision arrived: the case is closed as expired. */
  | { status: 'expired'; case: Case; decision: Decision };

/** Enough for 50 concurrent clicks on one message with an in-memory or DynamoDB store. */
const MAX_ATTEMPTS = 60;

/** A reminder may start a new wait (new token) while a decision is on its way: follow it this often. */
const MAX_TOKEN_HOPS = 3;

/**
 * Records one approver's click on an approval request and, when `case.requiredApprovals` distinct
 * approvers agree on the same action, hands the `Decision` to the waiting workflow task.
 *
 * Exactly one of many concurrent clicks decides: the decision and the cleared `pendingTask` are
 * written with the case's version as condition, so only the first writer succeeds and every other
 * click re-reads the case and is told who decided. The task token is read from the case on the
 * server side and goes only to `callbacks`.
 */
export async function recordVote(
  deps: VoteDeps,
  callbacks: WorkflowCallbacksPort,
  approvers: ApproverDirectory,
  input: VoteInput,
): Promise<VoteResult> {
  const approverIds = await approvers.approverIds();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const before = await deps.cases.get(input.caseId);
    const now = deps.clock.now();
    const clickId = clickIdOf(input.userId, input.actionTs);
    const evaluation = evaluateVote(before, toVote(input, now), { approverIds, now, clickId });
    if (evaluation.kind === 'refused') return { status: 'refused', case: before, refusal: evaluation.refusal };

    let claimed: Case;
    try {
      claimed = await deps.cases.update(before.caseId, before.version, (current) =>
        applyVote(current, evaluation, now, clickId),
      );
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) continue;
      throw error;
    }

    const counted = evaluation.votes.at(-1)!;
    await recordCaseEvidence(
      deps,
      claimed,
      'decision',
      {
        event: evaluation.kind === 'decided' ? 'decided' : 'vote-recorded',
        vote: counted,
        requiredApprovals: Math.max(1, before.requiredApprovals),
        votes: evaluation.votes.length,
        ...(evaluation.changedFrom ? { changedFrom: evaluation.changedFrom } : {}),
        ...(evaluation.lapsed ? { lapsedVotes: evaluation.lapsed } : {}),
        ...(evaluation.kind === 'decided' ? { decision: evaluation.decision } : { agreeing: evaluation.agreeing }),
      },
      { latest: claimed },
    );
    if (evaluation.kind === 'recorded') {
      return {
        status: 'recorded',
        case: claimed,
        vote: counted,
        agreeing: evaluation.agreeing,
        required: evaluation.required,
      };
    }
    return deliver(deps, callbacks, before, evaluation.decision);
  }
  throw new ConcurrentUpdateError(input.caseId);
}

/** Sends the decision to the task that `before.pendingTask` waited on, and handles a task that is gone. */
async function deliver(
  deps: VoteDeps,
  callbacks: WorkflowCallbacksPort,
  before: Case,
  decision: Decision,
): Promise<VoteResult> {
  const ours = (c: Case) => c.decision?.decidedAt === decision.decidedAt && c.decision.action === decision.action;
  if (!before.pendingTask) {
    // Decided between two waits: kept on the case; the next wait's request-approval delivers it.
    return { status: 'decided', case: await deps.cases.get(before.caseId), decision };
  }
  let token = before.pendingTask.token;
  for (let hop = 0; ; hop += 1) {
    try {
      await callbacks.sendTaskSuccess(token, decision);
      return { status: 'decided', case: await deps.cases.get(before.caseId), decision };
    } catch (error) {
      if (!(error instanceof TaskTokenExpiredError)) {
        await undoClaim(deps, before, decision, ours, error);
        throw error;
      }
      // A reminder may have started a new wait meanwhile: the decision belongs to that one.
      const newer = await claimNewerToken(deps, before.caseId, token, ours);
      if (newer && hop < MAX_TOKEN_HOPS) {
        token = newer;
        continue;
      }
      // No newer wait yet: the workflow is between two waits (the timed-out wait's reminder, or a
      // re-posted request, comes next). The decision stays on the case and that next wait's
      // request-approval hands it over at once ('already-decided'); the approval-timeout task sees
      // it too and waits instead of expiring. Only a case that left the approval stage expires it.
      const now = await deps.cases.get(before.caseId);
      if (ours(now) && now.status === 'awaiting-approval') return { status: 'decided', case: now, decision };
      return expire(deps, before, decision, ours, error);
    }
  }
}

async function claimNewerToken(
  deps: VoteDeps,
  caseId: string,
  oldToken: string,
  ours: (c: Case) => boolean,
): Promise<string | undefined> {
  let token: string | undefined;
  await updateCaseWithRetry(deps.cases, caseId, (c) => {
    token = undefined;
    if (!ours(c) || c.pendingTask?.kind !== 'approval' || c.pendingTask.token === oldToken) return undefined;
    token = c.pendingTask.token;
    const next = { ...c };
    delete next.pendingTask;
    return next;
  });
  return token;
}

async function expire(
  deps: VoteDeps,
  before: Case,
  decision: Decision,
  ours: (c: Case) => boolean,
  error: unknown,
): Promise<VoteResult> {
  const result = await updateCaseWithRetry(deps.cases, before.caseId, (c) =>
    ours(c) && c.status === 'awaiting-approval' ? expireAfterLateDecision(c, decision, deps.clock.now()) : undefined,
  );
  if (result.applied) {
    await recordCaseEvidence(deps, before, 'outcome', {
      status: 'expired',
      summary:
        result.case.outcome?.summary ??
        `The ${decision.action} decision arrived after the approval request had expired; nothing was changed.`,
      lateDecision: decision,
      error: describeError(error),
    });
  }
  return { status: 'expired', case: await deps.cases.get(before.caseId), decision };
}

/**
 * The workflow did not get the decision for another reason (throttling, an outage): undo the claim so
 * that the approvers can click again, and keep the failure in the evidence.
 */
async function undoClaim(
  deps: VoteDeps,
  before: Case,
  decision: Decision,
  ours: (c: Case) => boolean,
  error: unknown,
): Promise<void> {
  const result = await updateCaseWithRetry(deps.cases, before.caseId, (c) => {
    if (!ours(c)) return undefined;
    const next: Case = { ...c, approval: before.approval, pendingTask: before.pendingTask };
    delete next.decision;
    if (!before.approval) delete next.approval;
    return next;
  });
  if (result.applied) {
    await recordCaseEvidence(deps, before, 'decision', {
      event: 'delivery-failed',
      decision,
      error: describeError(error),
    });
  }
}

function toVote(input: VoteInput, now: Date): ApprovalVote {
  const vote: ApprovalVote = { userId: input.userId, action: input.action, at: now.toISOString() };
  if (input.userName) vote.userName = input.userName;
  if (input.reason !== undefined) vote.reason = input.reason;
  if (input.expiresAt !== undefined) vote.expiresAt = input.expiresAt;
  return vote;
}
