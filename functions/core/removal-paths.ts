import type { Account, RootAccessFeatures } from './account';

/** Ways a root key can be removed from an account, most automated first. */
export type RemovalPath =
  /** `sts:AssumeRoot` + IAMDeleteRootUserCredentials, performed by the workflow. */
  | 'assume-root-delete'
  /** Management account console: IAM → Root access management → Take privileged action. */
  | 'console-privileged-action'
  /** Sign in as the root user → account menu → Security credentials. */
  | 'root-sign-in'
  /** Recover the root password first, then sign in. */
  | 'password-recovery';

export const REMOVAL_PATH_LABELS: Record<RemovalPath, string> = {
  'assume-root-delete': 'Automated deletion (AssumeRoot)',
  'console-privileged-action': 'Privileged action from the management account console',
  'root-sign-in': 'Root user sign-in',
  'password-recovery': 'Root password recovery, then sign-in',
};

/**
 * Which removal paths exist for an account. AssumeRoot (automated or through the console's
 * privileged action) only targets member accounts of an organization whose RootSessions feature is
 * on; the management account and standalone accounts always need a root sign-in.
 */
export function decideRemovalPaths(account: Account, features: RootAccessFeatures): RemovalPath[] {
  const member = !account.isManagement && !account.isStandalone;
  const paths: RemovalPath[] = [];
  if (member && features.rootSessions) paths.push('assume-root-delete', 'console-privileged-action');
  paths.push('root-sign-in', 'password-recovery');
  return paths;
}

export function canDeleteAutomatically(paths: readonly RemovalPath[]): boolean {
  return paths.includes('assume-root-delete');
}

/** The paths that need centralized root access (RootSessions): AssumeRoot, directly or through the console. */
const NEEDS_ROOT_SESSIONS: readonly RemovalPath[] = ['assume-root-delete', 'console-privileged-action'];

/**
 * The removal paths left once centralized root access turned out to be off (AssumeRoot refused at
 * deletion time): both AssumeRoot paths go, a root sign-in (or password recovery) is what remains.
 * IAM's privileged actions need root sessions (DisableOrganizationsRootSessions turns them off).
 */
export function withoutCentralizedRootAccess(paths: readonly RemovalPath[]): RemovalPath[] {
  const left = paths.filter((p) => !NEEDS_ROOT_SESSIONS.includes(p));
  return left.length > 0 ? left : ['root-sign-in', 'password-recovery'];
}
