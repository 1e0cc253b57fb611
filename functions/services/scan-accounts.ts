import { isAccountId, type Account, type RootAccessFeatures } from '../core/account';
import { decidePosture, withoutKeyIds, type AccountPosture } from '../core/account-posture';
import { AccessDeniedError, InvalidInputError, RootKeyError, describeError } from '../core/errors';
import type { OrganizationPort } from '../ports/organization';
import type { RootKeyReaderPort } from '../ports/root-key-reader';
import { AdaptiveRateLimiter, pacedRunner, type PacingOptions } from './adaptive-rate-limiter';
import type { Deps } from './dependencies';
import { mapWithConcurrency } from './map-with-concurrency';

/**
 * Accounts read at once by default. With pacing (what `rootkey scan` uses) the shared limiter, not
 * the worker count, sets the request rate; the workers only have to keep it busy. One account read
 * is about three calls in sequence, so at 60 ms per call 8 workers top out at ~44 accounts/s, below
 * the assumed 50/s STS budget (measured in BENCHMARKS.md); 16 leave headroom.
 */
export const DEFAULT_SCAN_CONCURRENCY = 16;

export interface ScanInput {
  organization: OrganizationPort;
  reader: RootKeyReaderPort;
  /** Account ids to scan; every active account of the organization when absent or empty. */
  accounts?: string[];
  /** Read role for accounts AssumeRoot cannot reach (management/standalone account, feature off). */
  roleName?: string;
  /** Accounts read at once (default {@link DEFAULT_SCAN_CONCURRENCY}). */
  concurrency?: number;
  /** Add the credential report on the role path for key detail (default true). */
  includeCredentialReport?: boolean;
  /** Also read root's password, MFA devices and signing certificates where the AssumeRoot audit path allows (default false). */
  includeRootCredentials?: boolean;
  /** Called with (0, total) first and after every account. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Client-side pacing and retries for organization-wide sweeps. Absent: every account is read
   * once and a throttled read is reported as that account's transient error.
   */
  pacing?: ScanPacing;
}

/** How a sweep stays under AWS's rate limits (see {@link PacingOptions}). */
export type ScanPacing = PacingOptions;

/**
 * The pacing `rootkey scan` uses (issue #18), and the one the sweep benchmark measures: one adaptive
 * (CUBIC) limiter shared by every worker, starting slow and backing off on throttling, with up to
 * six tries per account. The clock is injectable for the benchmark's virtual time.
 */
export function defaultScanPacing(clock: Pick<PacingOptions, 'now' | 'sleep' | 'random'> = {}): ScanPacing {
  const limiter = new AdaptiveRateLimiter({
    ...(clock.now ? { now: clock.now } : {}),
    ...(clock.sleep ? { sleep: clock.sleep } : {}),
  });
  return { ...clock, limiter };
}

/** Why one account could not be scanned. Typed errors keep their stable `name`. */
export interface AccountScanError {
  name: string;
  message: string;
  /** Trying again later may succeed (throttling, 5xx). */
  transient: boolean;
  /** For AccessDeniedError: the refused action and for whom. */
  permission?: string;
  where?: string;
}

export type AccountScanResult =
  | { account: Account; posture: AccountPosture }
  | {
      account: Account;
      error: AccountScanError;
      /** `lookup`: the account itself could not be found; `read`: its keys could not be read. */
      stage: 'lookup' | 'read';
    };

export interface ScanSummary {
  accounts: number;
  compliant: number;
  nonCompliant: number;
  errors: number;
  keys: number;
  activeKeys: number;
  inactiveKeys: number;
}

export interface ScanResult {
  features: RootAccessFeatures;
  /** One result per account, in the order the accounts were given or listed. */
  accounts: AccountScanResult[];
  summary: ScanSummary;
}

/**
 * Scans accounts for root access keys with bounded concurrency. Listing the organization or
 * reading its root access features failing fails the scan (nothing could be scanned); one account
 * failing is reported for that account and the others go on.
 */
export async function scanAccounts(input: ScanInput): Promise<ScanResult> {
  const concurrency = input.concurrency ?? DEFAULT_SCAN_CONCURRENCY;
  const includeCredentialReport = input.includeCredentialReport ?? true;
  const requested = [...new Set(input.accounts ?? [])];
  for (const id of requested) {
    if (!isAccountId(id)) throw new InvalidInputError(`account id '${id}' is not 12 digits`);
  }
  const features = await input.organization.rootAccessFeatures();
  const targets: (Account | string)[] = requested.length > 0 ? requested : await input.organization.listAccounts();

  const read: ReadRunner = input.pacing ? pacedRunner(input.pacing) : (job) => job();
  let done = 0;
  input.onProgress?.(0, targets.length);
  const accounts = await mapWithConcurrency(targets, concurrency, async (target): Promise<AccountScanResult> => {
    const result = await scanOne(input, target, features, includeCredentialReport, read);
    done++;
    input.onProgress?.(done, targets.length);
    return result;
  });
  return { features, accounts, summary: summarizeScan(accounts) };
}

type ReadRunner = (job: () => Promise<AccountPosture>) => Promise<AccountPosture>;

async function scanOne(
  input: ScanInput,
  target: Account | string,
  features: RootAccessFeatures,
  includeCredentialReport: boolean,
  read: ReadRunner,
): Promise<AccountScanResult> {
  let account: Account;
  if (typeof target === 'string') {
    try {
      account = await input.organization.getAccount(target);
    } catch (error) {
      return { account: { id: target, name: '', isManagement: false }, error: toScanError(error), stage: 'lookup' };
    }
  } else {
    account = target;
  }
  try {
    const posture = await read(() =>
      readPosture(
        input.reader,
        account,
        features,
        input.roleName,
        includeCredentialReport,
        input.includeRootCredentials ?? false,
      ),
    );
    return { account, posture };
  } catch (error) {
    return { account, error: toScanError(error), stage: 'read' };
  }
}

/**
 * Reads one account and decides its posture: AssumeRoot (audit task policy) when the
 * organization's RootSessions feature is on, `roleName` where AssumeRoot cannot reach.
 */
export async function readPosture(
  reader: RootKeyReaderPort,
  account: Account,
  features: RootAccessFeatures,
  roleName: string | undefined,
  includeCredentialReport = true,
  includeRootCredentials = false,
): Promise<AccountPosture> {
  const reading = await reader.read(account, {
    useAssumeRoot: features.rootSessions,
    ...(roleName ? { roleName } : {}),
    includeCredentialReport,
    ...(includeRootCredentials ? { includeRootCredentials } : {}),
  });
  // Full key ids stop here: the adapters that need them for AWS calls read them again themselves.
  return withoutKeyIds(decidePosture(account, reading, features));
}

/**
 * Detects one account's root-key posture for the workflow: looks the account up, reads the
 * organization's root access features, reads with AssumeRoot preferred and `settings.readRoleName`
 * as the fallback (credential report included for key detail), and decides.
 */
export async function detectAccount(
  deps: Pick<Deps, 'organization' | 'reader' | 'settings'>,
  accountId: string,
): Promise<AccountPosture> {
  if (!isAccountId(accountId)) throw new InvalidInputError(`account id '${accountId}' is not 12 digits`);
  const [account, features] = await Promise.all([
    deps.organization.getAccount(accountId),
    deps.organization.rootAccessFeatures(),
  ]);
  return readPosture(deps.reader, account, features, deps.settings.readRoleName);
}

export function summarizeScan(results: readonly AccountScanResult[]): ScanSummary {
  const summary: ScanSummary = {
    accounts: results.length,
    compliant: 0,
    nonCompliant: 0,
    errors: 0,
    keys: 0,
    activeKeys: 0,
    inactiveKeys: 0,
  };
  for (const r of results) {
    if ('error' in r) {
      summary.errors++;
      continue;
    }
    if (r.posture.status === 'COMPLIANT') summary.compliant++;
    else summary.nonCompliant++;
    for (const key of r.posture.keys) {
      summary.keys++;
      if (key.status === 'Active') summary.activeKeys++;
      else summary.inactiveKeys++;
    }
  }
  return summary;
}

function toScanError(error: unknown): AccountScanError {
  const { name, message } = describeError(error);
  return {
    name,
    message,
    transient: error instanceof RootKeyError ? error.transient : false,
    ...(error instanceof AccessDeniedError ? { permission: error.permission, where: error.where } : {}),
  };
}
