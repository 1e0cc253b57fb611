import type { Account, RootAccessFeatures } from '../core/account';

/** The AWS Organization (or a standalone account) the tool looks after. */
export interface OrganizationPort {
  /** All active accounts, management account flagged. A standalone account yields itself. */
  listAccounts(): Promise<Account[]>;
  /** One account; throws InvalidInputError when it is not in the organization. */
  getAccount(accountId: string): Promise<Account>;
  /** `ListOrganizationsFeatures`: which centralized root access features are on. */
  rootAccessFeatures(): Promise<RootAccessFeatures>;
}
