import type { Account } from '../core/account';
import type { PostureReading } from '../core/account-posture';

export interface ReadOptions {
  /** Prefer AssumeRoot (IAMAuditRootUserCredentials) when the account allows it. */
  useAssumeRoot: boolean;
  /** Role to assume where AssumeRoot cannot apply (management or standalone account, feature off). */
  roleName?: string;
  /** Include the credential report as supporting evidence (slower: it may need generating). */
  includeCredentialReport?: boolean;
  /**
   * Also read the root user's password, MFA devices and signing certificates where the path allows
   * it (the AssumeRoot audit session only). Three more calls per account, so off by default.
   */
  includeRootCredentials?: boolean;
}

/** Reads the root user's access keys of one account. Throws typed errors (AccessDenied, Transient…). */
export interface RootKeyReaderPort {
  read(account: Account, options: ReadOptions): Promise<PostureReading>;
}
