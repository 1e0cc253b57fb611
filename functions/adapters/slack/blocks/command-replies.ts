import type { Case } from '../../../core/case';
import { STATUS_LABELS } from './approval-message';
import { escapeSlackText, slackTime } from './escape-slack-text';

/** How many open cases `/rootkey status` lists before it says how many more there are. */
export const STATUS_LIST_LIMIT = 20;

/** `/rootkey status`: the open cases, oldest first. */
export function statusReply(open: readonly Case[]): string {
  if (open.length === 0) return ':white_check_mark: No open root access key cases.';
  const lines = open
    .slice(0, STATUS_LIST_LIMIT)
    .map(
      (c) =>
        `• *${escapeSlackText(c.accountName, 80)}* (\`${c.accountId}\`): ${STATUS_LABELS[c.status]}, opened ${slackTime(c.openedAt)} · \`${escapeSlackText(c.caseId, 60)}\``,
    );
  if (open.length > STATUS_LIST_LIMIT) lines.push(`…and ${open.length - STATUS_LIST_LIMIT} more.`);
  return [`*Open root access key cases (${open.length})*`, ...lines].join('\n');
}

export function helpReply(command = '/rootkey'): string {
  return [
    `*${command}* — root user access keys`,
    `• \`${command} status\`: open cases and where they stand`,
    `• \`${command} scan ACCOUNT\`: check one account (12-digit id) now; approvers only`,
    `• \`${command} help\`: this text`,
    'Decisions are made on the approval messages in the channel.',
  ].join('\n');
}

export function scanStartedReply(accountId: string, executionId: string): string {
  return `:mag: Checking account \`${accountId}\` now (execution \`${escapeSlackText(executionId, 200)}\`). A root key found there gets an approval request in the channel.`;
}

export function usageReply(problem: string, command = '/rootkey'): string {
  return `${escapeSlackText(problem, 300)}\n${helpReply(command)}`;
}
