import type { Case } from './case';
import { isAuthorizedApprover } from './approval-policy';
import type { AccountGuardrail } from './guardrails';

/**
 * "Prevent recurrence…" after a remediated case: what rootkey offers in the case's Slack thread,
 * who may approve it, and when it is approved (four-eyes honoured). Pure.
 */

/** What approving the offer does. */
export type PreventionAction =
  /** Create (if needed) and attach rootkey's SCP to the account's parent (its OU, or the root). */
  | 'attach-scp'
  /** Delete the member account's remaining root credentials (IAMDeleteRootUserCredentials). */
  | 'delete-root-credentials';

export interface PreventionVote {
  userId: string;
  userName?: string;
  at: string;
}

export interface GuardrailOffer {
  offeredAt: string;
  actions: PreventionAction[];
  /** Where the SCP would be attached (attach-scp only). */
  targetId?: string;
  /** Member accounts the attachment newly covers (attach-scp only). */
  newlyCovered?: string[];
  votes: PreventionVote[];
  status: 'offered' | 'applying' | 'applied' | 'failed';
  /** One sentence per change made, or the error. */
  result?: string[];
  decidedAt?: string;
}

/**
 * What to offer for a case that just closed, given the account's guardrail state. Nothing for a case
 * that did not end remediated, for the management account (SCPs do not apply to it) or when nothing
 * is missing. `attach-scp` needs SCPs enabled and the account uncovered; `delete-root-credentials`
 * needs both centralized root access features and a remaining root credential.
 */
export function decidePreventionOffer(
  c: Case,
  account: AccountGuardrail | undefined,
  context: {
    scpsEnabled: boolean;
    features: { rootCredentialsManagement: boolean; rootSessions: boolean };
    canDeleteCredentials: boolean;
  },
): PreventionAction[] {
  if (c.status !== 'remediated' || !account || account.type !== 'member') return [];
  const actions: PreventionAction[] = [];
  if (context.scpsEnabled && !account.coverage.covered) actions.push('attach-scp');
  if (
    context.canDeleteCredentials &&
    context.features.rootCredentialsManagement &&
    context.features.rootSessions &&
    account.hasRootCredentials
  ) {
    actions.push('delete-root-credentials');
  }
  return actions;
}

export type PreventionRefusal = 'not-approver' | 'not-offered' | 'already-decided' | 'duplicate-vote';

export type PreventionVoteEvaluation =
  | { kind: 'refused'; refusal: PreventionRefusal }
  | { kind: 'recorded'; votes: PreventionVote[]; agreeing: number; required: number }
  | { kind: 'approved'; votes: PreventionVote[] };

/**
 * One approver's click on "Prevent recurrence…". Only approvers count; each approver once; the
 * offer is approved when `case.requiredApprovals` distinct approvers agreed (the same four-eyes rule
 * as the removal decision).
 */
export function evaluatePreventionVote(
  c: Case,
  vote: PreventionVote,
  approverIds: ReadonlySet<string>,
): PreventionVoteEvaluation {
  if (!isAuthorizedApprover(vote.userId, approverIds)) return { kind: 'refused', refusal: 'not-approver' };
  const offer = c.guardrail;
  if (!offer) return { kind: 'refused', refusal: 'not-offered' };
  if (offer.status !== 'offered') return { kind: 'refused', refusal: 'already-decided' };
  if (offer.votes.some((v) => v.userId === vote.userId)) return { kind: 'refused', refusal: 'duplicate-vote' };
  const votes = [...offer.votes, vote];
  const required = Math.max(1, c.requiredApprovals);
  return votes.length >= required
    ? { kind: 'approved', votes }
    : { kind: 'recorded', votes, agreeing: votes.length, required };
}

/** What to tell a refused clicker. */
export function preventionRefusalText(refusal: PreventionRefusal, approvers: string): string {
  switch (refusal) {
    case 'not-approver':
      return `Only approvers (${approvers}) can approve "Prevent recurrence". Nothing was changed.`;
    case 'not-offered':
      return 'There is no prevention offer for this case. Nothing was changed.';
    case 'already-decided':
      return 'Prevention for this case has already been approved. Nothing was changed.';
    case 'duplicate-vote':
      return 'Your approval is already counted; another approver must agree.';
  }
}
