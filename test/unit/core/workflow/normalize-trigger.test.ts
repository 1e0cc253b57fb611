import { normalizeTrigger } from '../../../../functions/core/normalize-trigger';
import { InvalidInputError } from '../../../../functions/core/errors';

const NOW = new Date('2026-11-28T12:00:00.000Z');

function securityHubEvent(finding: Record<string, unknown>) {
  return {
    version: '0',
    id: 'ev-1',
    'detail-type': 'Security Hub Findings - Imported',
    source: 'aws.securityhub',
    account: '222222222222',
    time: '2026-11-28T11:59:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { findings: [finding] },
  };
}

function iam4Finding(overrides: Record<string, unknown> = {}) {
  return {
    Id: 'arn:aws:securityhub:us-east-1:333333333333:security-control/IAM.4/finding/abc',
    ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
    AwsAccountId: '333333333333',
    Region: 'us-east-1',
    UpdatedAt: '2026-11-28T11:58:00Z',
    RecordState: 'ACTIVE',
    Compliance: { Status: 'FAILED', SecurityControlId: 'IAM.4' },
    Workflow: { Status: 'NEW' },
    ...overrides,
  };
}

function createAccessKeyEvent(detail: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: 'ev-2',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account: '333333333333',
    time: '2026-11-28T11:00:01Z',
    region: 'us-east-1',
    detail: {
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateAccessKey',
      eventTime: '2026-11-28T11:00:00Z',
      eventID: 'ct-1',
      recipientAccountId: '333333333333',
      userIdentity: { type: 'Root', accountId: '333333333333', arn: 'arn:aws:iam::333333333333:root' },
      requestParameters: null,
      ...detail,
    },
  };
}

describe('normalizeTrigger: Security Hub findings', () => {
  it('takes the affected account and the finding reference from a FAILED IAM.4 finding', () => {
    const intake = normalizeTrigger(securityHubEvent(iam4Finding()), NOW);

    expect(intake).toEqual({
      ignored: false,
      trigger: {
        source: 'security-hub',
        accountId: '333333333333',
        detectedAt: '2026-11-28T11:58:00Z',
        finding: {
          id: 'arn:aws:securityhub:us-east-1:333333333333:security-control/IAM.4/finding/abc',
          productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          region: 'us-east-1',
        },
        eventId: 'ev-1',
      },
    });
  });

  it('recognizes the control by ProductFields.ControlId when the consolidated id is absent', () => {
    const finding = iam4Finding({ Compliance: { Status: 'FAILED' }, ProductFields: { ControlId: 'IAM.4' } });

    expect(normalizeTrigger(securityHubEvent(finding), NOW).ignored).toBe(false);
  });

  it.each([
    ['another control', { Compliance: { Status: 'FAILED', SecurityControlId: 'IAM.6' } }, /IAM\.6, not IAM\.4/],
    ['a passed check', { Compliance: { Status: 'PASSED', SecurityControlId: 'IAM.4' } }, /PASSED, not FAILED/],
    ['an archived finding', { RecordState: 'ARCHIVED' }, /ARCHIVED/],
    ['a suppressed finding', { Workflow: { Status: 'SUPPRESSED' } }, /SUPPRESSED/],
  ])('ignores %s and says why', (_name, overrides, reason) => {
    const intake = normalizeTrigger(securityHubEvent(iam4Finding(overrides)), NOW);

    expect(intake.ignored).toBe(true);
    expect(intake.ignored && intake.reason).toMatch(reason);
  });

  it('refuses an event without findings', () => {
    const event = { ...securityHubEvent(iam4Finding()), detail: { findings: [] } };

    expect(() => normalizeTrigger(event, NOW)).toThrow(InvalidInputError);
  });
});

describe('normalizeTrigger: CloudTrail CreateAccessKey', () => {
  it('starts a case when the root user creates a key for itself', () => {
    const intake = normalizeTrigger(createAccessKeyEvent(), NOW);

    expect(intake).toEqual({
      ignored: false,
      trigger: { source: 'cloudtrail', accountId: '333333333333', detectedAt: '2026-11-28T11:00:00Z', eventId: 'ct-1' },
    });
  });

  it('ignores a key the root user created for an IAM user', () => {
    const intake = normalizeTrigger(createAccessKeyEvent({ requestParameters: { userName: 'deploy-bot' } }), NOW);

    expect(intake).toEqual({
      ignored: true,
      reason: 'The root user created an access key for IAM user deploy-bot, which is not a root access key',
    });
  });

  it('ignores a key an IAM user created', () => {
    const intake = normalizeTrigger(createAccessKeyEvent({ userIdentity: { type: 'IAMUser' } }), NOW);

    expect(intake.ignored).toBe(true);
  });

  it('ignores a CreateAccessKey call that failed', () => {
    const intake = normalizeTrigger(createAccessKeyEvent({ errorCode: 'LimitExceeded' }), NOW);

    expect(intake.ignored && intake.reason).toMatch(/LimitExceeded/);
  });

  it('refuses a CloudTrail event with a malformed account id, naming the field', () => {
    expect(() => normalizeTrigger(createAccessKeyEvent({ recipientAccountId: '12345' }), NOW)).toThrow(
      /detail\.recipientAccountId: an account id is 12 digits/,
    );
  });
});

describe('normalizeTrigger: direct starts', () => {
  it('accepts a manual start and stamps it with the current time', () => {
    const intake = normalizeTrigger({ source: 'manual', accountId: '444444444444', requestedBy: 'U123' }, NOW);

    expect(intake).toEqual({
      ignored: false,
      trigger: { source: 'manual', accountId: '444444444444', detectedAt: NOW.toISOString(), requestedBy: 'U123' },
    });
  });

  it('keeps the case whose accepted risk expired as the event id', () => {
    const intake = normalizeTrigger(
      {
        source: 'acceptance-expired',
        accountId: '444444444444',
        previousCaseId: 'RK-444444444444-20261128100000-ab12',
      },
      NOW,
    );

    expect(intake.ignored === false && intake.trigger.eventId).toBe('RK-444444444444-20261128100000-ab12');
  });

  it('ignores a scheduled event: it belongs to the organization sweep', () => {
    const intake = normalizeTrigger({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, NOW);

    expect(intake.ignored).toBe(true);
  });

  it.each([
    ['a string', 'hello'],
    ['an unknown source', { source: 'somewhere', accountId: '444444444444' }],
    ['an unexpected field', { source: 'manual', accountId: '444444444444', token: 'x' }],
  ])('refuses %s with InvalidInputError', (_name, input) => {
    expect(() => normalizeTrigger(input, NOW)).toThrow(InvalidInputError);
  });
});
