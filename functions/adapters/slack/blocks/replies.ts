import type { VoteRefusal } from '../../../core/approval-policy';
import type { Decision } from '../../../core/case';
import type { RunbookClickRefusal, RunbookTaskOutput } from '../../../core/runbook-confirmation';
import { ACTION_LABELS, STATUS_LABELS } from './approval-message';
import { escapeSlackText, mentionUser, slackTime } from './escape-slack-text';

/** "@a and @b" for the approvers of a decision. */
export function deciders(decision: Decision): string {
  return decision.approvers.map((a) => mentionUser(a.userId)).join(' and ');
}

/**
 * What a person is told (ephemerally) when their click changes nothing. `approvers` describes who may
 * decide, in mrkdwn that is already safe.
 */
export function voteRefusalText(refusal: VoteRefusal, approvers: string): string {
  switch (refusal.code) {
    case 'not-approver':
      return `:no_entry: You are not an approver for root access key cases (approvers: ${approvers}). Nothing was changed.`;
    case 'already-decided':
      return `Already decided by ${deciders(refusal.decision)} ${slackTime(refusal.decision.decidedAt)}: *${ACTION_LABELS[refusal.decision.action]}*. Nothing was changed.`;
    case 'expired':
      return `:hourglass: This request expired ${slackTime(refusal.at)}. Nothing was changed; run \`/rootkey scan ACCOUNT\` to check the account again.`;
    case 'closed':
      return `This case is closed (${STATUS_LABELS[refusal.status]}) since ${slackTime(refusal.at)}. Nothing was changed.`;
    case 'not-waiting':
      return `This case is not waiting for a decision right now (${STATUS_LABELS[refusal.status]}). Nothing was changed.`;
    case 'already-voted':
      return `You already chose *${ACTION_LABELS[refusal.vote.action]}* ${slackTime(refusal.vote.at)}. Each approver counts once: another approver has to agree.`;
    case 'replayed':
      return 'This click was already counted; nothing was changed.';
    case 'delete-unavailable':
      return 'Automated deletion is not available for this account (management or standalone account, or centralized root access is off). Choose the guided manual removal instead.';
    case 'invalid-exception':
      return `Not accepted: ${[refusal.errors.reason, refusal.errors.expiresAt].filter(Boolean).join(' ')}`;
  }
}

/** The answer to a decision that arrived after the workflow stopped waiting. */
export function lateDecisionText(expiredAt: string | undefined): string {
  return `:hourglass: Too late: this request expired${expiredAt ? ` ${slackTime(expiredAt)}` : ''} before your decision reached the workflow. Nothing was done; run \`/rootkey scan ACCOUNT\` to check the account again.`;
}

export function runbookRefusalText(refusal: RunbookClickRefusal, approvers: string): string {
  switch (refusal.code) {
    case 'not-approver':
      return `:no_entry: Only approvers can confirm runbook steps (approvers: ${approvers}). Nothing was changed.`;
    case 'closed':
      return `This case is closed (${STATUS_LABELS[refusal.status]}) since ${slackTime(refusal.at)}. Nothing was changed.`;
    case 'not-waiting':
      return refusal.lastConfirmed
        ? `Nothing is waiting for a confirmation right now: step \`${escapeSlackText(refusal.lastConfirmed.stepId, 80)}\` was confirmed by ${mentionUser(refusal.lastConfirmed.by)} ${slackTime(refusal.lastConfirmed.at)}.`
        : `Nothing is waiting for a confirmation right now (${STATUS_LABELS[refusal.status]}).`;
    case 'wrong-step':
      return `This button belongs to an earlier step; the runbook now waits for step \`${escapeSlackText(refusal.expectedStepId, 80)}\` further down the thread.`;
    case 'replayed':
      return 'This click was already answered; nothing was done again.';
  }
}

export function runbookSentText(output: RunbookTaskOutput): string {
  return output.kind === 'verify-now'
    ? ':mag: Verifying now: the result appears in this thread.'
    : `:white_check_mark: Step \`${escapeSlackText(output.stepId, 80)}\` confirmed. The next step (or the verification) follows in this thread.`;
}

export function runbookExpiredText(): string {
  return ':hourglass: Too late: the workflow stopped waiting for this step. Nothing was changed.';
}

/** When the click could not be processed: the person learns that nothing was decided and whether to retry. */
export function failureText(errorName?: string): string {
  if (errorName === 'CaseNotFoundError') return 'This case does not exist (any more). Nothing was changed.';
  return ':warning: That did not go through (the workflow could not be reached). Nothing was decided; try again in a minute.';
}
