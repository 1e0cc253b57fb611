import type { Case } from './case';

/** Security Hub's limit on `Note.Text` (BatchUpdateFindings). */
export const FINDING_NOTE_MAX_LENGTH = 512;

/** The workflow statuses rootkey sets on the IAM.4 finding. */
export type FindingWorkflowStatus = 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';

/** Cuts a note to Security Hub's limit, saying that it was cut. */
export function truncateNote(text: string, max = FINDING_NOTE_MAX_LENGTH): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1)}…`;
}

function approverNames(c: Case): string {
  const names = (c.decision?.approvers ?? []).map((a) => a.userName ?? a.userId);
  return names.length > 0 ? names.join(', ') : 'unknown';
}

/**
 * The note rootkey leaves on the finding for each workflow status, within 512 characters. RESOLVED
 * names the evidence digest (the case's chain head) so that an auditor can go from the finding to
 * the signed record; SUPPRESSED gives who accepted the risk, why and until when.
 */
export function findingNote(c: Case, status: FindingWorkflowStatus): string {
  const prefix = `rootkey ${c.caseId}:`;
  const keys = c.posture.keys.map((k) => k.maskedId).join(', ') || 'root access key';
  switch (status) {
    case 'NOTIFIED':
      return truncateNote(`${prefix} approval to remove root access key(s) ${keys} requested in Slack.`);
    case 'RESOLVED': {
      const evidence = `Evidence digest: sha256:${c.evidenceHead ?? 'none recorded'}.`;
      // A check that found no key at all resolves the finding too, but nothing was removed.
      if (c.posture.status === 'COMPLIANT') {
        return truncateNote(`${prefix} no root access key exists (checked ${c.posture.checkedAt}). ${evidence}`);
      }
      return truncateNote(
        `${prefix} root access key(s) ${keys} removed and verified absent (AccountAccessKeysPresent = 0). ${evidence}`,
      );
    }
    case 'SUPPRESSED': {
      const d = c.decision;
      const what = d?.action === 'reject' ? 'removal rejected' : 'risk accepted';
      const until = d?.expiresAt ? `until ${d.expiresAt}; the account is checked again then` : 'with no expiry';
      // The reason is the approver's own words: kept last so that truncation never hides who or when.
      return truncateNote(
        `${prefix} ${what} by ${approverNames(c)} ${until}. Reason: ${d?.reason?.trim() || 'none given'}`,
      );
    }
  }
}
