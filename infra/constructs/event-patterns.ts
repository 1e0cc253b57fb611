import type * as events from 'aws-cdk-lib/aws-events';
import { ROOT_KEY_CONTROL_ID } from '../../functions/core/normalize-trigger';

/**
 * Security Hub findings of control IAM.4 that FAILED and are still to be handled. The control id is
 * `Compliance.SecurityControlId` with consolidated control findings and `ProductFields.ControlId`
 * without; `$or` matches either.
 */
export const SECURITY_HUB_IAM4_PATTERN: events.EventPattern = {
  source: ['aws.securityhub'],
  detailType: ['Security Hub Findings - Imported'],
  detail: {
    findings: {
      Compliance: { Status: ['FAILED'] },
      RecordState: ['ACTIVE'],
      Workflow: { Status: ['NEW', 'NOTIFIED'] },
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
