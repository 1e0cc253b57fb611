import type * as events from 'aws-cdk-lib/aws-events';
import { ROOT_KEY_CONTROL_ID } from '../../functions/core/normalize-trigger';

/**
 * Security Hub findings of control IAM.4 that FAILED and nobody has handled yet (`Workflow.Status`
 * NEW). The control id is `Compliance.SecurityControlId` with consolidated control findings and
 * `ProductFields.ControlId` without; `$or` matches either.
 *
 * NEW only, never NOTIFIED: rootkey's own BatchUpdateFindings (NOTIFIED when it asks for approval,
 * RESOLVED, SUPPRESSED) makes Security Hub emit another "Security Hub Findings - Imported" event
 * for the same finding, still FAILED, with the new `Workflow.Status` ("When Security Hub CSPM
 * receives a BatchUpdateFindings request to update a finding, it automatically generates a
 * Security Hub Findings – Imported event", https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchupdatefindings.html).
 * Matching NOTIFIED would start the workflow again for every case it opens. Security Hub itself
 * sets a RESOLVED finding back to NEW when the control fails again, so a key that comes back is
 * seen; a finding another tool set to NOTIFIED is picked up by the daily sweep.
 */
export const SECURITY_HUB_IAM4_PATTERN: events.EventPattern = {
  source: ['aws.securityhub'],
  detailType: ['Security Hub Findings - Imported'],
  detail: {
    findings: {
      Compliance: { Status: ['FAILED'] },
      RecordState: ['ACTIVE'],
      Workflow: { Status: ['NEW'] },
      $or: [
        { Compliance: { SecurityControlId: [ROOT_KEY_CONTROL_ID] } },
        { ProductFields: { ControlId: [ROOT_KEY_CONTROL_ID] } },
      ],
    },
  },
};

/**
 * `CreateAccessKey` called by the root user for itself. Root may also create keys for IAM users;
 * those calls name the user in `requestParameters.userName`, so the field must not exist. The
 * normalize step checks the same again (the rule is a filter, not the only guard).
 */
export const ROOT_CREATE_ACCESS_KEY_PATTERN: events.EventPattern = {
  source: ['aws.iam'],
  detailType: ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['iam.amazonaws.com'],
    eventName: ['CreateAccessKey'],
    userIdentity: { type: ['Root'] },
    requestParameters: { userName: [{ exists: false }] },
    errorCode: [{ exists: false }],
  },
};
