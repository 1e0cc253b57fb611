import type { types } from '@slack/bolt';
import {
  MAX_EXCEPTION_DAYS,
  MAX_REASON_LENGTH,
  requiresExpiry,
  type ExceptionErrors,
} from '../../../core/approval-policy';
import type { Case } from '../../../core/case';
import { escapeSlackText } from './escape-slack-text';
import { ACTION_LABELS, mrkdwn, plain } from './approval-message';
import { BLOCK_IDS, INPUT_IDS, VIEW_IDS } from './ids';

export type ExceptionAction = 'accept-risk' | 'reject';

/** What the modal carries back in `private_metadata`: where it came from, never a token. */
export interface ExceptionModalMetadata {
  caseId: string;
  action: ExceptionAction;
  /** The approval message the button was on, for the answer after submission. */
  channel?: string;
  messageTs?: string;
}

/**
 * The modal behind "Accept the risk…" / "Reject…": a reason (always) and an expiry date (required to
 * accept the risk, optional for a rejection). Slack shows field errors returned with
 * `response_action: 'errors'` under the block ids used here.
 */
export function buildExceptionModal(c: Case, metadata: ExceptionModalMetadata, today: Date): types.ModalView {
  const accept = metadata.action === 'accept-risk';
  const max = new Date(today.getTime() + MAX_EXCEPTION_DAYS * 86_400_000).toISOString().slice(0, 10);
  return {
    type: 'modal',
    callback_id: VIEW_IDS.exception,
    private_metadata: JSON.stringify(metadata),
    title: plain(accept ? 'Accept the risk' : 'Reject the removal'),
    submit: plain(accept ? 'Accept the risk' : 'Reject'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `*${ACTION_LABELS[metadata.action]}* for the root access key of *${escapeSlackText(c.accountName, 100)}* (\`${c.accountId}\`). The key stays; your reason goes into the evidence and the Security Hub finding.`,
        ),
      },
      {
        type: 'input',
        block_id: BLOCK_IDS.exceptionReason,
        label: plain('Reason'),
        element: {
          type: 'plain_text_input',
          action_id: INPUT_IDS.reason,
          multiline: true,
          max_length: MAX_REASON_LENGTH,
          placeholder: plain('Why the key stays, and who owns the follow-up'),
        },
      },
      {
        type: 'input',
        block_id: BLOCK_IDS.exceptionExpiry,
        label: plain(accept ? 'Accepted until' : 'Check the account again on'),
        optional: !requiresExpiry(metadata.action),
        hint: plain(`A date after today, at most ${MAX_EXCEPTION_DAYS} days ahead (until ${max}).`),
        element: { type: 'datepicker', action_id: INPUT_IDS.expiry },
      },
    ],
  };
}

/** Field errors keyed by the modal's block ids, as `ack({ response_action: 'errors', errors })` wants them. */
export function exceptionErrorsForModal(errors: ExceptionErrors): Record<string, string> {
  const out: Record<string, string> = {};
  if (errors.reason) out[BLOCK_IDS.exceptionReason] = errors.reason;
  if (errors.expiresAt) out[BLOCK_IDS.exceptionExpiry] = errors.expiresAt;
  return out;
}
