import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  paginateListAccounts,
  type Account as OrgAccount,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { ListAccountAliasesCommand, ListOrganizationsFeaturesCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import { isAccountId, type Account, type RootAccessFeatures } from '../../core/account';
import { InvalidInputError } from '../../core/errors';
import type { OrganizationPort } from '../../ports/organization';
import { awsErrorCode, callAws, isAccessDenied, toRootKeyError } from './aws-errors';
import { getCallerIdentity, memoizeAsync, type CallerIdentity } from './caller-identity';

export interface AwsOrganizationClients {
  organizations: OrganizationsClient;
  /** Ambient credentials: who is asking (and, for a standalone account, which account it is). */
  sts: STSClient;
  /** `iam:ListOrganizationsFeatures` is an IAM API, and the standalone account's alias is IAM's. */
  iam: IAMClient;
}

/** What DescribeOrganization told us, once per adapter. */
export type OrganizationContext =
  | { kind: 'organization'; organizationId?: string; managementAccountId: string; caller: CallerIdentity }
  | { kind: 'standalone'; account: Account; caller: CallerIdentity };

/**
 * Why ListOrganizationsFeatures can fail without it being an outage: each of these means the
 * centralized root access features are simply not usable by this caller, so they count as off.
 */
const FEATURES_UNAVAILABLE: Record<string, string> = {
  AccountNotManagementOrDelegatedAdministratorException:
    'the caller is neither the management account nor the delegated administrator for centralized root access',
  OrganizationNotFoundException: 'the account is not part of an AWS Organization',
  OrganizationNotInAllFeaturesModeException: 'the organization does not have all features enabled',
  ServiceAccessNotEnabledException: 'trusted access for IAM is not enabled in AWS Organizations',
  AWSOrganizationsNotInUseException: 'the account is not part of an AWS Organization',
};

/**
 * The AWS Organization (or standalone account) seen from the management account or a delegated
 * administrator. Only ACTIVE accounts are listed: suspended or closing accounts cannot be read and
 * would only add noise.
 */
export class AwsOrganization implements OrganizationPort {
  private readonly caller: () => Promise<CallerIdentity>;
  /** DescribeOrganization, once: the management account id does not change during a run. */
  readonly context: () => Promise<OrganizationContext>;

  constructor(private readonly clients: AwsOrganizationClients) {
    this.caller = memoizeAsync(() => getCallerIdentity(clients.sts));
    this.context = memoizeAsync(() => this.loadContext());
  }

  async listAccounts(): Promise<Account[]> {
    const ctx = await this.context();
    if (ctx.kind === 'standalone') return [{ ...ctx.account }];
    const accounts: Account[] = [];
    try {
      for await (const page of paginateListAccounts({ client: this.clients.organizations }, {})) {
        for (const a of page.Accounts ?? []) {
          if (isActive(a) && a.Id) accounts.push(toAccount(a, ctx.managementAccountId));
        }
      }
    } catch (error) {
      throw toRootKeyError(error, { action: 'organizations:ListAccounts', where: whereOrg(ctx) });
    }
    return accounts;
  }

  async getAccount(accountId: string): Promise<Account> {
    if (!isAccountId(accountId)) throw new InvalidInputError(`account id '${accountId}' is not 12 digits`);
    const ctx = await this.context();
    if (ctx.kind === 'standalone') {
      if (accountId !== ctx.account.id) {
        throw new InvalidInputError(
          `Account ${accountId} is not reachable: the credentials belong to standalone account ${ctx.account.id}, which is in no AWS Organization`,
        );
      }
      return { ...ctx.account };
    }
    let out;
    try {
      out = await this.clients.organizations.send(new DescribeAccountCommand({ AccountId: accountId }));
    } catch (error) {
      if (awsErrorCode(error) === 'AccountNotFoundException') {
        throw new InvalidInputError(`Account ${accountId} is not in organization ${ctx.organizationId ?? ''}`.trim());
      }
      throw toRootKeyError(error, { action: 'organizations:DescribeAccount', where: whereOrg(ctx) });
    }
    const a = out.Account;
    if (!a?.Id) throw new InvalidInputError(`Account ${accountId} is not in the organization`);
    if (!isActive(a)) {
      throw new InvalidInputError(`Account ${accountId} is ${a.State ?? a.Status}, not ACTIVE: it cannot be read`);
    }
    return toAccount(a, ctx.managementAccountId);
  }

  /**
   * `iam:ListOrganizationsFeatures`. When the features cannot be read (not an organization, the
   * caller is not the management account or delegated admin, access denied, trusted access off),
   * AssumeRoot cannot be used either: both count as off and `unavailableReason` says why.
   * Throttling and 5xx still throw, because "off" would wrongly route accounts to a manual runbook.
   */
  async rootAccessFeatures(): Promise<RootAccessFeatures> {
    const ctx = await this.context();
    if (ctx.kind === 'standalone') {
      return off(FEATURES_UNAVAILABLE.AWSOrganizationsNotInUseException);
    }
    try {
      const out = await this.clients.iam.send(new ListOrganizationsFeaturesCommand({}));
      const enabled = new Set<string>(out.EnabledFeatures ?? []);
      return {
        rootCredentialsManagement: enabled.has('RootCredentialsManagement'),
        rootSessions: enabled.has('RootSessions'),
      };
    } catch (error) {
      const code = awsErrorCode(error) ?? '';
      if (FEATURES_UNAVAILABLE[code]) return off(FEATURES_UNAVAILABLE[code]);
      if (isAccessDenied(error)) {
        return off(`iam:ListOrganizationsFeatures is not allowed for ${ctx.caller.arn}`);
      }
      throw toRootKeyError(error, { action: 'iam:ListOrganizationsFeatures', where: ctx.caller.arn });
    }
  }

  private async loadContext(): Promise<OrganizationContext> {
    const caller = await this.caller();
    try {
      const out = await this.clients.organizations.send(new DescribeOrganizationCommand({}));
      const managementAccountId = out.Organization?.MasterAccountId;
      if (!managementAccountId) throw new Error('organizations:DescribeOrganization returned no management account id');
      return { kind: 'organization', organizationId: out.Organization?.Id, managementAccountId, caller };
    } catch (error) {
      if (awsErrorCode(error) !== 'AWSOrganizationsNotInUseException') {
        throw toRootKeyError(error, {
          action: 'organizations:DescribeOrganization',
          where: `account ${caller.accountId} as ${caller.arn}`,
        });
      }
    }
    const account: Account = {
      id: caller.accountId,
      name: (await this.alias(caller)) ?? caller.accountId,
      isManagement: false,
      isStandalone: true,
    };
    return { kind: 'standalone', account, caller };
  }

  /** The account alias names a standalone account; it is cosmetic, so a refusal just means "no name". */
  private async alias(caller: CallerIdentity): Promise<string | undefined> {
    try {
      const out = await callAws({ action: 'iam:ListAccountAliases', where: caller.arn }, () =>
        this.clients.iam.send(new ListAccountAliasesCommand({})),
      );
      return out.AccountAliases?.[0];
    } catch (error) {
      if (isAccessDenied(error)) return undefined;
      throw error;
    }
  }
}

function off(reason: string): RootAccessFeatures {
  return { rootCredentialsManagement: false, rootSessions: false, unavailableReason: reason };
}

/** `State` replaces the deprecated `Status` (retired September 2026); read whichever is present. */
function isActive(a: OrgAccount): boolean {
  return (a.State ?? a.Status) === 'ACTIVE';
}

function toAccount(a: OrgAccount, managementAccountId: string): Account {
  const id = a.Id as string;
  return {
    id,
    name: a.Name ?? id,
    isManagement: id === managementAccountId,
    ...(a.Email ? { email: a.Email } : {}),
  };
}

function whereOrg(ctx: Extract<OrganizationContext, { kind: 'organization' }>): string {
  return `organization ${ctx.organizationId ?? '(unknown id)'} as ${ctx.caller.arn}`;
}
