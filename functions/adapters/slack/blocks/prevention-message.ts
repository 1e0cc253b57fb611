import type { Case } from '../../../core/case';
import type { GuardrailOffer } from '../../../core/guardrail-offer';
import { MANAGEMENT_ACCOUNT_NOTE, ROOTKEY_SCP_NAME } from '../../../core/guardrails';
import { mrkdwn, plain, type SlackMessage } from './approval-message';
import { escapeSlackText, mentionUser } from './escape-slack-text';

/** The "Prevent recurrence…" button: its value is the case id only, like every other button. */
export const PREVENTION_ACTION_ID = 'rootkey.prevent.approve';
export const PREVENTION_BLOCK_ID = 'rootkey.prevent-actions';

function describeActions(c: Case, offer: GuardrailOffer): string[] {
  const lines: string[] = [];
  if (offer.actions.includes('attach-scp')) {
    lines.push(
      `• attach the SCP \`${ROOTKEY_SCP_NAME}\` (deny \`iam:CreateAccessKey\` to the root user) to \`${escapeSlackText(offer.targetId ?? '', 80)}\`: the root users of ${offer.newlyCovered?.length ?? 0} member account(s) (${(offer.newlyCovered ?? []).map((id) => `\`${escapeSlackText(id, 12)}\``).join(', ')}) can no longer create access keys. Nothing else is detached or edited.`,
    );
  }
  if (offer.actions.includes('delete-root-credentials')) {
    lines.push(
      `• delete the remaining root credentials of \`${c.accountId}\` (password, MFA devices, signing certificates) through AssumeRoot with IAMDeleteRootUserCredentials.`,
    );
  }
  return lines;
}

/**
 * Posted in the case's thread right after a remediated outcome when the account could get a root
 * key again. Approvers only; with four-eyes, as many distinct approvers as the removal needed.
 */
export function buildPreventionOffer(c: Case): SlackMessage {
  const offer = c.guardrail;
  if (!offer) throw new Error(`Case ${c.caseId} has no prevention offer`);
  const text = [
    `:shield: *Prevent recurrence?* The key of *${escapeSlackText(c.accountName, 100)}* (\`${c.accountId}\`) is gone, but a root key could come back. Approving will:`,
    ...describeActions(c, offer),
    c.requiredApprovals > 1 ? `_${c.requiredApprovals} distinct approvers must agree._` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return {
    text: `Prevent recurrence for ${c.accountId}?`,
    blocks: [
      { type: 'section', text: mrkdwn(text) },
      {
        type: 'actions',
        block_id: PREVENTION_BLOCK_ID,
        elements: [
          {
            type: 'button',
            action_id: PREVENTION_ACTION_ID,
            value: c.caseId,
            style: 'primary',
            text: plain('Prevent recurrence…'),
            confirm: {
              title: plain('Prevent recurrence?'),
              text: mrkdwn(describeActions(c, offer).join('\n')),
              confirm: plain('Approve'),
              deny: plain('Cancel'),
            },
          },
        ],
      },
      { type: 'context', elements: [mrkdwn(escapeSlackText(MANAGEMENT_ACCOUNT_NOTE))] },
    ],
  };
}

/** A counted approval that does not decide yet. */
export function buildPreventionVoteRecorded(userId: string, agreeing: number, required: number): SlackMessage {
  const text = `:ballot_box_with_ballot: ${mentionUser(userId)} approved *Prevent recurrence* (${agreeing} of ${required} needed). Another approver must agree before anything changes.`;
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

/** What changed (or why nothing did), replacing the offer's button and replied in the thread. */
export function buildPreventionResult(c: Case): SlackMessage {
  const offer = c.guardrail;
  const ok = offer?.status === 'applied';
  const by = (offer?.votes ?? []).map((v) => mentionUser(v.userId)).join(', ');
  const text = [
    `${ok ? ':shield: *Recurrence prevented*' : ':x: *Prevention failed*'} for \`${c.accountId}\` (approved by ${by || 'nobody'}):`,
    ...(offer?.result ?? []).map((line) => `• ${escapeSlackText(line, 800)}`),
  ].join('\n');
  return {
    text: ok ? `Recurrence prevented for ${c.accountId}` : `Prevention failed for ${c.accountId}`,
    blocks: [{ type: 'section', text: mrkdwn(text) }],
  };
}

/** Replaces the offer's button once approvers approved and the Prevention workflow was started (AWS). */
export function buildPreventionApplying(c: Case): SlackMessage {
  const by = (c.guardrail?.votes ?? []).map((v) => mentionUser(v.userId)).join(', ');
  const text = `:hourglass_flowing_sand: *Prevent recurrence* approved by ${by || 'nobody'} for \`${c.accountId}\`: applying now. The result follows in this thread.`;
  return { text: `Prevent recurrence approved for ${c.accountId}`, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
