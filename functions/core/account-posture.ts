import type { Account, RootAccessFeatures } from './account';
import type { RootKey } from './root-key';
import type { RootCredentials } from './guardrails';
import { decideRemovalPaths, type RemovalPath } from './removal-paths';

/** How the root user's keys were read. */
export type DetectionMethod =
  /** `sts:AssumeRoot` with the IAMAuditRootUserCredentials task policy (member accounts). */
  | 'assume-root-audit'
  /** An assumable read-only role: GetAccountSummary and the credential report, no key ids. */
  | 'read-only-role'
  /** The caller's own credentials, when the scanner runs in the account it reads. */
  | 'caller-credentials';

/** The credential report's `<root_account>` row: supporting evidence only, up to 4 hours stale. */
export interface CredentialReportSignal {
  generatedAt: string;
  keys: RootKey[];
}

/** Raw signals one read of an account produced. Absent means "not read", never "zero". */
export interface PostureSignals {
  /** `GetAccountSummary.SummaryMap.AccountAccessKeysPresent`. */
  accountAccessKeysPresent?: number;
  /** `ListAccessKeys` (without UserName, in a root session) enriched by `GetAccessKeyLastUsed`. */
  listedKeys?: RootKey[];
  credentialReport?: CredentialReportSignal;
  /**
   * The root user's other credentials (GetLoginProfile, ListMFADevices, ListSigningCertificates),
   * read only in an AssumeRoot session with IAMAuditRootUserCredentials, which allows those calls.
   */
  rootCredentials?: RootCredentials;
}

/**
 * The posture without full access key ids: what the workflow keeps (cases, task output, API
 * answers, messages). Only the adapters that call AWS need the full id, and they read it again in
 * their own session (GetAccessKeyLastUsed, DeleteAccessKey); everything else shows `maskedId`.
 */
export function withoutKeyIds(posture: AccountPosture): AccountPosture {
  const strip = (keys: RootKey[]): RootKey[] => keys.map(({ id: _id, ...rest }) => rest);
  const { signals } = posture;
  return {
    ...posture,
    keys: strip(posture.keys),
    signals: {
      ...signals,
      ...(signals.listedKeys ? { listedKeys: strip(signals.listedKeys) } : {}),
      ...(signals.credentialReport
        ? { credentialReport: { ...signals.credentialReport, keys: strip(signals.credentialReport.keys) } }
        : {}),
    },
  };
}

/** What a read port returns for one account. */
export interface PostureReading {
  accountId: string;
  method: DetectionMethod;
  signals: PostureSignals;
  readAt: string;
  /** AWS request ids of the calls made, for the evidence. */
  requestIds?: string[];
}

export type ComplianceStatus = 'COMPLIANT' | 'NON_COMPLIANT';

/** The decided root-key posture of one account. */
export interface AccountPosture {
  account: Account;
  status: ComplianceStatus;
  /** Keys found, active or inactive: both are non-compliant. */
  keys: RootKey[];
  /** One sentence saying why the status was decided. */
  reason: string;
  method: DetectionMethod;
  removalPaths: RemovalPath[];
  signals: PostureSignals;
  checkedAt: string;
  /** Signals disagreed (for example a stale credential report); the authoritative one won. */
  discrepancy?: string;
  /** AWS request ids of the read, carried over from the reading for the evidence. */
  requestIds?: string[];
}

/**
 * Decides an account's posture from what was read. `GetAccountSummary` and `ListAccessKeys` are
 * authoritative; the credential report only adds detail (and is never the only reason for a verdict
 * when a live signal exists, because it can be four hours old).
 */
export function decidePosture(account: Account, reading: PostureReading, features: RootAccessFeatures): AccountPosture {
  const { signals } = reading;
  const summary = signals.accountAccessKeysPresent;
  const listed = signals.listedKeys;
  const reported = signals.credentialReport?.keys ?? [];
  const removalPaths = decideRemovalPaths(account, features);
  const base = {
    account,
    method: reading.method,
    removalPaths,
    signals,
    checkedAt: reading.readAt,
    ...(reading.requestIds ? { requestIds: reading.requestIds } : {}),
  };

  if (summary === undefined && listed === undefined) {
    if (!signals.credentialReport) {
      throw new Error(`No signal was read for account ${account.id}`);
    }
    // Only the report: better than nothing, but say so.
    return reported.length > 0
      ? { ...base, status: 'NON_COMPLIANT', keys: reported, reason: describeKeys(reported, 'the credential report') }
      : {
          ...base,
          status: 'COMPLIANT',
          keys: [],
          reason: `The credential report of ${signals.credentialReport.generatedAt} lists no root access key (no live signal was available).`,
        };
  }

  const liveKeyCount = Math.max(summary ?? 0, listed?.length ?? 0);
  let discrepancy: string | undefined;
  if (summary !== undefined && listed !== undefined && summary !== listed.length) {
    discrepancy = `GetAccountSummary reports ${summary} root key(s) but ListAccessKeys lists ${listed.length}.`;
  } else if (signals.credentialReport && reported.length !== liveKeyCount) {
    discrepancy = `The credential report of ${signals.credentialReport.generatedAt} shows ${reported.length} root key(s), the live read ${liveKeyCount}; the report can be up to 4 hours old.`;
  }

  if (liveKeyCount === 0) {
    return { ...base, status: 'COMPLIANT', keys: [], reason: 'No root user access key exists.', discrepancy };
  }
  const keys = pickKeyDetail(liveKeyCount, listed, reported);
  const source = listed && listed.length > 0 ? 'ListAccessKeys' : 'GetAccountSummary';
  return { ...base, status: 'NON_COMPLIANT', keys, reason: describeKeys(keys, source), discrepancy };
}

function pickKeyDetail(count: number, listed: RootKey[] | undefined, reported: RootKey[]): RootKey[] {
  if (listed && listed.length > 0) return listed;
  if (reported.length >= count) return reported.slice(0, count);
  // The summary counts keys the (stale) report does not show yet: list them as unknown rather than drop them.
  const unknown: RootKey[] = Array.from({ length: count - reported.length }, () => ({
    maskedId: 'unknown (not in the credential report yet)',
    status: 'Active',
  }));
  return [...reported, ...unknown];
}

function describeKeys(keys: RootKey[], source: string): string {
  const active = keys.filter((k) => k.status === 'Active').length;
  const inactive = keys.length - active;
  const parts = [active ? `${active} active` : '', inactive ? `${inactive} inactive` : '']
    .filter(Boolean)
    .join(' and ');
  return `${source} shows ${parts} root access key${keys.length > 1 ? 's' : ''}; any root key, active or inactive, is non-compliant.`;
}
