import { randomUUID } from 'node:crypto';

/**
 * EventBridge events exactly as AWS delivers them to the central bus, one builder per trigger type.
 * The fault scenarios start cases with them and the fuzzers mutate them.
 */

export const CENTRAL_ACCOUNT = '999999999999';

/** A Security Hub "Findings - Imported" event for a FAILED IAM.4 finding (ASFF, consolidated control findings). */
export function securityHubFindingEvent(
  accountId: string,
  finding: { id: string; productArn: string } = {
    id: `arn:aws:securityhub:us-east-1:${accountId}:security-control/IAM.4/finding/${randomUUID()}`,
    productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
  },
  at = new Date().toISOString(),
): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Security Hub Findings - Imported',
    source: 'aws.securityhub',
    account: CENTRAL_ACCOUNT,
    time: at,
    region: 'us-east-1',
    resources: [finding.id],
    detail: {
      findings: [
        {
          SchemaVersion: '2018-10-08',
          Id: finding.id,
          ProductArn: finding.productArn,
          ProductName: 'Security Hub',
          CompanyName: 'AWS',
          Region: 'us-east-1',
          GeneratorId: 'security-control/IAM.4',
          AwsAccountId: accountId,
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          FirstObservedAt: at,
          LastObservedAt: at,
          CreatedAt: at,
          UpdatedAt: at,
          Severity: { Label: 'CRITICAL', Normalized: 90, Original: 'CRITICAL' },
          Title: 'IAM root user access key should not exist',
          Description: 'This control checks whether the root user access key is available.',
          Remediation: {
            Recommendation: {
              Text: 'For information on how to correct this issue, consult the AWS Security Hub controls documentation.',
              Url: 'https://docs.aws.amazon.com/console/securityhub/IAM.4/remediation',
            },
          },
          ProductFields: { ControlId: 'IAM.4', 'aws/securityhub/ProductName': 'Security Hub' },
          Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${accountId}`, Partition: 'aws', Region: 'us-east-1' }],
          Compliance: { Status: 'FAILED', SecurityControlId: 'IAM.4', AssociatedStandards: [] },
          WorkflowState: 'NEW',
          Workflow: { Status: 'NEW' },
          RecordState: 'ACTIVE',
        },
      ],
    },
  };
}

/** CloudTrail `CreateAccessKey` by the root user for itself (no `userName`), forwarded from us-east-1. */
export function rootCreateAccessKeyEvent(accountId: string, at = new Date().toISOString()): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account: accountId,
    time: at,
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'Root',
        principalId: accountId,
        arn: `arn:aws:iam::${accountId}:root`,
        accountId,
        accessKeyId: 'ASIAEXAMPLESESSION01',
      },
      eventTime: at,
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateAccessKey',
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.10',
      userAgent: 'AWS Internal',
      requestParameters: null,
      responseElements: {
        accessKey: { accessKeyId: 'AKIAEXAMPLENEWKEY001', status: 'Active', userName: accountId, createDate: at },
      },
      requestID: randomUUID(),
      eventID: randomUUID(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: accountId,
      eventCategory: 'Management',
    },
  };
}

/** The daily schedule's event (it starts the organization sweep). */
export function scheduledEvent(at = new Date().toISOString()): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: CENTRAL_ACCOUNT,
    time: at,
    region: 'us-east-1',
    resources: [`arn:aws:events:us-east-1:${CENTRAL_ACCOUNT}:rule/RootKeyDailySweep`],
    detail: {},
  };
}
