import { isTerminal, transition, type Case, type CaseStatus } from '../core/case';
import { DecisionNotAcceptedError } from '../core/errors';
import { recordCaseEvidence } from './case-evidence';
import type { Deps } from './dependencies';
import { maskedKeys } from './open-case';
import { updateCaseWithRetry } from './update-case';

/** The terminal statuses the workflow's outcome states close a case with. */
export type OutcomeStatus = Extract<
  CaseStatus,
  'compliant' | 'remediated' | 'risk-accepted' | 'rejected' | 'expired' | 'failed'
>;

export interface RecordedOutcome {
  caseId: string;
  status: OutcomeStatus;
  digest: string;
  report?: { html: string; markdown: string };
}

/** One sentence for the evidence, the report and Slack. */
export function summarizeOutcome(
  c: Case,
  status: OutcomeStatus,
  error?: { name: string; message: string; retried?: string },
): string {
  // A key the read could not name is labelled "key 1 (id not in the credential report)": no "key key 1".
  const keys = maskedKeys(c.posture.keys)
    .map((k) => `${k.maskedId.replace(/^key (?=\d)/, '#')} (${k.status})`)
    .join(', ');
  const d = c.decision;
  const by = d?.approvers.map((a) => a.userName ?? a.userId).join(', ');
  switch (status) {
    case 'compliant':
      return `Account ${c.accountId} has no root access key: ${c.posture.reason}`;
    case 'remediated':
      return `The root access key${c.posture.keys.length > 1 ? 's' : ''} ${keys} of account ${c.accountId} ${c.posture.keys.length > 1 ? 'are' : 'is'} gone, verified by reading the account again${d ? ` (decision: ${d.action} by ${by})` : ''}.`;
    case 'risk-accepted':
      return `Risk accepted for ${keys} of account ${c.accountId} by ${by ?? 'the approvers'} until ${d?.expiresAt ?? 'an unspecified date'}: ${d?.reason ?? 'no reason given'}`;
    case 'rejected':
      return `Removal of ${keys} of account ${c.accountId} rejected by ${by ?? 'the approvers'}${d?.expiresAt ? ` until ${d.expiresAt}` : ''}: ${d?.reason ?? 'no reason given'}`;
    case 'expired':
      return `Nobody decided about ${keys} of account ${c.accountId} after ${c.approval?.reminders ?? 0} reminder(s); the request expired and the key stays.`;
    case 'failed':
      return `The case failed${error ? ` with ${error.name}: ${error.message}` : ''}${error?.retried ? ` (${error.retried})` : ''}${c.deletionRetryingSince ? `; the deletion was retried from ${c.deletionRetryingSince} on` : ''}; the key of account ${c.accountId} may still exist.`;
  }
}

/**
 * Closes a case with its outcome: the terminal status (unless a decision set it already), the
 * `outcome` evidence record — the last record of the case's chain —, the auditor's report, and the
 * final message in the Slack thread. Recording twice is harmless: a case that has its outcome
 * answers with it and records nothing more.
 */
export async function recordOutcome(
  deps: Deps,
  input: { caseId: string; status: OutcomeStatus; error?: { name: string; message: string; retried?: string } },
): Promise<RecordedOutcome> {
  const now = deps.clock.now();
  const current = await deps.cases.get(input.caseId);
  let digest = current.evidenceHead;
  if (!current.outcome || !digest) {
    if (isTerminal(current.status) && current.status !== input.status) {
      throw new DecisionNotAcceptedError(
        `Case ${current.caseId} is ${current.status}; it cannot close as ${input.status}`,
      );
    }
    const summary = summarizeOutcome(current, input.status, input.error);
    const outcome = {
      status: input.status,
      summary,
      at: now.toISOString(),
      ...(input.error ? { error: input.error } : {}),
    };
    const { case: closed } = await updateCaseWithRetry(deps.cases, current.caseId, (c) => {
      if (c.status === input.status && !c.pendingTask) return undefined;
      const moved: Case = c.status === input.status ? { ...c } : transition(c, input.status, now);
      delete moved.pendingTask;
      return moved;
    });
    // The outcome record is the last of the chain; the case only claims an outcome once it is stored.
    const recorded = await recordCaseEvidence(deps, closed, 'outcome', {
      status: input.status,
      summary,
      openedAt: closed.openedAt,
      closedAt: closed.closedAt ?? outcome.at,
      trigger: closed.trigger,
      keys: maskedKeys(closed.posture.keys),
      ...(closed.decision
        ? {
            decision: {
              action: closed.decision.action,
              approvers: closed.decision.approvers.map((a) => ({ userId: a.userId, userName: a.userName, at: a.at })),
              reason: closed.decision.reason,
              expiresAt: closed.decision.expiresAt,
            },
          }
        : {}),
      ...(input.error ? { error: input.error } : {}),
    });
    digest = recorded.digest;
    await updateCaseWithRetry(deps.cases, current.caseId, (c) => ({ ...c, outcome }));
  }
  // Report and message are rewritten on a retry: both are idempotent in effect.
  const report = await deps.evidence.writeReport(current.caseId);
  let final = await deps.cases.get(current.caseId);
  if (final.decisionNotShown) {
    // Slack was down when the decision was made: show it now, before the result.
    await deps.notifier.showDecision(final);
    final = (
      await updateCaseWithRetry(deps.cases, final.caseId, (c) => {
        if (!c.decisionNotShown) return undefined;
        const shown = { ...c };
        delete shown.decisionNotShown;
        return shown;
      })
    ).case;
  }
  await deps.notifier.outcome(final, { digest, reportLocation: report.html });
  return { caseId: final.caseId, status: (final.outcome?.status ?? input.status) as OutcomeStatus, digest, report };
}
