import { AssumeRootCommand, type Credentials, type STSClient } from '@aws-sdk/client-sts';
import { DeleteAccessKeyCommand, ListAccessKeysCommand, type IAMClient } from '@aws-sdk/client-iam';
import { describeError, KeysChangedError } from '../../core/errors';
import { maskAccessKeyId } from '../../core/root-key';
import {
  attachRemovalDetail,
  type ActionRecord,
  type DeletionResult,
  type RootKeyRemoverPort,
} from '../../ports/root-key-remover';
import { requestIdOf, toRootKeyError } from './aws-errors';
import { getCallerIdentity, memoizeAsync, type CallerIdentity } from './caller-identity';
import { assertRegionalSts, createIamClientFromCredentials } from './clients';

/** Task policy of the delete path: it may list and delete root credentials, not deactivate them or read the account summary. */
export const DELETE_ROOT_TASK_POLICY = 'IAMDeleteRootUserCredentials';
/** AssumeRoot sessions last at most 900 seconds; a deletion needs seconds. */
export const DELETE_SESSION_SECONDS = 900;

export function deleteTaskPolicyArn(partition = 'aws'): string {
  return `arn:${partition}:iam::aws:policy/root-task/${DELETE_ROOT_TASK_POLICY}`;
}

export interface AwsRootKeyRemoverOptions {
  /** Regional STS client with the central account's credentials (management or IAM delegated admin). */
  sts: STSClient;
  /** Builds the IAM client acting in the root session; defaults to `createIamClientFromCredentials`. */
  iamFor?: (credentials: Credentials | undefined) => IAMClient;
  now?: () => Date;
}

interface ListedKey {
  id: string;
  masked: string;
}

/**
 * Deletes a member account's root access keys through centralized root access:
 * `sts:AssumeRoot` (Regional endpoint, TargetPrincipal = the account, task policy
 * IAMDeleteRootUserCredentials, 900 s), then in that root session `ListAccessKeys` and
 * `DeleteAccessKey` without UserName, which address the root user's own keys.
 *
 * Safety rule: it deletes only keys the approver saw. When the account has a key that is not among
 * the approved ones (a key created after the approval), it deletes nothing and throws
 * KeysChangedError, so that a human approves again. An approved key that is already gone is not a
 * change: that is what a retry after a half-finished deletion sees, and it continues with the rest.
 * The task policy cannot deactivate (`UpdateAccessKey`) nor read `GetAccountSummary`: verification
 * reads through the audit path instead.
 *
 * Every call is returned as an ActionRecord with its request id; when a call fails, the records so
 * far (the failed one included) ride on the thrown typed error (`removalDetailOf`).
 */
export class AwsRootKeyRemover implements RootKeyRemoverPort {
  private readonly caller: () => Promise<CallerIdentity>;
  private readonly iamFor: (credentials: Credentials | undefined) => IAMClient;
  private readonly now: () => Date;

  constructor(private readonly options: AwsRootKeyRemoverOptions) {
    this.caller = memoizeAsync(() => getCallerIdentity(options.sts));
    this.iamFor = options.iamFor ?? ((credentials) => createIamClientFromCredentials(credentials));
    this.now = options.now ?? (() => new Date());
  }

  async deleteRootKeys(accountId: string, approvedMaskedKeyIds: string[]): Promise<DeletionResult> {
    const actions: ActionRecord[] = [];
    const deletedKeys: string[] = [];
    const failed = (error: unknown, api: string, context: string, keyId?: string): unknown => {
      const mapped = toRootKeyError(error, { action: api, where: context });
      const raw = error as { $metadata?: { requestId?: string } };
      const requestId = raw?.$metadata?.requestId;
      const { name, message } = describeError(mapped);
      actions.push({
        api,
        outcome: 'failure',
        error: `${name}: ${message}`,
        at: this.now().toISOString(),
        ...(requestId ? { requestId } : {}),
        ...(keyId ? { keyId } : {}),
      });
      return attachRemovalDetail(mapped, { actions: [...actions], deletedKeys: [...deletedKeys] });
    };
    const succeeded = (api: string, output: { $metadata?: { requestId?: string } }, keyId?: string): void => {
      const requestId = requestIdOf(output);
      actions.push({
        api,
        outcome: 'success',
        at: this.now().toISOString(),
        ...(requestId ? { requestId } : {}),
        ...(keyId ? { keyId } : {}),
      });
    };

    try {
      await assertRegionalSts(this.options.sts);
    } catch (error) {
      throw attachRemovalDetail(error, { actions: [], deletedKeys: [] });
    }
    let caller: CallerIdentity;
    try {
      caller = await this.caller();
    } catch (error) {
      throw attachRemovalDetail(error, { actions: [], deletedKeys: [] });
    }

    const assumeWhere = `account ${accountId} with task policy ${DELETE_ROOT_TASK_POLICY} as ${caller.arn}`;
    let credentials: Credentials | undefined;
    try {
      const session = await this.options.sts.send(
        new AssumeRootCommand({
          TargetPrincipal: accountId,
          TaskPolicyArn: { arn: deleteTaskPolicyArn(caller.partition) },
          DurationSeconds: DELETE_SESSION_SECONDS,
        }),
      );
      succeeded('sts:AssumeRoot', session);
      credentials = session.Credentials;
    } catch (error) {
      throw failed(error, 'sts:AssumeRoot', assumeWhere);
    }

    const iam = this.iamFor(credentials);
    const inSession = `the root session of account ${accountId} (task policy ${DELETE_ROOT_TASK_POLICY})`;
    try {
      const current = await this.listKeys(iam, inSession, succeeded, failed);
      const approved = new Set(approvedMaskedKeyIds);
      const unexpected = current.filter((k) => !approved.has(k.masked));
      if (unexpected.length > 0) {
        // A key the approver never saw: deleting the others now would act on a stale decision.
        throw attachRemovalDetail(
          new KeysChangedError([...approvedMaskedKeyIds].sort(), current.map((k) => k.masked).sort()),
          { actions: [...actions], deletedKeys: [] },
        );
      }
      for (const key of current) {
        try {
          const out = await iam.send(new DeleteAccessKeyCommand({ AccessKeyId: key.id }));
          succeeded('iam:DeleteAccessKey', out, key.masked);
          deletedKeys.push(key.masked);
        } catch (error) {
          throw failed(error, 'iam:DeleteAccessKey', inSession, key.masked);
        }
      }
      return { accountId, deletedKeys, actions };
    } finally {
      iam.destroy();
    }
  }

  private async listKeys(
    iam: IAMClient,
    where: string,
    succeeded: (api: string, output: { $metadata?: { requestId?: string } }) => void,
    failed: (error: unknown, api: string, context: string) => unknown,
  ): Promise<ListedKey[]> {
    const keys: ListedKey[] = [];
    let marker: string | undefined;
    // The root user has at most two keys, but honour the pagination contract anyway.
    do {
      let page;
      try {
        page = await iam.send(new ListAccessKeysCommand(marker ? { Marker: marker } : {}));
      } catch (error) {
        throw failed(error, 'iam:ListAccessKeys', where);
      }
      succeeded('iam:ListAccessKeys', page);
      for (const meta of page.AccessKeyMetadata ?? []) {
        if (meta.AccessKeyId) keys.push({ id: meta.AccessKeyId, masked: maskAccessKeyId(meta.AccessKeyId) });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return keys;
  }
}
