import {
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  type SecurityHubClient,
  type WorkflowStatus,
} from '@aws-sdk/client-securityhub';
import { InvalidInputError, TransientAwsError } from '../../core/errors';
import { FINDING_NOTE_MAX_LENGTH, truncateNote } from '../../core/finding-notes';
import { FINDING_NOTE_AUTHOR } from '../../core/shared-names';
import type { FindingRef, FindingsPort } from '../../ports/findings';
import { callAws } from './aws-errors';

/** The Security Hub control "IAM root user access key should not exist". */
export const ROOT_KEY_CONTROL_ID = 'IAM.4';

/** Unprocessed-finding codes that may succeed when tried again. */
const RETRYABLE_UNPROCESSED = new Set(['ConcurrentUpdateError', 'InternalFailure']);

export interface SecurityHubFindingsOptions {
  /** Security Hub client in the aggregation (home) Region, which sees the findings of every linked Region. */
  client: SecurityHubClient;
  /** `Note.UpdatedBy`: who the notes say wrote them. */
  updatedBy?: string;
}

/**
 * Security Hub workflow updates of the IAM.4 finding. Finds it with GetFindings (filters
 * `ComplianceSecurityControlId = IAM.4`, `AwsAccountId`, `RecordState = ACTIVE`; newest first,
 * a FAILED one preferred) and updates it with BatchUpdateFindings (`FindingIdentifiers`
 * `[{ Id, ProductArn }]`, `Workflow.Status`, `Note { Text ≤ 512, UpdatedBy }`).
 *
 * Security Hub itself sets a RESOLVED finding back to NEW when the control fails again, so a key
 * that reappears shows up again without rootkey's help.
 */
export class SecurityHubFindings implements FindingsPort {
  private readonly updatedBy: string;

  constructor(private readonly options: SecurityHubFindingsOptions) {
    this.updatedBy = (options.updatedBy ?? FINDING_NOTE_AUTHOR).slice(0, FINDING_NOTE_MAX_LENGTH);
  }

  async findRootKeyFinding(accountId: string): Promise<FindingRef | undefined> {
    const out = await callAws(
      { action: 'securityhub:GetFindings', where: `the ${ROOT_KEY_CONTROL_ID} findings of account ${accountId}` },
      () =>
        this.options.client.send(
          new GetFindingsCommand({
            Filters: {
              ComplianceSecurityControlId: [{ Value: ROOT_KEY_CONTROL_ID, Comparison: 'EQUALS' }],
              AwsAccountId: [{ Value: accountId, Comparison: 'EQUALS' }],
              RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
            },
            SortCriteria: [{ Field: 'UpdatedAt', SortOrder: 'desc' }],
            MaxResults: 10,
          }),
        ),
    );
    const findings = (out.Findings ?? []).filter((f) => f.Id && f.ProductArn);
    const chosen = findings.find((f) => f.Compliance?.Status === 'FAILED') ?? findings[0];
    return chosen?.Id && chosen.ProductArn ? { id: chosen.Id, productArn: chosen.ProductArn } : undefined;
  }

  async markNotified(finding: FindingRef, note: string): Promise<void> {
    await this.update(finding, 'NOTIFIED', note);
  }

  async markResolved(finding: FindingRef, note: string): Promise<void> {
    await this.update(finding, 'RESOLVED', note);
  }

  async markSuppressed(finding: FindingRef, note: string): Promise<void> {
    await this.update(finding, 'SUPPRESSED', note);
  }

  private async update(finding: FindingRef, status: WorkflowStatus, note: string): Promise<void> {
    const out = await callAws({ action: 'securityhub:BatchUpdateFindings', where: `finding ${finding.id}` }, () =>
      this.options.client.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: [{ Id: finding.id, ProductArn: finding.productArn }],
          Workflow: { Status: status },
          Note: { Text: truncateNote(note), UpdatedBy: this.updatedBy },
        }),
      ),
    );
    // BatchUpdateFindings answers 200 even when it updated nothing: the refusal is in the body.
    const unprocessed = out.UnprocessedFindings?.[0];
    if (unprocessed) {
      const detail = `Security Hub did not set finding ${finding.id} to ${status}: ${unprocessed.ErrorCode ?? 'unknown'} (${unprocessed.ErrorMessage ?? 'no message'})`;
      if (RETRYABLE_UNPROCESSED.has(unprocessed.ErrorCode ?? '')) throw new TransientAwsError(detail);
      throw new InvalidInputError(detail, [unprocessed.ErrorCode ?? 'unknown']);
    }
  }
}
