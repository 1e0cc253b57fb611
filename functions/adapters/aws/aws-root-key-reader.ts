import { AssumeRoleCommand, AssumeRootCommand, type Credentials, type STSClient } from '@aws-sdk/client-sts';
import {
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  paginateListAccessKeys,
  paginateListMFADevices,
  paginateListSigningCertificates,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { Account } from '../../core/account';
import type {
  CredentialReportSignal,
  DetectionMethod,
  PostureReading,
  PostureSignals,
} from '../../core/account-posture';
import { rootKeysFromCredentialReport } from '../../core/credential-report';
import { AccessDeniedError, RootAccessUnavailableError } from '../../core/errors';
import { maskAccessKeyId, type KeyLastUsed, type RootKey } from '../../core/root-key';
import type { ReadOptions, RootKeyReaderPort } from '../../ports/root-key-reader';
import type { RootCredentials } from '../../core/guardrails';
import { awsErrorCode, callAws, requestIdOf } from './aws-errors';
import { getCallerIdentity, memoizeAsync, type CallerIdentity } from './caller-identity';
import { assertRegionalSts } from './clients';

/** Task policy of the read path: GetAccountSummary, ListAccessKeys, GetAccessKeyLastUsed, … — nothing that changes. */
export const AUDIT_ROOT_TASK_POLICY = 'IAMAuditRootUserCredentials';
/** AssumeRoot sessions last at most 900 seconds; a read needs seconds, so ask for no more than the cap. */
export const ROOT_SESSION_SECONDS = 900;
/** Session name that shows up in CloudTrail for every read through the role. */
export const READ_SESSION_NAME = 'rootkey-read';

export function auditTaskPolicyArn(partition = 'aws'): string {
  return `arn:${partition}:iam::aws:policy/root-task/${AUDIT_ROOT_TASK_POLICY}`;
}

export interface AwsRootKeyReaderOptions {
  /** Regional STS client with the ambient credentials (management account or delegated admin). */
  sts: STSClient;
  /** IAM client with the ambient credentials, used for the caller's own account. */
  iam: IAMClient;
  /** Builds an IAM client from temporary credentials (see `createIamClientFromCredentials`). */
  iamFor: (credentials: Credentials | undefined) => IAMClient;
  /** Bounded polling of GenerateCredentialReport. Defaults: 15 polls, 2 s apart. */
  credentialReport?: { maxPolls?: number; pollIntervalMs?: number };
  /** Injected so that tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Collects the request ids of one read. */
class RequestIds {
  readonly ids: string[] = [];
  add<T extends { $metadata?: { requestId?: string } }>(output: T): T {
    const id = requestIdOf(output);
    if (id) this.ids.push(id);
    return output;
  }
}

/**
 * Reads the root user's access keys of one account, choosing the path that can see them:
 *
 * 1. Member account with centralized root access (`useAssumeRoot`): `sts:AssumeRoot` with the
 *    IAMAuditRootUserCredentials task policy, then in that root session GetAccountSummary,
 *    ListAccessKeys *without* UserName (which lists the root user's own keys) and
 *    GetAccessKeyLastUsed per key. Only this path sees key ids, which deletion needs later.
 * 2. The caller's own account when (1) does not apply: the ambient credentials
 *    (`caller-credentials`), GetAccountSummary and, if asked, the credential report.
 * 3. Otherwise (management or standalone account, feature off, AssumeRoot refused):
 *    `sts:AssumeRole` into `roleName`, GetAccountSummary and, if asked, the credential report.
 *    ListAccessKeys is not called here: without UserName it would list the *role session's*
 *    keys (an error for a role), not root's.
 *
 * The credential report is never read in a root session: the audit task policy does not allow it.
 */
export class AwsRootKeyReader implements RootKeyReaderPort {
  private readonly caller: () => Promise<CallerIdentity>;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;
  private readonly maxPolls: number;
  private readonly pollIntervalMs: number;

  constructor(private readonly options: AwsRootKeyReaderOptions) {
    this.caller = memoizeAsync(() => getCallerIdentity(options.sts));
    this.sleep = options.sleep ?? sleepReal;
    this.now = options.now ?? (() => new Date());
    this.maxPolls = Math.max(1, options.credentialReport?.maxPolls ?? 15);
    this.pollIntervalMs = options.credentialReport?.pollIntervalMs ?? 2000;
  }

  async read(account: Account, options: ReadOptions): Promise<PostureReading> {
    const caller = await this.caller();
    const member = !account.isManagement && !account.isStandalone;
    if (options.useAssumeRoot && member) {
      try {
        return await this.readWithAssumeRoot(account, caller, options.includeRootCredentials ?? false);
      } catch (error) {
        // A refused AssumeRoot (feature off for this account, SCP, missing permission) still
        // leaves the role; anything else (throttling, a failure inside the session) is reported.
        const refused = error instanceof AccessDeniedError && error.permission === 'sts:AssumeRoot';
        if (!refused || (!options.roleName && account.id !== caller.accountId)) throw error;
      }
    }
    if (account.id === caller.accountId) return this.readWithCallerCredentials(account, caller, options);
    if (!options.roleName) {
      throw new RootAccessUnavailableError(
        `Account ${account.id} (${account.name}) cannot be read through AssumeRoot (${whyNoAssumeRoot(account, options)}) and no read role name was given: pass --role-name or set the read role`,
      );
    }
    return this.readWithRole(account, caller, options.roleName, options.includeCredentialReport ?? false);
  }

  private async readWithAssumeRoot(
    account: Account,
    caller: CallerIdentity,
    includeRootCredentials: boolean,
  ): Promise<PostureReading> {
    await assertRegionalSts(this.options.sts);
    const requests = new RequestIds();
    const where = `account ${account.id} (${account.name}) as ${caller.arn}`;
    const session = requests.add(
      await callAws({ action: 'sts:AssumeRoot', where }, () =>
        this.options.sts.send(
          new AssumeRootCommand({
            TargetPrincipal: account.id,
            TaskPolicyArn: { arn: auditTaskPolicyArn(caller.partition) },
            DurationSeconds: ROOT_SESSION_SECONDS,
          }),
        ),
      ),
    );
    const iam = this.options.iamFor(session.Credentials);
    try {
      const inSession = `the root session of account ${account.id} (task policy ${AUDIT_ROOT_TASK_POLICY})`;
      const accountAccessKeysPresent = await this.accountKeysPresent(iam, inSession, requests);
      const listedKeys = await this.listRootKeys(iam, inSession, requests);
      const signals: PostureSignals = { accountAccessKeysPresent, listedKeys };
      if (includeRootCredentials) signals.rootCredentials = await this.rootCredentials(iam, inSession, requests);
      return this.reading(account, 'assume-root-audit', signals, requests);
    } finally {
      iam.destroy();
    }
  }

  private async readWithCallerCredentials(
    account: Account,
    caller: CallerIdentity,
    options: ReadOptions,
  ): Promise<PostureReading> {
    const requests = new RequestIds();
    const iam = this.options.iam;
    const signals: PostureSignals = {
      accountAccessKeysPresent: await this.accountKeysPresent(iam, caller.arn, requests),
    };
    // Only when the caller *is* the root user does ListAccessKeys without UserName list root's keys.
    if (caller.arn.endsWith(':root')) signals.listedKeys = await this.listRootKeys(iam, caller.arn, requests);
    if (options.includeCredentialReport) {
      const report = await this.credentialReport(iam, caller.arn, requests);
      if (report) signals.credentialReport = report;
    }
    return this.reading(account, 'caller-credentials', signals, requests);
  }

  private async readWithRole(
    account: Account,
    caller: CallerIdentity,
    roleName: string,
    includeCredentialReport: boolean,
  ): Promise<PostureReading> {
    const requests = new RequestIds();
    const roleArn = `arn:${caller.partition}:iam::${account.id}:role/${roleName}`;
    const assumed = requests.add(
      await callAws({ action: 'sts:AssumeRole', where: `${roleArn} as ${caller.arn}` }, () =>
        this.options.sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: READ_SESSION_NAME,
            DurationSeconds: ROOT_SESSION_SECONDS,
          }),
        ),
      ),
    );
    const iam = this.options.iamFor(assumed.Credentials);
    try {
      const signals: PostureSignals = {
        accountAccessKeysPresent: await this.accountKeysPresent(iam, roleArn, requests),
      };
      if (includeCredentialReport) {
        const report = await this.credentialReport(iam, roleArn, requests);
        if (report) signals.credentialReport = report;
      }
      return this.reading(account, 'read-only-role', signals, requests);
    } finally {
      iam.destroy();
    }
  }

  private async accountKeysPresent(iam: IAMClient, where: string, requests: RequestIds): Promise<number> {
    const out = requests.add(
      await callAws({ action: 'iam:GetAccountSummary', where }, () => iam.send(new GetAccountSummaryCommand({}))),
    );
    const present = out.SummaryMap?.AccountAccessKeysPresent;
    if (present === undefined)
      throw new Error(`iam:GetAccountSummary for ${where} returned no AccountAccessKeysPresent`);
    return present;
  }

  /**
   * The root user's other credentials, in the AssumeRoot session: IAMAuditRootUserCredentials allows
   * GetLoginProfile, ListMFADevices and ListSigningCertificates, and each one without UserName
   * means the root user (GetLoginProfile's UserName "defaults to the principal making the request";
   * with root credentials an AssumeRoot session is required to omit it). GetLoginProfile answers
   * NoSuchEntity when root has no console password.
   */
  private async rootCredentials(iam: IAMClient, where: string, requests: RequestIds): Promise<RootCredentials> {
    let password = true;
    try {
      requests.add(
        await callAws({ action: 'iam:GetLoginProfile', where }, () => iam.send(new GetLoginProfileCommand({}))),
      );
    } catch (error) {
      if (awsErrorCode(error) !== 'NoSuchEntity' && awsErrorCode(error) !== 'NoSuchEntityException') throw error;
      password = false;
    }
    let mfaDevices = 0;
    await callAws({ action: 'iam:ListMFADevices', where }, async () => {
      for await (const page of paginateListMFADevices({ client: iam }, {}))
        mfaDevices += requests.add(page).MFADevices?.length ?? 0;
    });
    let signingCertificates = 0;
    await callAws({ action: 'iam:ListSigningCertificates', where }, async () => {
      for await (const page of paginateListSigningCertificates({ client: iam }, {}))
        signingCertificates += requests.add(page).Certificates?.length ?? 0;
    });
    return { password, mfaDevices, signingCertificates };
  }

  /** ListAccessKeys without UserName (in a root session: root's keys) + GetAccessKeyLastUsed per key. */
  private async listRootKeys(iam: IAMClient, where: string, requests: RequestIds): Promise<RootKey[]> {
    const keys: RootKey[] = [];
    await callAws({ action: 'iam:ListAccessKeys', where }, async () => {
      for await (const page of paginateListAccessKeys({ client: iam }, {})) {
        requests.add(page);
        for (const k of page.AccessKeyMetadata ?? []) {
          if (!k.AccessKeyId) continue;
          keys.push({
            id: k.AccessKeyId,
            maskedId: maskAccessKeyId(k.AccessKeyId),
            status: k.Status === 'Inactive' ? 'Inactive' : 'Active',
            ...(k.CreateDate ? { createdAt: k.CreateDate.toISOString() } : {}),
          });
        }
      }
    });
    for (const key of keys) {
      const out = requests.add(
        await callAws({ action: 'iam:GetAccessKeyLastUsed', where }, () =>
          iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.id })),
        ),
      );
      const lastUsed = toLastUsed(out.AccessKeyLastUsed);
      if (lastUsed) key.lastUsed = lastUsed;
    }
    return keys;
  }

  /**
   * GenerateCredentialReport polled until COMPLETE (bounded), then GetCredentialReport. The report
   * is supporting evidence only: when it is not ready within the bound, the read goes on without it
   * rather than fail, because GetAccountSummary already decided the posture.
   */
  private async credentialReport(
    iam: IAMClient,
    where: string,
    requests: RequestIds,
  ): Promise<CredentialReportSignal | undefined> {
    for (let poll = 1; ; poll++) {
      const state = await this.generateReport(iam, where, requests);
      if (state === 'COMPLETE') break;
      if (poll >= this.maxPolls) return undefined;
      await this.sleep(this.pollIntervalMs);
    }
    let out;
    try {
      out = requests.add(
        await callAws({ action: 'iam:GetCredentialReport', where }, () => iam.send(new GetCredentialReportCommand({}))),
      );
    } catch (error) {
      if (NOT_READY.has(awsErrorCode(error) ?? '')) return undefined;
      throw error;
    }
    if (!out.Content) return undefined;
    const generatedAt = (out.GeneratedTime ?? this.now()).toISOString();
    return rootKeysFromCredentialReport(Buffer.from(out.Content).toString('utf8'), generatedAt);
  }

  private async generateReport(iam: IAMClient, where: string, requests: RequestIds): Promise<string | undefined> {
    try {
      const out = requests.add(
        await callAws({ action: 'iam:GenerateCredentialReport', where }, () =>
          iam.send(new GenerateCredentialReportCommand({})),
        ),
      );
      return out.State;
    } catch (error) {
      // Too many generations in a short time: IAM asks to wait, like a report still in progress.
      if (
        awsErrorCode(error) === 'LimitExceededException' ||
        awsErrorCode(error) === 'ReportGenerationLimitExceededException'
      ) {
        return 'INPROGRESS';
      }
      throw error;
    }
  }

  private reading(
    account: Account,
    method: DetectionMethod,
    signals: PostureSignals,
    requests: RequestIds,
  ): PostureReading {
    return { accountId: account.id, method, signals, readAt: this.now().toISOString(), requestIds: requests.ids };
  }
}

/** GetCredentialReport errors that mean "not (yet) available", not "broken". */
const NOT_READY = new Set([
  'CredentialReportNotReadyException',
  'CredentialReportNotPresentException',
  'CredentialReportExpiredException',
  'ReportInProgress',
  'ReportNotPresent',
  'ReportExpired',
]);

/** IAM answers `N/A` for service and Region of a key that was never used. */
function toLastUsed(
  u: { LastUsedDate?: Date; ServiceName?: string; Region?: string } | undefined,
): KeyLastUsed | undefined {
  if (!u) return undefined;
  const known = (s: string | undefined) => (s && s !== 'N/A' ? s : undefined);
  const lastUsed: KeyLastUsed = {};
  if (u.LastUsedDate) lastUsed.date = u.LastUsedDate.toISOString();
  const service = known(u.ServiceName);
  const region = known(u.Region);
  if (service) lastUsed.service = service;
  if (region) lastUsed.region = region;
  return Object.keys(lastUsed).length > 0 ? lastUsed : undefined;
}

function whyNoAssumeRoot(account: Account, options: ReadOptions): string {
  if (account.isManagement) return 'it is the management account';
  if (account.isStandalone) return 'it is a standalone account';
  if (!options.useAssumeRoot) return 'centralized root access (RootSessions) is not enabled';
  return 'AssumeRoot was refused';
}
