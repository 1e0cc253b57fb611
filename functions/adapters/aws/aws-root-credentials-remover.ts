import { AssumeRootCommand, type Credentials, type STSClient } from '@aws-sdk/client-sts';
import {
  DeactivateMFADeviceCommand,
  DeleteLoginProfileCommand,
  DeleteSigningCertificateCommand,
  GetLoginProfileCommand,
  paginateListMFADevices,
  paginateListSigningCertificates,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { RootCredentials } from '../../core/guardrails';
import type { RootCredentialsRemoverPort } from '../../ports/root-credentials-remover';
import { awsErrorCode, callAws, requestIdOf } from './aws-errors';
import { getCallerIdentity, memoizeAsync, type CallerIdentity } from './caller-identity';
import { assertRegionalSts, createIamClientFromCredentials } from './clients';
import { DELETE_SESSION_SECONDS, deleteTaskPolicyArn } from './root-key-remover';

export interface AwsRootCredentialsRemoverOptions {
  /** Regional STS client with the central account's credentials (management or IAM delegated admin). */
  sts: STSClient;
  iamFor?: (credentials: Credentials | undefined) => IAMClient;
}

/**
 * Deletes a member account's remaining root credentials in an `sts:AssumeRoot` session with the
 * IAMDeleteRootUserCredentials task policy, which allows GetLoginProfile/DeleteLoginProfile,
 * ListMFADevices/DeactivateMFADevice and ListSigningCertificates/DeleteSigningCertificate (the managed
 * policy's action list, as published in badele/aws-policies-analyzer-docs policies/iamdeleterootusercredentials.md). Each call
 * omits UserName: in an AssumeRoot session that means the root user (IAM API reference: "When you
 * make this request with root user credentials, you must use an AssumeRoot session to omit the user
 * name"). Access keys are not touched here: the workflow deletes those only after approval of the
 * exact keys.
 */
export class AwsRootCredentialsRemover implements RootCredentialsRemoverPort {
  private readonly caller: () => Promise<CallerIdentity>;
  private readonly iamFor: (credentials: Credentials | undefined) => IAMClient;

  constructor(private readonly options: AwsRootCredentialsRemoverOptions) {
    this.caller = memoizeAsync(() => getCallerIdentity(options.sts));
    this.iamFor = options.iamFor ?? ((credentials) => createIamClientFromCredentials(credentials));
  }

  async deleteRootCredentials(accountId: string): Promise<{ deleted: RootCredentials; requestIds: string[] }> {
    await assertRegionalSts(this.options.sts);
    const caller = await this.caller();
    const requestIds: string[] = [];
    const add = <T extends { $metadata?: { requestId?: string } }>(out: T): T => {
      const id = requestIdOf(out);
      if (id) requestIds.push(id);
      return out;
    };
    const session = add(
      await callAws({ action: 'sts:AssumeRoot', where: `account ${accountId} as ${caller.arn}` }, () =>
        this.options.sts.send(
          new AssumeRootCommand({
            TargetPrincipal: accountId,
            TaskPolicyArn: { arn: deleteTaskPolicyArn(caller.partition) },
            DurationSeconds: DELETE_SESSION_SECONDS,
          }),
        ),
      ),
    );
    const iam = this.iamFor(session.Credentials);
    const where = `the root session of account ${accountId}`;
    try {
      let password = false;
      try {
        add(await callAws({ action: 'iam:GetLoginProfile', where }, () => iam.send(new GetLoginProfileCommand({}))));
        password = true;
      } catch (error) {
        if (awsErrorCode(error) !== 'NoSuchEntity' && awsErrorCode(error) !== 'NoSuchEntityException') throw error;
      }
      if (password) {
        add(
          await callAws({ action: 'iam:DeleteLoginProfile', where }, () => iam.send(new DeleteLoginProfileCommand({}))),
        );
      }
      const serials: string[] = [];
      await callAws({ action: 'iam:ListMFADevices', where }, async () => {
        for await (const page of paginateListMFADevices({ client: iam }, {}))
          for (const d of add(page).MFADevices ?? []) if (d.SerialNumber) serials.push(d.SerialNumber);
      });
      for (const SerialNumber of serials) {
        add(
          await callAws({ action: 'iam:DeactivateMFADevice', where }, () =>
            iam.send(new DeactivateMFADeviceCommand({ SerialNumber })),
          ),
        );
      }
      const certificates: string[] = [];
      await callAws({ action: 'iam:ListSigningCertificates', where }, async () => {
        for await (const page of paginateListSigningCertificates({ client: iam }, {}))
          for (const c of add(page).Certificates ?? []) if (c.CertificateId) certificates.push(c.CertificateId);
      });
      for (const CertificateId of certificates) {
        add(
          await callAws({ action: 'iam:DeleteSigningCertificate', where }, () =>
            iam.send(new DeleteSigningCertificateCommand({ CertificateId })),
          ),
        );
      }
      return {
        deleted: { password, mfaDevices: serials.length, signingCertificates: certificates.length },
        requestIds,
      };
    } finally {
      iam.destroy();
    }
  }
}
