import type { SweepSummary } from '../../../core/sweep-summary';
import { mrkdwn, type SlackMessage } from './approval-message';

function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * The one channel message of an organization sweep: how many accounts it checked and what it found.
 * Cases have their own messages (the approval requests); this one only counts. Every number comes
 * from the accounts' own reports; accounts that had not reported when it was posted are named as
 * such, never counted as compliant.
 */
export function buildSweepSummary(summary: SweepSummary): SlackMessage {
  const { tally, unreported } = summary;
  const opened = tally['case-opened'];
  const needsPeople = opened + tally['case-already-open'] + tally.error + unreported > 0;
  const icon = needsPeople ? ':warning:' : ':white_check_mark:';
  const headline = `${icon} *Organization sweep*: ${count(summary.accounts, 'account', 'accounts')} checked`;
  const lines = [
    `• Compliant (no root access key): ${tally.compliant.toLocaleString('en-US')}`,
    `• Cases opened: ${opened.toLocaleString('en-US')}${opened > 0 ? ' (approval requests below)' : ''}`,
  ];
  if (tally['case-already-open'] > 0) {
    lines.push(`• Root key with a case already open: ${tally['case-already-open'].toLocaleString('en-US')}`);
  }
  lines.push(`• Errors (account not read, failure evidence recorded): ${tally.error.toLocaleString('en-US')}`);
  if (unreported > 0) {
    lines.push(
      `• Not reported when this was posted (still running, or the start failed): ${unreported.toLocaleString('en-US')}`,
    );
  }
  const text = `${headline}\n${lines.join('\n')}`;
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
