import type { RootCredentials } from '../core/guardrails';

/**
 * Deletes a member account's remaining root user credentials (password, MFA devices, signing
 * certificates) through `sts:AssumeRoot` with the IAMDeleteRootUserCredentials task policy.
 * Throws RootAccessUnavailableError when centralized root access does not reach the account.
 */
export interface RootCredentialsRemoverPort {
  deleteRootCredentials(accountId: string): Promise<{ deleted: RootCredentials; requestIds: string[] }>;
}
