import type { types } from '@slack/bolt';
import type { ApprovalVote, Case, CaseStatus, DecisionAction } from '../../../core/case';
import { COMPLIANCE_REFERENCES, formatReference } from '../../../core/compliance-references';
import { canDeleteAutomatically, REMOVAL_PATH_LABELS } from '../../../core/removal-paths';
import { daysSinceLastUse, wasUsedRecently, type RootKey } from '../../../core/root-key';
import type { TriggerSource } from '../../../core/trigger';
import { escapeSlackText, mentionUser, slackTime, utcDate } from './escape-slack-text';
import { ACTION_IDS, BLOCK_IDS } from './ids';

export type KnownBlock = types.KnownBlock;

/** A masked access key id (`AKIA****WXYZ`), as opposed to the label of a key the read could not name. */
const MASKED_KEY_ID = /^[A-Z0-9]{4}\*+[A-Z0-9]{4}$/;

/** A message as `chat.postMessage` / `chat.update` take it: notification text plus blocks. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export const ACTION_LABELS: Record<DecisionAction, string> = {
  delete: 'Delete the key (AssumeRoot)',
  runbook: 'Remove it manually with the guided runbook',
  'accept-risk': 'Accept the risk',
  reject: 'Reject the removal',
};

export const STATUS_LABELS: Record<CaseStatus, string> = {
  detected: 'Detected',
  'awaiting-approval': 'Waiting for approval',
  deleting: 'Deleting',
  runbook: 'Guided manual removal',
  verifying: 'Verifying',
  remediated: 'Remediated',
  'risk-accepted': 'Risk accepted',
  rejected: 'Rejected',
  expired: 'Expired',
  failed: 'Failed',
  compliant: 'Compliant',
};

const TRIGGER_LABELS: Record<TriggerSource, string> = {
  'security-hub': 'Security Hub finding (IAM.4)',
  cloudtrail: 'CloudTrail: CreateAccessKey by the root user',
  schedule: 'Daily check',
  sweep: 'Organization sweep',
  manual: 'Manual check',
  'acceptance-expired': 'An accepted risk expired',
};

/** Mrkdwn with `verbatim` so that Slack never auto-links names or mentions inside external text. */
export function mrkdwn(text: string): types.MrkdwnElement {
  return { type: 'mrkdwn', text, verbatim: true };
}

export function plain(text: string): types.PlainTextElement {
  return { type: 'plain_text', text, emoji: true };
}

/**
 * The approval request: what was found, what removing it would break, how it can be removed and
 * which controls it violates, with the decision buttons. Buttons carry the case id only.
 */
export function buildApprovalRequest(c: Case, now: Date): SlackMessage {
  return {
    text: `Root access key found in ${escapeSlackText(c.accountName, 100)} (${c.accountId}): approval needed`,
    blocks: [...caseFacts(c, now), ...votesSoFar(c), decisionButtons(c)],
  };
}

/**
 * The same request once it no longer waits: the facts stay, the buttons are replaced by who decided
 * what and when (or why the request closed without a decision).
 */
export function buildApprovalRecord(
  c: Case,
  now: Date,
  evidence?: { digest: string; reportLocation?: string },
): SlackMessage {
  const outcome = c.outcome && c.status !== 'expired' ? [outcomeSection(c, evidence)] : [];
  return {
    text: `Root access key in ${escapeSlackText(c.accountName, 100)} (${c.accountId}): ${c.outcome ? `${STATUS_LABELS[c.outcome.status]}` : describeResolution(c)}`,
    blocks: [...caseFacts(c, now), resolutionSection(c), ...outcome],
  };
}

/** How the case ended, with its evidence chain head and the report: the last block of a closed case. */
function outcomeSection(c: Case, evidence?: { digest: string; reportLocation?: string }): KnownBlock {
  const outcome = c.outcome!;
  const icon =
    outcome.status === 'remediated'
      ? ':white_check_mark:'
      : outcome.status === 'failed'
        ? ':x:'
        : ':information_source:';
  const lines = [
    `${icon} *${STATUS_LABELS[outcome.status]}* ${slackTime(outcome.at)}: ${escapeSlackText(outcome.summary, 1500)}`,
  ];
  const digest = evidence?.digest ?? c.evidenceHead;
  if (digest) lines.push(`Evidence: \`sha256:${escapeSlackText(digest, 128)}\``);
  if (evidence?.reportLocation) lines.push(`Report: ${reportLink(evidence.reportLocation)}`);
  return { type: 'section', text: mrkdwn(lines.join('\n')) };
}

/** A link when the report has a web address; the location as code otherwise (an S3 URI, a file path). */
export function reportLink(location: string): string {
  if (/^https?:\/\/[^\s|<>]+$/.test(location)) return `<${location.replace(/&/g, '&amp;')}|Open the report>`;
  return `\`${escapeSlackText(location, 500)}\``;
}

/** One line saying how the request ended (for notification text and thread replies). */
export function describeResolution(c: Case): string {
  if (c.decision) {
    const who = c.decision.approvers.map((a) => approverName(a)).join(', ');
    return `${ACTION_LABELS[c.decision.action]}, decided by ${who}`;
  }
  if (c.status === 'expired') return 'the request expired without a decision';
  return STATUS_LABELS[c.status].toLowerCase();
}

function caseFacts(c: Case, now: Date): KnownBlock[] {
  const account = c.posture.account;
  const kind = account.isManagement ? ' · management account' : account.isStandalone ? ' · standalone account' : '';
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(':rotating_light: Root user access key found') },
    {
      type: 'section',
      fields: [
        mrkdwn(`*Account*\n${escapeSlackText(c.accountName, 200)}\n\`${c.accountId}\`${kind}`),
        mrkdwn(`*Detected*\n${TRIGGER_LABELS[c.trigger.source]}${requester(c)}\n${slackTime(c.trigger.detectedAt)}`),
        mrkdwn(`*Case*\n\`${escapeSlackText(c.caseId, 100)}\`\n${STATUS_LABELS[c.status]}`),
        mrkdwn(
          `*Approval*\n${c.requiredApprovals > 1 ? `${c.requiredApprovals} distinct approvers must agree` : 'One approver decides'}`,
        ),
      ],
    },
  ];
  for (const key of c.posture.keys.slice(0, 5)) blocks.push({ type: 'section', text: mrkdwn(describeKey(key, now)) });
  blocks.push({ type: 'section', text: mrkdwn(describeRemovalPaths(c)) });
  if (c.posture.discrepancy) {
    blocks.push({ type: 'context', elements: [mrkdwn(`:mag: ${escapeSlackText(c.posture.discrepancy, 500)}`)] });
  }
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`Violates ${COMPLIANCE_REFERENCES.map((r) => escapeSlackText(formatReference(r))).join(' · ')}`)],
  });
  return blocks;
}

function requester(c: Case): string {
  return c.trigger.requestedBy ? ` (by ${mentionUser(c.trigger.requestedBy)})` : '';
}

/** Key id (masked), state, age and last use, with a warning when something used it recently. */
export function describeKey(key: RootKey, now: Date): string {
  // A credential-report-only read has no id: its label ("key 1 (id not in the credential report)") is the name.
  const name = MASKED_KEY_ID.test(key.maskedId)
    ? `*Key* \`${escapeSlackText(key.maskedId, 60)}\``
    : `*Root access ${escapeSlackText(key.maskedId, 80)}*`;
  const lines = [`${name} · ${key.status === 'Active' ? 'Active' : 'Inactive'}`];
  lines.push(`Created: ${key.createdAt ? slackTime(key.createdAt) : 'unknown'}`);
  const used = key.lastUsed;
  if (used?.date) {
    const where = [used.service, used.region].filter((p): p is string => Boolean(p) && p !== 'N/A');
    lines.push(
      `Last used: ${slackTime(used.date)}${where.length ? ` · ${where.map((p) => escapeSlackText(p, 60)).join(' · ')}` : ''}`,
    );
  } else {
    lines.push('Last used: never');
  }
  if (wasUsedRecently(key, now)) {
    const days = daysSinceLastUse(key, now) ?? 0;
    lines.push(
      `:warning: *Used ${days === 0 ? 'today' : `${days} day${days === 1 ? '' : 's'} ago`}*: whatever uses this key stops working when it is deleted. Find the caller first (service and region above).`,
    );
  }
  return lines.join('\n');
}

function describeRemovalPaths(c: Case): string {
  const lines = ['*Ways to remove it*', ...c.removalPaths.map((p) => `• ${REMOVAL_PATH_LABELS[p]}`)];
  if (!canDeleteAutomatically(c.removalPaths)) {
    lines.push(
      '_Automated deletion is not available here (management or standalone account, or centralized root access is off): use the guided runbook._',
    );
  }
  return lines.join('\n');
}

function votesSoFar(c: Case): KnownBlock[] {
  const votes = c.approval?.votes ?? [];
  if (votes.length === 0) return [];
  const lines = votes.map((v) => `${mentionUser(v.userId)} chose *${ACTION_LABELS[v.action]}* ${slackTime(v.at)}`);
  return [{ type: 'context', elements: [mrkdwn(`Votes so far (${c.requiredApprovals} needed): ${lines.join('; ')}`)] }];
}

function decisionButtons(c: Case): KnownBlock {
  const keys = c.posture.keys.map((k) => `\`${escapeSlackText(k.maskedId, 60)}\``).join(', ');
  const elements: types.Button[] = [];
  if (canDeleteAutomatically(c.removalPaths)) {
    elements.push({
      type: 'button',
      action_id: ACTION_IDS.delete,
      value: c.caseId,
      style: 'danger',
      text: plain('Delete the key'),
      confirm: {
        title: plain('Delete the root key?'),
        text: mrkdwn(
          `This deletes ${keys || 'the root access key'} of *${escapeSlackText(c.accountName, 100)}* (\`${c.accountId}\`) through AssumeRoot. Anything still using it stops working, and a deleted key cannot be restored.`,
        ),
        confirm: plain('Delete'),
        deny: plain('Cancel'),
        style: 'danger',
      },
    });
  }
  elements.push(
    { type: 'button', action_id: ACTION_IDS.runbook, value: c.caseId, text: plain('Guide me through manual removal') },
    { type: 'button', action_id: ACTION_IDS.acceptRisk, value: c.caseId, text: plain('Accept the risk…') },
    { type: 'button', action_id: ACTION_IDS.reject, value: c.caseId, text: plain('Reject…') },
  );
  return { type: 'actions', block_id: BLOCK_IDS.decisionActions, elements };
}

function resolutionSection(c: Case): KnownBlock {
  const d = c.decision;
  if (d) {
    const who = d.approvers.map(
      (a) => `${mentionUser(a.userId)}${a.userName ? ` (${escapeSlackText(a.userName, 80)})` : ''}`,
    );
    const lines = [
      `:white_check_mark: *${ACTION_LABELS[d.action]}*, decided by ${who.join(' and ')} ${slackTime(d.decidedAt)}`,
    ];
    if (d.reason) lines.push(`>${escapeSlackText(d.reason, 1500).replace(/\n/g, '\n>')}`);
    if (d.expiresAt) lines.push(`Until ${utcDate(d.expiresAt)}; the account is checked again then.`);
    return { type: 'section', text: mrkdwn(lines.join('\n')) };
  }
  if (c.status === 'expired') {
    const summary = c.outcome?.summary ? `\n${escapeSlackText(c.outcome.summary, 1000)}` : '';
    return {
      type: 'section',
      text: mrkdwn(`:hourglass: *Expired* ${slackTime(c.closedAt ?? c.updatedAt)}: nobody decided in time.${summary}`),
    };
  }
  return { type: 'section', text: mrkdwn(`*${STATUS_LABELS[c.status]}* ${slackTime(c.updatedAt)}`) };
}

function approverName(a: ApprovalVote): string {
  return a.userName ? escapeSlackText(a.userName, 80) : mentionUser(a.userId);
}
