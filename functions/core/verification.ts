import type { PostureReading } from './account-posture';
import type { RootKey } from './root-key';

/** The bounded polling schedule of `WorkflowSettings.verification`. */
export interface VerificationSchedule {
  maxAttempts: number;
  initialWaitSeconds: number;
  maxWaitSeconds: number;
}

/** What one verification read proved. */
export interface VerificationVerdict {
  /** True only when the live signals prove that no root access key exists. */
  gone: boolean;
  /** One sentence an auditor can read: which signal said what. */
  reason: string;
  /** `GetAccountSummary.SummaryMap.AccountAccessKeysPresent`, when read. */
  accountAccessKeysPresent?: number;
  /** Masked ids `ListAccessKeys` still lists, when it was read. */
  listedKeys?: string[];
  /** The credential report's view, supporting evidence only (it can be four hours old). */
  credentialReport?: { generatedAt: string; keys: string[] };
  /** The credential report disagrees with the live read; the live read decides. */
  discrepancy?: string;
}

/**
 * Decides whether a root key is gone from one read through the audit path. The key counts as gone
 * only when `AccountAccessKeysPresent` was read and is 0 AND `ListAccessKeys`, when it was read,
 * lists nothing: a missing summary is "not proven", never "zero", and the credential report can
 * never prove removal on its own because it may be up to four hours stale.
 */
export function decideVerification(reading: PostureReading): VerificationVerdict {
  const { accountAccessKeysPresent: summary, listedKeys, credentialReport } = reading.signals;
  const listed = listedKeys?.map((k) => k.maskedId);
  const report = credentialReport
    ? { generatedAt: credentialReport.generatedAt, keys: credentialReport.keys.map((k) => k.maskedId) }
    : undefined;
  const detail = {
    ...(summary !== undefined ? { accountAccessKeysPresent: summary } : {}),
    ...(listed ? { listedKeys: listed } : {}),
    ...(report ? { credentialReport: report } : {}),
  };

  if (summary === undefined) {
    return {
      ...detail,
      gone: false,
      reason:
        'AccountAccessKeysPresent was not read, so the removal is not proven (the credential report alone never proves it).',
    };
  }
  if (summary > 0) {
    return {
      ...detail,
      gone: false,
      reason: `GetAccountSummary still reports ${summary} root access key${summary > 1 ? 's' : ''} (AccountAccessKeysPresent = ${summary}).`,
    };
  }
  if (listed && listed.length > 0) {
    return {
      ...detail,
      gone: false,
      reason: `AccountAccessKeysPresent is 0 but ListAccessKeys still lists ${listed.join(', ')}; the read is not consistent yet.`,
    };
  }

  const discrepancy =
    report && report.keys.length > 0
      ? `The credential report of ${report.generatedAt} still shows ${report.keys.length} root key(s); it can be up to 4 hours old, the live read decides.`
      : undefined;
  return {
    ...detail,
    gone: true,
    reason: listed
      ? 'AccountAccessKeysPresent is 0 and ListAccessKeys lists no root access key.'
      : 'AccountAccessKeysPresent is 0 (ListAccessKeys is not available on this read path).',
    ...(discrepancy ? { discrepancy } : {}),
  };
}

/**
 * Seconds to wait after verification attempt `attempt` (1-based) before the next one: exponential
 * from `initialWaitSeconds`, doubling each attempt, never above `maxWaitSeconds`. Deterministic so
 * that the state machine's Wait state and the tests agree; IAM's eventual consistency is measured in
 * seconds, so a short start and a cap of a couple of minutes cover it without hammering the API.
 */
export function backoffSeconds(attempt: number, schedule: VerificationSchedule): number {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`attempt must be an integer >= 1 (got ${attempt})`);
  const initial = Math.max(1, schedule.initialWaitSeconds);
  const cap = Math.max(initial, schedule.maxWaitSeconds);
  // Past 2^20 the cap has long been reached; bounding the exponent avoids Infinity.
  const exponent = Math.min(attempt - 1, 20);
  return Math.min(cap, initial * 2 ** exponent);
}

/** True when attempt `attempt` was the last one the schedule allows. */
export function isLastAttempt(attempt: number, schedule: VerificationSchedule): boolean {
  return attempt >= schedule.maxAttempts;
}

/** The longest the whole polling can take (sum of the waits between attempts): the bound is real. */
export function totalWaitBoundSeconds(schedule: VerificationSchedule): number {
  let total = 0;
  for (let attempt = 1; attempt < schedule.maxAttempts; attempt++) total += backoffSeconds(attempt, schedule);
  return total;
}

/** Root keys as evidence may show them: masked id and facts, never the full access key id. */
export function keysForEvidence(keys: readonly RootKey[]): Omit<RootKey, 'id'>[] {
  return keys.map(({ id: _id, ...rest }) => rest);
}
