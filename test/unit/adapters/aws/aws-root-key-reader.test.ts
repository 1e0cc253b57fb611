import { mockClient } from 'aws-sdk-client-mock';
import {
  AssumeRoleCommand,
  AssumeRootCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
  type Credentials,
} from '@aws-sdk/client-sts';
import {
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  IAMClient,
  IAMServiceException,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import { AwsRootKeyReader } from '../../../../functions/adapters/aws/aws-root-key-reader';
import { decidePosture } from '../../../../functions/core/account-posture';
import type { Account } from '../../../../functions/core/account';
import { AccessDeniedError, RootAccessUnavailableError, TransientAwsError } from '../../../../functions/core/errors';

const CALLER_ARN = 'arn:aws:sts::999999999999:assumed-role/SecurityTooling/alice';
const member: Account = { id: '333333333333', name: 'payments-prod', isManagement: false };
const management: Account = { id: '111111111111', name: 'management', isManagement: true };
const sessionCredentials: Credentials = {
  AccessKeyId: 'ASIASESSION000000001',
  SecretAccessKey: 'secret',
  SessionToken: 'token',
  Expiration: new Date('2026-11-28T10:15:00Z'),
};
const features = { rootCredentialsManagement: true, rootSessions: true };

function accessDenied(action: string): STSServiceException {
  return new STSServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403, requestId: 'denied-1' },
    message: `User: ${CALLER_ARN} is not authorized to perform: ${action}`,
  });
}

function csvReport(rootKey1: string): Uint8Array {
  const header =
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
    'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
    'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
    'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
  const root = `<root_account>,arn:aws:iam::111111111111:root,2019-01-01T00:00:00+00:00,not_supported,N/A,not_supported,not_supported,true,${rootKey1},false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
  return new TextEncoder().encode(`${header}\n${root}\n`);
}

describe('AwsRootKeyReader', () => {
  const sts = new STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const ambientIam = new IAMClient({ region: 'eu-west-1' });
  const sessionIam = new IAMClient({ region: 'eu-west-1' });
  const stsMock = mockClient(sts);
  const ambientIamMock = mockClient(ambientIam);
  const sessionIamMock = mockClient(sessionIam);
  let iamFor: jest.Mock<IAMClient, [Credentials | undefined]>;
  let sleeps: number[];

  function reader(): AwsRootKeyReader {
    return new AwsRootKeyReader({
      sts,
      iam: ambientIam,
      iamFor,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      credentialReport: { maxPolls: 3, pollIntervalMs: 10 },
      now: () => new Date('2026-11-28T10:00:00Z'),
    });
  }

  beforeEach(() => {
    stsMock.reset();
    ambientIamMock.reset();
    sessionIamMock.reset();
    iamFor = jest.fn((_credentials: Credentials | undefined) => sessionIam);
    sleeps = [];
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: CALLER_ARN });
  });

  describe('a member account with centralized root access', () => {
    beforeEach(() => {
      stsMock
        .on(AssumeRootCommand)
        .resolves({ Credentials: sessionCredentials, $metadata: { requestId: 'req-assume-root' } });
      sessionIamMock
        .on(GetAccountSummaryCommand)
        .resolves({ SummaryMap: { AccountAccessKeysPresent: 2 }, $metadata: { requestId: 'req-summary' } });
      sessionIamMock.on(ListAccessKeysCommand).resolves({
        AccessKeyMetadata: [
          { AccessKeyId: 'AKIAPAYMENTSROOT0042', Status: 'Active', CreateDate: new Date('2020-11-02T08:00:00Z') },
          { AccessKeyId: 'AKIAPAYMENTSROOT0043', Status: 'Inactive', CreateDate: new Date('2021-01-05T08:00:00Z') },
        ],
        $metadata: { requestId: 'req-list' },
      });
      sessionIamMock.on(GetAccessKeyLastUsedCommand, { AccessKeyId: 'AKIAPAYMENTSROOT0042' }).resolves({
        AccessKeyLastUsed: { LastUsedDate: new Date('2026-11-20T06:15:00Z'), ServiceName: 'ec2', Region: 'eu-west-1' },
        $metadata: { requestId: 'req-last-used-1' },
      });
      sessionIamMock.on(GetAccessKeyLastUsedCommand, { AccessKeyId: 'AKIAPAYMENTSROOT0043' }).resolves({
        AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' },
        $metadata: { requestId: 'req-last-used-2' },
      });
    });

    it('opens an audit root session with AssumeRoot: the account as target, the audit task policy, 900 seconds', async () => {
      // Act
      await reader().read(member, { useAssumeRoot: true, roleName: 'RootKeyReadOnly' });

      // Assess
      expect(stsMock).toHaveReceivedCommandTimes(AssumeRootCommand, 1);
      expect(stsMock).toHaveReceivedCommandWith(AssumeRootCommand, {
        TargetPrincipal: '333333333333',
        TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials' },
        DurationSeconds: 900,
      });
      expect(stsMock).not.toHaveReceivedCommand(AssumeRoleCommand);
      expect(iamFor).toHaveBeenCalledWith(sessionCredentials);
    });

    it("lists the root user's keys with ListAccessKeys without UserName and reads each key's last use", async () => {
      const reading = await reader().read(member, { useAssumeRoot: true });

      const listInput = sessionIamMock.commandCalls(ListAccessKeysCommand)[0].args[0].input;
      expect(listInput.UserName).toBeUndefined();
      expect(Object.keys(listInput)).not.toContain('UserName');
      expect(sessionIamMock).toHaveReceivedCommandWith(GetAccessKeyLastUsedCommand, {
        AccessKeyId: 'AKIAPAYMENTSROOT0042',
      });
      expect(ambientIamMock).not.toHaveReceivedAnyCommand();
      expect(reading.method).toBe('assume-root-audit');
      expect(reading.signals.accountAccessKeysPresent).toBe(2);
      expect(reading.signals.listedKeys).toEqual([
        {
          id: 'AKIAPAYMENTSROOT0042',
          maskedId: 'AKIA************0042',
          status: 'Active',
          createdAt: '2020-11-02T08:00:00.000Z',
          lastUsed: { date: '2026-11-20T06:15:00.000Z', service: 'ec2', region: 'eu-west-1' },
        },
        // Never used: IAM answers N/A for service and Region, which must not show up as values.
        {
          id: 'AKIAPAYMENTSROOT0043',
          maskedId: 'AKIA************0043',
          status: 'Inactive',
          createdAt: '2021-01-05T08:00:00.000Z',
        },
      ]);
    });

    it('records the request id of every call for the evidence', async () => {
      const reading = await reader().read(member, { useAssumeRoot: true });

      expect(reading.requestIds).toEqual([
        'req-assume-root',
        'req-summary',
        'req-list',
        'req-last-used-1',
        'req-last-used-2',
      ]);
    });

    it('never asks for the credential report inside the root session (the audit task policy does not allow it)', async () => {
      await reader().read(member, { useAssumeRoot: true, includeCredentialReport: true });

      expect(sessionIamMock).not.toHaveReceivedCommand(GenerateCredentialReportCommand);
      expect(sessionIamMock).not.toHaveReceivedCommand(GetCredentialReportCommand);
    });

    it('refuses the global STS endpoint (pseudo-Region aws-global) before calling AssumeRoot', async () => {
      const globalSts = new STSClient({
        region: 'aws-global',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      const globalMock = mockClient(globalSts);
      globalMock.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: CALLER_ARN });
      const r = new AwsRootKeyReader({ sts: globalSts, iam: ambientIam, iamFor });

      await expect(r.read(member, { useAssumeRoot: true })).rejects.toThrow(RootAccessUnavailableError);
      expect(globalMock).not.toHaveReceivedCommand(AssumeRootCommand);
      globalMock.restore();
    });
  });

  describe('when AssumeRoot is refused', () => {
    beforeEach(() => {
      stsMock.on(AssumeRootCommand).rejects(accessDenied('sts:AssumeRoot'));
    });

    it('throws AccessDeniedError naming sts:AssumeRoot, the account and the caller when no role is given', async () => {
      const error = await reader()
        .read(member, { useAssumeRoot: true })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AccessDeniedError);
      const denied = error as AccessDeniedError;
      expect(denied.permission).toBe('sts:AssumeRoot');
      expect(denied.where).toContain('333333333333');
      expect(denied.where).toContain(CALLER_ARN);
      expect(denied.message).toContain('sts:AssumeRoot is not allowed for account 333333333333');
      expect((denied.cause as Error).name).toBe('AccessDenied');
    });

    it('falls back to the read role when one is given', async () => {
      stsMock.on(AssumeRoleCommand).resolves({ Credentials: sessionCredentials });
      sessionIamMock.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountAccessKeysPresent: 0 } });

      const reading = await reader().read(member, { useAssumeRoot: true, roleName: 'RootKeyReadOnly' });

      expect(reading.method).toBe('read-only-role');
      expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
        RoleArn: 'arn:aws:iam::333333333333:role/RootKeyReadOnly',
      });
      expect(reading.signals).toEqual({ accountAccessKeysPresent: 0 });
    });
  });

  describe('the management account, read through the role and the credential report', () => {
    beforeEach(() => {
      stsMock.on(AssumeRoleCommand).resolves({ Credentials: sessionCredentials, $metadata: { requestId: 'req-role' } });
      sessionIamMock.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountAccessKeysPresent: 1 } });
      sessionIamMock
        .on(GenerateCredentialReportCommand)
        .resolvesOnce({ State: 'STARTED' })
        .resolvesOnce({ State: 'INPROGRESS' })
        .resolves({ State: 'COMPLETE' });
      sessionIamMock.on(GetCredentialReportCommand).resolves({
        Content: csvReport('false,2019-03-14T09:12:00+00:00,2021-07-02T17:40:00+00:00,us-east-1,s3'),
        GeneratedTime: new Date('2026-11-28T09:58:00Z'),
        ReportFormat: 'text/csv',
      });
    });

    it('assumes the role (never AssumeRoot), polls the report until COMPLETE and reads the <root_account> row', async () => {
      const reading = await reader().read(management, {
        useAssumeRoot: true,
        roleName: 'RootKeyReadOnly',
        includeCredentialReport: true,
      });

      expect(stsMock).not.toHaveReceivedCommand(AssumeRootCommand);
      expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
        RoleArn: 'arn:aws:iam::111111111111:role/RootKeyReadOnly',
        RoleSessionName: 'rootkey-read',
      });
      expect(sessionIamMock).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 3);
      expect(sleeps).toEqual([10, 10]);
      expect(sessionIamMock).not.toHaveReceivedCommand(ListAccessKeysCommand);
      expect(reading.method).toBe('read-only-role');
      expect(reading.signals.accountAccessKeysPresent).toBe(1);
      expect(reading.signals.credentialReport).toEqual({
        generatedAt: '2026-11-28T09:58:00.000Z',
        keys: [
          {
            maskedId: 'key 1 (id not in the credential report)',
            status: 'Inactive',
            createdAt: '2019-03-14T09:12:00.000Z',
            lastUsed: { date: '2021-07-02T17:40:00.000Z', service: 's3', region: 'us-east-1' },
          },
        ],
      });
      const posture = decidePosture(management, reading, features);
      expect(posture.status).toBe('NON_COMPLIANT');
      expect(posture.keys[0].status).toBe('Inactive');
      expect(posture.removalPaths).not.toContain('assume-root-delete');
    });

    it('goes on without the report when it is not ready within the bound', async () => {
      sessionIamMock.on(GenerateCredentialReportCommand).resolves({ State: 'INPROGRESS' });

      const reading = await reader().read(management, {
        useAssumeRoot: false,
        roleName: 'RootKeyReadOnly',
        includeCredentialReport: true,
      });

      expect(sessionIamMock).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 3);
      expect(sessionIamMock).not.toHaveReceivedCommand(GetCredentialReportCommand);
      expect(reading.signals).toEqual({ accountAccessKeysPresent: 1 });
    });

    it("takes the partition of ARNs from the caller's identity", async () => {
      stsMock.on(GetCallerIdentityCommand).resolves({
        Account: '999999999999',
        Arn: 'arn:aws-us-gov:sts::999999999999:assumed-role/SecurityTooling/alice',
      });

      await reader().read(management, { useAssumeRoot: true, roleName: 'RootKeyReadOnly' });

      expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
        RoleArn: 'arn:aws-us-gov:iam::111111111111:role/RootKeyReadOnly',
      });
    });

    it('names the role and the caller when AssumeRole is refused', async () => {
      stsMock.on(AssumeRoleCommand).rejects(accessDenied('sts:AssumeRole'));

      const error = (await reader()
        .read(management, { useAssumeRoot: true, roleName: 'RootKeyReadOnly' })
        .catch((e: unknown) => e)) as AccessDeniedError;

      expect(error).toBeInstanceOf(AccessDeniedError);
      expect(error.permission).toBe('sts:AssumeRole');
      expect(error.where).toBe(`arn:aws:iam::111111111111:role/RootKeyReadOnly as ${CALLER_ARN}`);
    });

    it('says what is missing when neither AssumeRoot nor a role can reach the account', async () => {
      await expect(reader().read(management, { useAssumeRoot: true })).rejects.toThrow(
        /111111111111 .*management account.*--role-name/,
      );
      expect(stsMock).not.toHaveReceivedCommand(AssumeRootCommand);
      expect(stsMock).not.toHaveReceivedCommand(AssumeRoleCommand);
    });
  });

  it('reads a member account through the role when centralized root access is off', async () => {
    stsMock.on(AssumeRoleCommand).resolves({ Credentials: sessionCredentials });
    sessionIamMock.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountAccessKeysPresent: 0 } });

    const reading = await reader().read(member, { useAssumeRoot: false, roleName: 'RootKeyReadOnly' });

    expect(stsMock).not.toHaveReceivedCommand(AssumeRootCommand);
    expect(reading.method).toBe('read-only-role');
  });

  it("reads the caller's own account with the ambient credentials", async () => {
    const own: Account = { id: '999999999999', name: 'security-tooling', isManagement: true };
    ambientIamMock.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountAccessKeysPresent: 0 } });

    const reading = await reader().read(own, { useAssumeRoot: true, roleName: 'RootKeyReadOnly' });

    expect(reading.method).toBe('caller-credentials');
    expect(reading.signals).toEqual({ accountAccessKeysPresent: 0 });
    expect(stsMock).not.toHaveReceivedCommand(AssumeRoleCommand);
    expect(iamFor).not.toHaveBeenCalled();
  });

  it('surfaces throttling that outlived the SDK retries as TransientAwsError, keeping the cause', async () => {
    // aws-sdk-client-mock replaces `send`, so the SDK's retry middleware does not run here: this
    // shows what callers see once the adaptive retries are exhausted (clients.test.ts proves the retries).
    const throttled = new IAMServiceException({
      name: 'Throttling',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'req-throttled' },
      message: 'Rate exceeded',
    });
    stsMock.on(AssumeRootCommand).resolves({ Credentials: sessionCredentials });
    sessionIamMock.on(GetAccountSummaryCommand).rejects(throttled);

    const error = (await reader()
      .read(member, { useAssumeRoot: true })
      .catch((e: unknown) => e)) as TransientAwsError;

    expect(error).toBeInstanceOf(TransientAwsError);
    expect(error.transient).toBe(true);
    expect(error.message).toContain('iam:GetAccountSummary');
    expect(error.message).toContain('req-throttled');
    expect(error.cause).toBe(throttled);
  });
});
