import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRootCommand, GetCallerIdentityCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import {
  DeactivateMFADeviceCommand,
  DeleteLoginProfileCommand,
  DeleteSigningCertificateCommand,
  GetLoginProfileCommand,
  IAMClient,
  IAMServiceException,
  ListMFADevicesCommand,
  ListSigningCertificatesCommand,
} from '@aws-sdk/client-iam';
import { AwsRootCredentialsRemover } from '../../../../functions/adapters/aws/aws-root-credentials-remover';

const session: Credentials = {
  AccessKeyId: 'ASIA1',
  SecretAccessKey: 's',
  SessionToken: 't',
  Expiration: new Date('2026-11-28T10:15:00Z'),
};

describe('AwsRootCredentialsRemover', () => {
  const sts = new STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const iam = new IAMClient({ region: 'eu-west-1' });
  const stsMock = mockClient(sts);
  const iamMock = mockClient(iam);
  const remover = () => new AwsRootCredentialsRemover({ sts, iamFor: () => iam });

  beforeEach(() => {
    // Prepare
    stsMock.reset();
    iamMock.reset();
    stsMock
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '999999999999', Arn: 'arn:aws:sts::999999999999:assumed-role/Tooling/x' });
    stsMock.on(AssumeRootCommand).resolves({ Credentials: session, $metadata: { requestId: 'req-root' } });
    iamMock
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: '<root_account>', CreateDate: new Date() } });
    iamMock.on(ListMFADevicesCommand).resolves({
      MFADevices: [
        { UserName: '<root_account>', SerialNumber: 'arn:aws:iam::333333333333:mfa/root', EnableDate: new Date() },
      ],
    });
    iamMock.on(ListSigningCertificatesCommand).resolves({
      Certificates: [{ UserName: '<root_account>', CertificateId: 'CERT1', CertificateBody: 'x', Status: 'Active' }],
    });
  });

  it('opens a root session with IAMDeleteRootUserCredentials and deletes password, MFA and certificates without UserName', async () => {
    // Act
    const result = await remover().deleteRootCredentials('333333333333');

    // Assess
    expect(stsMock).toHaveReceivedCommandWith(AssumeRootCommand, {
      TargetPrincipal: '333333333333',
      TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials' },
      DurationSeconds: 900,
    });
    expect(iamMock.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'GetLoginProfileCommand',
      'DeleteLoginProfileCommand',
      'ListMFADevicesCommand',
      'DeactivateMFADeviceCommand',
      'ListSigningCertificatesCommand',
      'DeleteSigningCertificateCommand',
    ]);
    expect(iamMock).toHaveReceivedCommandWith(DeactivateMFADeviceCommand, {
      SerialNumber: 'arn:aws:iam::333333333333:mfa/root',
    });
    expect(iamMock).toHaveReceivedCommandWith(DeleteSigningCertificateCommand, { CertificateId: 'CERT1' });
    expect(Object.keys(iamMock.commandCalls(DeleteLoginProfileCommand)[0].args[0].input)).not.toContain('UserName');
    expect(result.deleted).toEqual({ password: true, mfaDevices: 1, signingCertificates: 1 });
    expect(result.requestIds).toContain('req-root');
  });

  it('skips DeleteLoginProfile when root has no password (NoSuchEntity)', async () => {
    iamMock
      .on(GetLoginProfileCommand)
      .rejects(
        new IAMServiceException({ name: 'NoSuchEntityException', $fault: 'client', $metadata: {}, message: 'none' }),
      );
    iamMock.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iamMock.on(ListSigningCertificatesCommand).resolves({ Certificates: [] });

    const result = await remover().deleteRootCredentials('333333333333');

    expect(iamMock).not.toHaveReceivedCommand(DeleteLoginProfileCommand);
    expect(result.deleted).toEqual({ password: false, mfaDevices: 0, signingCertificates: 0 });
  });
});
