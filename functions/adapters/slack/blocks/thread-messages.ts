import type { ApprovalVote, Case } from '../../../core/case';
import {
  ACTION_LABELS,
  describeResolution,
  mrkdwn,
  reportLink,
  STATUS_LABELS,
  type SlackMessage,
} from './approval-message';
import { escapeSlackText, isSlackGroupId, isSlackUserId, mentionUser, slackTime } from './escape-slack-text';

/** Who an escalation notifies: a user (`U…`), a user group (`S…`), `here` or `channel`. */
export function escalationMentionText(target: string): string {
  if (target === 'here' || target === 'channel') return `<!${target}>`;
  if (isSlackGroupId(target)) return `<!subteam^${target}>`;
  if (isSlackUserId(target)) return `<@${target}>`;
  return escapeSlackText(target);
}

function single(text: string): SlackMessage {
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

/** A reminder in the request's thread; the escalating one also mentions the escalation target. */
export function buildReminder(
  c: Case,
  reminderNumber: number,
  escalate: boolean,
  escalationMention?: string,
): SlackMessage {
  const since = c.approval?.requestedAt ?? c.openedAt;
  const lines = [
    `:bell: Reminder ${reminderNumber}: the root access key of *${escapeSlackText(c.accountName, 100)}* (\`${c.accountId}\`) still waits for a decision (requested ${slackTime(since)}).`,
  ];
  if (escalate) {
    lines.push(
      `:rotating_light: Escalating${escalationMention ? ` to ${escalationMentionText(escalationMention)}` : ''}: without a decision the request expires and the key stays.`,
    );
  }
  return single(lines.join('\n'));
}

/** A reminder that a runbook step waits for its confirmation; the escalating one mentions the escalation target. */
export function buildRunbookStepReminder(
  stepTitle: string,
  reminderNumber: number,
  escalate: boolean,
  escalationMention?: string,
): SlackMessage {
  const lines = [
    `:bell: Reminder ${reminderNumber}: runbook step "${escapeSlackText(stepTitle, 200)}" is still waiting for confirmation.`,
  ];
  if (escalate) {
    lines.push(
      `:rotating_light: Escalating${escalationMention ? ` to ${escalationMentionText(escalationMention)}` : ''}: without a confirmation the case is closed as failed and the key stays.`,
    );
  }
  return single(lines.join('\n'));
}

/** A line of progress from the workflow; the text may contain external values, so it is escaped. */
export function buildProgress(text: string): SlackMessage {
  return single(`:gear: ${escapeSlackText(text, 2500)}`);
}

/** A counted vote that does not decide yet (four-eyes). */
export function buildVoteRecorded(vote: ApprovalVote, agreeing: number, required: number): SlackMessage {
  return single(
    `:ballot_box_with_ballot: ${mentionUser(vote.userId)} chose *${ACTION_LABELS[vote.action]}* (${agreeing} of ${required} needed). Another approver must agree before anything happens.`,
  );
}

/** Announces the decision in the thread (the message itself loses its buttons). */
export function buildDecisionAnnouncement(c: Case): SlackMessage {
  return single(`:white_check_mark: ${describeResolution(c)}.`);
}

/**
 * The final result in the thread, with the evidence chain head and where to read the report: a
 * link when it is a web address, the location as code otherwise (an S3 URI or a file path).
 */
export function buildOutcome(c: Case, evidence: { digest: string; reportLocation?: string }): SlackMessage {
  const icon =
    c.status === 'remediated' ? ':white_check_mark:' : c.status === 'failed' ? ':x:' : ':information_source:';
  const lines = [
    `${icon} *${STATUS_LABELS[c.outcome?.status ?? c.status]}*${c.outcome?.summary ? `: ${escapeSlackText(c.outcome.summary, 1500)}` : ''}`,
  ];
  if (c.outcome?.error) {
    lines.push(
      `Error: \`${escapeSlackText(c.outcome.error.name, 100)}\` ${escapeSlackText(c.outcome.error.message, 800)}`,
    );
  }
  lines.push(`Evidence: \`sha256:${escapeSlackText(evidence.digest, 128)}\``);
  if (evidence.reportLocation) lines.push(`Report: ${reportLink(evidence.reportLocation)}`);
  return single(lines.join('\n'));
}
