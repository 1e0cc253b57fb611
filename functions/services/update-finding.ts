import { findingNote, type FindingWorkflowStatus } from '../core/finding-notes';
import { DecisionNotAcceptedError, InvalidInputError } from '../core/errors';
import type { FindingRef } from '../ports/findings';
import { recordCaseEvidence } from './case-evidence';
import type { Deps } from './dependencies';

const STATUSES: readonly FindingWorkflowStatus[] = ['NOTIFIED', 'RESOLVED', 'SUPPRESSED'];

/**
 * Sets the workflow status of the case's Security Hub IAM.4 finding: NOTIFIED when approval is
 * requested, RESOLVED once the removal is verified (the note names the case's evidence digest),
 * SUPPRESSED when the risk is accepted or the removal rejected (the note gives who, why and until
 * when). Uses the finding the trigger carried, else looks it up. Records `finding-update` evidence
 * either way; an account without a finding (Security Hub off, control disabled) is `{ updated: false }`.
 */
export async function updateFinding(
  deps: Pick<Deps, 'cases' | 'evidence' | 'findings' | 'clock'>,
  caseId: string,
  status: FindingWorkflowStatus,
): Promise<{ updated: boolean }> {
  if (!STATUSES.includes(status)) {
    throw new InvalidInputError(
      `Unknown finding workflow status '${String(status)}' (expected ${STATUSES.join(', ')})`,
    );
  }
  const c = await deps.cases.get(caseId);
  if (status === 'SUPPRESSED' && c.decision?.action !== 'accept-risk' && c.decision?.action !== 'reject') {
    throw new DecisionNotAcceptedError(
      `Case ${caseId}: a finding is suppressed only for an accepted risk or a rejected removal`,
    );
  }

  const fromTrigger = c.trigger.finding;
  const disabled = deps.findings.disabledReason;
  const finding: FindingRef | undefined = disabled
    ? undefined
    : fromTrigger
      ? { id: fromTrigger.id, productArn: fromTrigger.productArn }
      : await deps.findings.findRootKeyFinding(c.accountId);
  if (!finding) {
    await recordCaseEvidence(deps, c, 'finding-update', {
      status,
      updated: false,
      reason:
        disabled ?? 'The account has no active Security Hub IAM.4 finding (Security Hub or the control may be off).',
    });
    return { updated: false };
  }

  const note = findingNote(c, status);
  if (status === 'NOTIFIED') await deps.findings.markNotified(finding, note);
  else if (status === 'RESOLVED') await deps.findings.markResolved(finding, note);
  else await deps.findings.markSuppressed(finding, note);

  await recordCaseEvidence(deps, c, 'finding-update', {
    status,
    updated: true,
    findingId: finding.id,
    productArn: finding.productArn,
    source: fromTrigger ? 'trigger' : 'lookup',
    note,
    ...(status === 'RESOLVED' && c.evidenceHead ? { citesEvidenceDigest: c.evidenceHead } : {}),
  });
  return { updated: true };
}
