import type { ApprovalVote, Case, CaseStatus, Decision, DecisionAction } from './case';
import { isTerminal } from './case';
import { canDeleteAutomatically } from './removal-paths';
import { MAX_ACCEPTANCE_DAYS } from './risk-acceptance';

/** How many answered clicks a case remembers: replays come within Slack's five-minute signature window. */
export const ANSWERED_CLICKS_KEPT = 20;

/** An exception (accept the risk, reject the removal) lasts at most this long: the workflow's own limit. */
export const MAX_EXCEPTION_DAYS = MAX_ACCEPTANCE_DAYS;

/** Longest reason kept; Slack's plain-text input allows 3000 characters, evidence stays readable. */
export const MAX_REASON_LENGTH = 2000;

const DAY_MS = 86_400_000;

/**
 * Decisions that keep the key: both need a reason for the evidence. Accepting the risk also needs an
 * expiry (the account is checked again then); a rejection may carry one.
 */
export function isException(action: DecisionAction): action is 'accept-risk' | 'reject' {
  return action === 'accept-risk' || action === 'reject';
}

export function requiresExpiry(action: DecisionAction): boolean {
  return action === 'accept-risk';
}

/**
 * Whether `userId` may decide. Approvers are a Slack user group or an explicit list, resolved by the
 * caller into a set; an empty set authorizes nobody (never everybody).
 */
export function isAuthorizedApprover(userId: string, approverIds: ReadonlySet<string>): boolean {
  return userId.length > 0 && approverIds.has(userId);
}

/**
 * Turns a datepicker value (`YYYY-MM-DD`) into the instant the exception ends: the start of that day in
 * UTC, so that "until 2025-03-01" never silently includes March 1st in a later time zone.
 * Returns undefined for anything that is not a real calendar date.
 */
export function expiryFromDate(date: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const at = new Date(Date.UTC(y, m - 1, d));
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== m - 1 || at.getUTCDate() !== d) return undefined;
  return at.toISOString();
}

/** Field errors of an exception request, keyed by field; empty when it is acceptable. */
export interface ExceptionErrors {
  reason?: string;
  expiresAt?: string;
}

/**
 * Checks an exception's reason and expiry: a reason is always required; an expiry (required when
 * accepting the risk, because an exception without an end is a silent, permanent Critical finding)
 * must be in the future and at most {@link MAX_EXCEPTION_DAYS} days away.
 */
export function validateException(
  input: { action: DecisionAction; reason?: string; expiresAt?: string },
  now: Date,
): ExceptionErrors {
  const errors: ExceptionErrors = {};
  const reason = input.reason?.trim() ?? '';
  if (reason.length === 0) errors.reason = 'Give a reason: it goes into the evidence and the Security Hub note.';
  else if (reason.length > MAX_REASON_LENGTH) errors.reason = `Keep the reason under ${MAX_REASON_LENGTH} characters.`;

  const expiry = input.expiresAt ? Date.parse(input.expiresAt) : Number.NaN;
  if (!input.expiresAt) {
    if (requiresExpiry(input.action)) errors.expiresAt = 'Choose the date when the accepted risk ends.';
  } else if (Number.isNaN(expiry)) errors.expiresAt = 'That is not a valid date.';
  else if (expiry <= now.getTime()) errors.expiresAt = 'Choose a date in the future.';
  else if (expiry > now.getTime() + MAX_EXCEPTION_DAYS * DAY_MS)
    errors.expiresAt = `Choose a date at most ${MAX_EXCEPTION_DAYS} days from today.`;
  return errors;
}

export function hasErrors(errors: ExceptionErrors): boolean {
  return errors.reason !== undefined || errors.expiresAt !== undefined;
}

/** Why a click changes nothing. Every refusal carries what the person needs to hear. */
export type VoteRefusal =
  | { code: 'not-approver' }
  | { code: 'already-decided'; decision: Decision }
  | { code: 'expired'; at: string }
  | { code: 'closed'; status: CaseStatus; at: string }
  | { code: 'not-waiting'; status: CaseStatus }
  | { code: 'already-voted'; vote: ApprovalVote }
  /** This very click (same user, same Slack action time) was counted before: a replay. */
  | { code: 'replayed' }
  | { code: 'delete-unavailable' }
  | { code: 'invalid-exception'; errors: ExceptionErrors };

/** What an accepted vote replaced: the voter's own earlier vote, and others' votes whose expiry has passed. */
export interface VoteChanges {
  /** The voter's previous vote, when this click changes it (allowed until the case is decided). */
  changedFrom?: ApprovalVote;
  /** Exception votes whose expiry is no longer in the future: dropped, so those approvers are asked again. */
  lapsed?: ApprovalVote[];
}

export type VoteEvaluation =
  | { kind: 'refused'; refusal: VoteRefusal }
  /** Counted, but fewer than the required distinct approvers agree so far. */
  | ({ kind: 'recorded'; votes: ApprovalVote[]; agreeing: number; required: number } & VoteChanges)
  | ({ kind: 'decided'; votes: ApprovalVote[]; decision: Decision } & VoteChanges);

/**
 * Decides what one approver's click does to a case, without changing it.
 *
 * Order matters: authorization first (an outsider learns nothing and changes nothing), then whether the
 * case still waits for a decision, then the action's own rules (delete only where AssumeRoot deletion
 * exists; exceptions need a reason and a future expiry), then four-eyes: each person counts once, and
 * the decision falls when `requiredApprovals` distinct approvers agree on the same action.
 *
 * Until the case is decided an approver may change their vote (a split delete/runbook vote could
 * otherwise never be resolved); the same vote again is a replay and changes nothing. An exception
 * vote whose expiry has passed by now no longer counts: a decision takes an expiry that is in the
 * future when it is decided, so that approver is asked again instead of the case failing later.
 */
export function evaluateVote(
  c: Case,
  vote: ApprovalVote,
  context: { approverIds: ReadonlySet<string>; now: Date; clickId?: string },
): VoteEvaluation {
  const refuse = (refusal: VoteRefusal): VoteEvaluation => ({ kind: 'refused', refusal });
  if (!isAuthorizedApprover(vote.userId, context.approverIds)) return refuse({ code: 'not-approver' });
  // A replayed click must not undo a later change of vote: it is recognised by its Slack action time.
  if (context.clickId && c.answeredClicks?.includes(context.clickId)) return refuse({ code: 'replayed' });
  const waiting = waitingState(c);
  if (waiting) return refuse(waiting);
  if (vote.action === 'delete' && !canDeleteAutomatically(c.removalPaths))
    return refuse({ code: 'delete-unavailable' });
  if (isException(vote.action)) {
    const errors = validateException(vote, context.now);
    if (hasErrors(errors)) return refuse({ code: 'invalid-exception', errors });
  }
  const previous = c.approval?.votes ?? [];
  const own = previous.find((v) => v.userId === vote.userId);
  const counted = normalizeVote(vote);
  if (own && sameVote(own, counted)) return refuse({ code: 'already-voted', vote: own });

  const others = previous.filter((v) => v.userId !== vote.userId);
  const lapsed = others.filter((v) => hasLapsed(v, context.now));
  // The voter's vote goes last: it is the one this click counted.
  const votes = [...others.filter((v) => !lapsed.includes(v)), counted];
  const changes: VoteChanges = { ...(own ? { changedFrom: own } : {}), ...(lapsed.length ? { lapsed } : {}) };
  const agreeing = votes.filter((v) => v.action === vote.action);
  const required = Math.max(1, c.requiredApprovals);
  if (agreeing.length < required) {
    return { kind: 'recorded', votes, agreeing: agreeing.length, required, ...changes };
  }
  return { kind: 'decided', votes, decision: buildDecision(c, agreeing, context.now), ...changes };
}

/** Same choice, reason and expiry: a replayed or repeated click, not a change. */
function sameVote(a: ApprovalVote, b: ApprovalVote): boolean {
  return a.action === b.action && (a.reason ?? '') === (b.reason ?? '') && (a.expiresAt ?? '') === (b.expiresAt ?? '');
}

/** An exception vote whose expiry is not in the future any more. */
function hasLapsed(v: ApprovalVote, now: Date): boolean {
  return isException(v.action) && v.expiresAt !== undefined && Date.parse(v.expiresAt) <= now.getTime();
}

/** Why a case does not accept a vote now, or undefined when it waits for one. */
export function waitingState(c: Case): VoteRefusal | undefined {
  if (c.decision) return { code: 'already-decided', decision: c.decision };
  if (c.status === 'expired') return { code: 'expired', at: c.closedAt ?? c.updatedAt };
  if (isTerminal(c.status)) return { code: 'closed', status: c.status, at: c.closedAt ?? c.updatedAt };
  if (c.approval?.expiredAt) return { code: 'expired', at: c.approval.expiredAt };
  if (c.status !== 'awaiting-approval') return { code: 'not-waiting', status: c.status };
  // Waiting, or between two waits (a timed-out wait's reminder or a re-posted request comes next):
  // a decision made now is kept on the case and the next wait hands it to the workflow.
  if (c.pendingTask && c.pendingTask.kind !== 'approval') return { code: 'not-waiting', status: c.status };
  return undefined;
}

/**
 * The case after an accepted vote: the vote is kept, and a decision (when one fell) is set and the
 * pending task cleared in the same write, so that the optimistic version check lets exactly one of
 * many concurrent clicks claim it. The status is left to the workflow, which applies the decision.
 */
export function applyVote(
  c: Case,
  evaluation: Exclude<VoteEvaluation, { kind: 'refused' }>,
  now: Date,
  clickId?: string,
): Case {
  const at = now.toISOString();
  const approval = c.approval ?? { requestedAt: c.pendingTask?.since ?? at, reminders: 0, escalated: false, votes: [] };
  const next: Case = { ...c, updatedAt: at, approval: { ...approval, votes: evaluation.votes } };
  if (clickId) next.answeredClicks = [...(c.answeredClicks ?? []), clickId].slice(-ANSWERED_CLICKS_KEPT);
  if (evaluation.kind === 'decided') {
    next.decision = evaluation.decision;
    delete next.pendingTask;
  }
  return next;
}

/**
 * The case after the workflow refused a decision because its wait had already timed out: closed as
 * expired, the decision that never arrived removed, and an outcome that says so.
 */
export function expireAfterLateDecision(c: Case, decision: Decision, now: Date): Case {
  const at = now.toISOString();
  const next: Case = {
    ...c,
    status: 'expired',
    updatedAt: at,
    closedAt: at,
    outcome: {
      status: 'expired',
      summary: `The approval request had already expired when ${decision.approvers.map((a) => a.userName ?? a.userId).join(', ')} chose "${decision.action}"; nothing was done.`,
      at,
    },
  };
  delete next.decision;
  delete next.pendingTask;
  return next;
}

function normalizeVote(vote: ApprovalVote): ApprovalVote {
  const out: ApprovalVote = { userId: vote.userId, action: vote.action, at: vote.at };
  if (vote.userName) out.userName = vote.userName;
  if (isException(vote.action)) {
    out.reason = vote.reason?.trim();
    if (vote.expiresAt) out.expiresAt = vote.expiresAt;
  }
  return out;
}

/**
 * With several agreeing approvers an exception takes the earliest expiry any of them accepted (the
 * conservative reading) and keeps every reason, each attributed.
 */
function buildDecision(c: Case, agreeing: ApprovalVote[], now: Date): Decision {
  const action = agreeing[0]!.action;
  const decision: Decision = {
    action,
    approvers: agreeing,
    decidedAt: now.toISOString(),
    approvedKeys: c.posture.keys.map((k) => k.maskedId),
  };
  if (isException(action)) {
    decision.reason =
      agreeing.length === 1
        ? agreeing[0]!.reason
        : agreeing.map((v) => `${v.userName ?? v.userId}: ${v.reason ?? ''}`).join('\n');
    const expiries = agreeing.flatMap((v) => (v.expiresAt ? [v.expiresAt] : []));
    const earliest = expiries.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
    if (earliest) decision.expiresAt = earliest;
  }
  return decision;
}

/**
 * Reads the exception form (reason text, datepicker date) into a vote's reason and expiry, with the
 * field errors to show when it is not acceptable.
 */
export function readExceptionForm(
  form: { action: DecisionAction; reason?: string; date?: string },
  now: Date,
): { errors: ExceptionErrors; reason: string; expiresAt?: string } {
  const reason = form.reason?.trim() ?? '';
  const expiresAt = form.date ? expiryFromDate(form.date) : undefined;
  if (form.date && !expiresAt) {
    const errors = validateException({ action: form.action, reason }, now);
    return { errors: { ...errors, expiresAt: 'That is not a valid date.' }, reason };
  }
  const errors = validateException({ action: form.action, reason, ...(expiresAt ? { expiresAt } : {}) }, now);
  return { errors, reason, ...(expiresAt ? { expiresAt } : {}) };
}
