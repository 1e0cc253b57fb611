import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FINDING_NOTE_AUTHOR } from '../../functions/core/shared-names';
import type { FindingWorkflowStatus } from '../../functions/core/finding-notes';

/**
 * The fields of a finding that BatchUpdateFindings can change besides `Workflow.Status` and `Note`
 * ("Available fields for BatchUpdateFindings"), as `securityhub:ASFFSyntaxPath/<field>` condition
 * keys. The key names follow the Security Hub User Guide ("Configuring access to
 * BatchUpdateFindings": `securityhub:ASFFSyntaxPath/<fieldName>`, e.g. `…/Workflow.Status`,
 * https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchupdatefindings.html)
 * and AWS's own managed policy AWSSystemsManagerOpsDataSyncServiceRolePolicy, which denies
 * `…/Confidence`, `…/Criticality`, `…/Note.Text`, `…/Note.UpdatedBy`, `…/RelatedFindings`, `…/Types`,
 * `…/UserDefinedFields.key`, `…/UserDefinedFields.value` and `…/VerificationState` the same way.
 */
export const FIELDS_ROOTKEY_NEVER_SETS = [
  'Confidence',
  'Criticality',
  'RelatedFindings',
  'Severity.Label',
  'Severity.Normalized',
  'Severity.Product',
  'Types',
  'UserDefinedFields.key',
  'UserDefinedFields.value',
  'VerificationState',
] as const;

const key = (field: string) => `securityhub:ASFFSyntaxPath/${field}`;

/**
 * What a task that updates the IAM.4 finding may call on this account's hub: GetFindings (to find
 * the finding), and BatchUpdateFindings only when the request sets `Workflow.Status` to one of
 * `statuses`, writes the note as rootkey, and sets no other field. The conditions are ANDed in one
 * Allow: a request without `Workflow.Status`, with another status or author, or with any other
 * field (a condition key that is not null) is not allowed. Without them the role could suppress
 * or re-grade any finding the delegated administrator sees.
 */
export function findingUpdateStatements(statuses: readonly FindingWorkflowStatus[]): iam.PolicyStatement[] {
  const hub = `arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:hub/default`;
  return [
    new iam.PolicyStatement({ sid: 'FindTheRootKeyFinding', actions: ['securityhub:GetFindings'], resources: [hub] }),
    new iam.PolicyStatement({
      sid: `SetFindingWorkflowStatus${statuses.map((s) => s[0] + s.slice(1).toLowerCase()).join('Or')}`,
      actions: ['securityhub:BatchUpdateFindings'],
      resources: [hub],
      conditions: {
        StringEquals: {
          [key('Workflow.Status')]: [...statuses],
          [key('Note.UpdatedBy')]: FINDING_NOTE_AUTHOR,
        },
        Null: Object.fromEntries(FIELDS_ROOTKEY_NEVER_SETS.map((field) => [key(field), 'true'])),
      },
    }),
  ];
}
