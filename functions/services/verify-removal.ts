import { isTerminal, transition } from '../core/case';
import { DecisionNotAcceptedError, InvalidInputError } from '../core/errors';
import { backoffSeconds, decideVerification, isLastAttempt } from '../core/verification';
import { recordCaseEvidence } from './case-evidence';
import type { Deps } from './dependencies';
import { updateCaseWithRetry } from './update-case';

export interface VerificationResult {
  caseId: string;
  attempt: number;
  /** The live read proves that no root access key exists. */
  gone: boolean;
  /** Not gone, and this was the last attempt the schedule allows. */
  exhausted: boolean;
  /** Seconds to wait before the next attempt; 0 when there is none (gone or exhausted). */
  waitSeconds: number;
}

/**
 * One verification attempt (1-based): reads the account again through the audit path (AssumeRoot
 * with IAMAuditRootUserCredentials where it reaches, `settings.readRoleName` otherwise, with the
 * credential report as supporting evidence when the path can read it), decides with
 * `decideVerification` — gone only when AccountAccessKeysPresent is 0 and ListAccessKeys, when
 * read, is empty — and records a `verification` evidence record. The state machine loops on
 * `waitSeconds` until `gone` or `exhausted`; the case status is the workflow's to change.
 */
export async function verifyRemoval(
  deps: Pick<Deps, 'cases' | 'evidence' | 'organization' | 'reader' | 'clock' | 'settings'>,
  caseId: string,
  attempt: number,
): Promise<VerificationResult> {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new InvalidInputError(`Verification attempt must be an integer >= 1 (got ${String(attempt)})`);
  }
  let c = await deps.cases.get(caseId);
  if (isTerminal(c.status)) {
    throw new DecisionNotAcceptedError(`Case ${caseId} is closed (${c.status}); a new check opens a new case`);
  }
  // Still 'deleting': the deletion ran past its function timeout, so nobody knows what it did. The
  // workflow verifies instead of failing; this check decides (its calls may have landed anyway).
  const afterDeletionTimeout = c.status === 'deleting';
  if (afterDeletionTimeout) {
    c = (
      await updateCaseWithRetry(deps.cases, caseId, (current) =>
        current.status === 'deleting' ? transition(current, 'verifying', deps.clock.now()) : undefined,
      )
    ).case;
  }
  const schedule = deps.settings.verification;
  const account = await deps.organization.getAccount(c.accountId);
  const reading = await deps.reader.read(account, {
    useAssumeRoot: true,
    ...(deps.settings.readRoleName ? { roleName: deps.settings.readRoleName } : {}),
    includeCredentialReport: true,
  });
  const verdict = decideVerification(reading);
  const exhausted = !verdict.gone && isLastAttempt(attempt, schedule);
  const waitSeconds = verdict.gone || exhausted ? 0 : backoffSeconds(attempt, schedule);

  await recordCaseEvidence(deps, c, 'verification', {
    attempt,
    maxAttempts: schedule.maxAttempts,
    gone: verdict.gone,
    exhausted,
    reason: verdict.reason,
    method: reading.method,
    readAt: reading.readAt,
    requestIds: reading.requestIds ?? [],
    signals: {
      ...(verdict.accountAccessKeysPresent !== undefined
        ? { accountAccessKeysPresent: verdict.accountAccessKeysPresent }
        : {}),
      ...(verdict.listedKeys ? { listedKeys: verdict.listedKeys } : {}),
      ...(verdict.credentialReport ? { credentialReport: verdict.credentialReport } : {}),
    },
    ...(verdict.discrepancy ? { discrepancy: verdict.discrepancy } : {}),
    ...(c.decision ? { approvedKeys: c.decision.approvedKeys } : {}),
    ...(afterDeletionTimeout ? { afterDeletionTimeout: true } : {}),
    ...(waitSeconds > 0 ? { nextAttemptInSeconds: waitSeconds } : {}),
  });
  return { caseId, attempt, gone: verdict.gone, exhausted, waitSeconds };
}
