import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  GenerateCredentialReportCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListOrganizationsFeaturesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, AssumeRootCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsOrganization } from '../../../../functions/adapters/aws/aws-organization';
import { AwsRootKeyReader } from '../../../../functions/adapters/aws/aws-root-key-reader';
import { DEFAULT_SETTINGS } from '../../../../functions/services/dependencies';
import { detectAccount } from '../../../../functions/services/scan-accounts';

/** detectAccount over the real AWS adapters, AWS itself mocked: how the features steer the read path. */
describe('detectAccount over the AWS adapters', () => {
  const organizations = new OrganizationsClient({ region: 'us-east-1' });
  const sts = new STSClient({ region: 'us-east-1' });
  const iam = new IAMClient({ region: 'us-east-1' });
  const sessionIam = new IAMClient({ region: 'us-east-1' });
  const mocks = [mockClient(organizations), mockClient(sts), mockClient(iam), mockClient(sessionIam)] as const;
  const [orgMock, stsMock, iamMock, sessionMock] = mocks;

  function deps() {
    return {
      organization: new AwsOrganization({ organizations, sts, iam }),
      reader: new AwsRootKeyReader({ sts, iam, iamFor: () => sessionIam }),
      settings: { ...DEFAULT_SETTINGS, readRoleName: 'RootKeyReadOnly' },
    };
  }

  beforeEach(() => {
    mocks.forEach((m) => m.reset());
    stsMock
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '222222222222', Arn: 'arn:aws:sts::222222222222:assumed-role/Tooling/x' });
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date() },
    });
    orgMock
      .on(DescribeOrganizationCommand)
      .resolves({ Organization: { Id: 'o-abcdefghij', MasterAccountId: '111111111111' } });
    orgMock
      .on(DescribeAccountCommand)
      .resolves({ Account: { Id: '333333333333', Name: 'payments-prod', State: 'ACTIVE' } });
    sessionMock.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountAccessKeysPresent: 1 } });
    sessionMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
    sessionMock.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
    sessionMock.on(GetCredentialReportCommand).resolves({});
  });

  it('uses no AssumeRoot and offers no automated removal when the organization has the features disabled', async () => {
    // Prepare
    iamMock.on(ListOrganizationsFeaturesCommand).resolves({ EnabledFeatures: [] });

    // Act
    const posture = await detectAccount(deps(), '333333333333');

    // Assess
    expect(stsMock).not.toHaveReceivedCommand(AssumeRootCommand);
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::333333333333:role/RootKeyReadOnly',
    });
    expect(posture.status).toBe('NON_COMPLIANT');
    expect(posture.method).toBe('read-only-role');
    expect(posture.removalPaths).toEqual(['root-sign-in', 'password-recovery']);
  });

  it('uses AssumeRoot when RootSessions is enabled', async () => {
    iamMock
      .on(ListOrganizationsFeaturesCommand)
      .resolves({ EnabledFeatures: ['RootCredentialsManagement', 'RootSessions'] });
    stsMock.on(AssumeRootCommand).resolves({
      Credentials: { AccessKeyId: 'ASIA2', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date() },
    });
    sessionMock.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountAccessKeysPresent: 0 } });

    const posture = await detectAccount(deps(), '333333333333');

    expect(stsMock).toHaveReceivedCommandWith(AssumeRootCommand, { TargetPrincipal: '333333333333' });
    expect(posture.method).toBe('assume-root-audit');
    expect(posture.status).toBe('COMPLIANT');
    expect(posture.removalPaths).toContain('assume-root-delete');
  });
});
