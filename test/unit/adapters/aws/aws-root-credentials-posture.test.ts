import { mockClient } from 'aws-sdk-client-mock';
import {
  AssumeRoleCommand,
  AssumeRootCommand,
  GetCallerIdentityCommand,
  STSClient,
  type Credentials,
} from '@aws-sdk/client-sts';
import {
  GetAccountSummaryCommand,
  GetLoginProfileCommand,
  IAMClient,
  IAMServiceException,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListSigningCertificatesCommand,
} from '@aws-sdk/client-iam';
import { AwsRootKeyReader } from '../../../../functions/adapters/aws/aws-root-key-reader';
import type { Account } from '../../../../functions/core/account';
import { AccessDeniedError } from '../../../../functions/core/errors';

const CALLER_ARN = 'arn:aws:sts::999999999999:assumed-role/SecurityTooling/alice';
const member: Account = { id: '333333333333', name: 'payments-prod', isManagement: false };
const management: Account = { id: '111111111111', name: 'management', isManagement: true };
const session: Credentials = {
  AccessKeyId: 'ASIASESSION000000001',
  SecretAccessKey: 'secret',
  SessionToken: 'token',
  Expiration: new Date('2026-11-28T10:15:00Z'),
};

function iamError(name: string, status: number): IAMServiceException {
  return new IAMServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
}

describe('AwsRootKeyReader: root credential posture (password, MFA devices, signing certificates)', () => {
  const sts = new STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const ambientIam = new IAMClient({ region: 'eu-west-1' });
  const sessionIam = new IAMClient({ region: 'eu-west-1' });
  const stsMock = mockClient(sts);
  const ambientIamMock = mockClient(ambientIam);
  const sessionIamMock = mockClient(sessionIam);
  const reader = () =>
    new AwsRootKeyReader({
      sts,
      iam: ambientIam,
      iamFor: () => sessionIam,
      now: () => new Date('2026-11-28T10:00:00Z'),
    });

  beforeEach(() => {
    // Prepare
    stsMock.reset();
    ambientIamMock.reset();
    sessionIamMock.reset();
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: CALLER_ARN });
    stsMock.on(AssumeRootCommand).resolves({ Credentials: session, $metadata: { requestId: 'req-assume-root' } });
    stsMock.on(AssumeRoleCommand).resolves({ Credentials: session, $metadata: { requestId: 'req-assume-role' } });
    sessionIamMock.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountAccessKeysPresent: 0 } });
    sessionIamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
    sessionIamMock.on(GetLoginProfileCommand).resolves({
      LoginProfile: { UserName: '<root_account>', CreateDate: new Date('2019-01-01T00:00:00Z') },
      $metadata: { requestId: 'req-login' },
    });
    sessionIamMock.on(ListMFADevicesCommand).resolves({
      MFADevices: [
        { UserName: '<root_account>', SerialNumber: 'arn:aws:iam::333333333333:mfa/root', EnableDate: new Date() },
      ],
      $metadata: { requestId: 'req-mfa' },
    });
    sessionIamMock
      .on(ListSigningCertificatesCommand)
      .resolves({ Certificates: [], $metadata: { requestId: 'req-certs' } });
  });

  it('reads the three credentials in the AssumeRoot audit session, each without UserName (the root user)', async () => {
    // Act
    const reading = await reader().read(member, { useAssumeRoot: true, includeRootCredentials: true });

    // Assess
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRootCommand, 1);
    expect(sessionIamMock).toHaveReceivedCommandTimes(GetLoginProfileCommand, 1);
    expect(sessionIamMock).toHaveReceivedCommandTimes(ListMFADevicesCommand, 1);
    expect(sessionIamMock).toHaveReceivedCommandTimes(ListSigningCertificatesCommand, 1);
    expect(Object.keys(sessionIamMock.commandCalls(GetLoginProfileCommand)[0].args[0].input)).not.toContain('UserName');
    expect(Object.keys(sessionIamMock.commandCalls(ListMFADevicesCommand)[0].args[0].input)).not.toContain('UserName');
    expect(Object.keys(sessionIamMock.commandCalls(ListSigningCertificatesCommand)[0].args[0].input)).not.toContain(
      'UserName',
    );
    expect(sessionIamMock.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'GetAccountSummaryCommand',
      'ListAccessKeysCommand',
      'GetLoginProfileCommand',
      'ListMFADevicesCommand',
      'ListSigningCertificatesCommand',
    ]);
    expect(ambientIamMock).not.toHaveReceivedAnyCommand();
    expect(reading.signals.rootCredentials).toEqual({ password: true, mfaDevices: 1, signingCertificates: 0 });
    expect(reading.requestIds).toEqual(expect.arrayContaining(['req-login', 'req-mfa', 'req-certs']));
  });

  it('reports no password when GetLoginProfile answers NoSuchEntity', async () => {
    sessionIamMock.on(GetLoginProfileCommand).rejects(iamError('NoSuchEntityException', 404));

    const reading = await reader().read(member, { useAssumeRoot: true, includeRootCredentials: true });

    expect(reading.signals.rootCredentials).toEqual({ password: false, mfaDevices: 1, signingCertificates: 0 });
  });

  it('makes none of the three calls unless asked (the workflow read stays as it was)', async () => {
    const reading = await reader().read(member, { useAssumeRoot: true });

    expect(sessionIamMock).not.toHaveReceivedCommand(GetLoginProfileCommand);
    expect(sessionIamMock).not.toHaveReceivedCommand(ListMFADevicesCommand);
    expect(sessionIamMock).not.toHaveReceivedCommand(ListSigningCertificatesCommand);
    expect(reading.signals.rootCredentials).toBeUndefined();
  });

  it('does not read them through a role (without UserName they would describe the role session, not root)', async () => {
    const reading = await reader().read(management, {
      useAssumeRoot: true,
      roleName: 'RootKeyReadOnly',
      includeRootCredentials: true,
    });

    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(stsMock).not.toHaveReceivedCommand(AssumeRootCommand);
    expect(sessionIamMock).not.toHaveReceivedCommand(GetLoginProfileCommand);
    expect(sessionIamMock).not.toHaveReceivedCommand(ListMFADevicesCommand);
    expect(reading.method).toBe('read-only-role');
    expect(reading.signals.rootCredentials).toBeUndefined();
  });

  it('names the refused permission when the session may not list MFA devices', async () => {
    sessionIamMock.on(ListMFADevicesCommand).rejects(iamError('AccessDenied', 403));

    const read = reader().read(member, { useAssumeRoot: true, includeRootCredentials: true });

    await expect(read).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(read).rejects.toMatchObject({ permission: 'iam:ListMFADevices' });
  });
});
