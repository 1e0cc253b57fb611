import type { AccountPosture } from '../core/account-posture';
import { openCase } from '../core/case';
import { CaseAlreadyOpenError } from '../core/errors';
import type { RootKey } from '../core/root-key';
import type { Trigger } from '../core/trigger';
import { recordCaseEvidence } from './case-evidence';
import type { Deps } from './dependencies';
import { reportToSweep } from './report-to-sweep';

/** What the workflow routes on after opening a case. */
export interface OpenedCase {
  caseId: string;
  accountId: string;
  /** Another case of the account was open already: this trigger starts nothing. */
  duplicate: boolean;
  /** The account has no root key: the case closes as compliant after the finding is resolved. */
  compliant: boolean;
}

/** Keys as evidence and messages may show them: the full access key id stays out. */
export function maskedKeys(keys: readonly RootKey[]): Omit<RootKey, 'id'>[] {
  return keys.map(({ id: _id, ...rest }) => rest);
}

/** The posture without full key ids, for evidence records. */
export function postureForEvidence(posture: AccountPosture) {
  const { signals } = posture;
  return {
    account: posture.account,
    status: posture.status,
    reason: posture.reason,
    method: posture.method,
    keys: maskedKeys(posture.keys),
    removalPaths: posture.removalPaths,
    checkedAt: posture.checkedAt,
    signals: {
      ...(signals.accountAccessKeysPresent !== undefined
        ? { accountAccessKeysPresent: signals.accountAccessKeysPresent }
        : {}),
      ...(signals.listedKeys ? { listedKeys: maskedKeys(signals.listedKeys) } : {}),
      ...(signals.credentialReport
        ? {
            credentialReport: {
              generatedAt: signals.credentialReport.generatedAt,
              keys: maskedKeys(signals.credentialReport.keys),
            },
          }
        : {}),
    },
    ...(posture.discrepancy ? { discrepancy: posture.discrepancy } : {}),
  };
}

/**
 * Opens the case for one detection (compliant or not: every check leaves evidence). The store
 * refuses a second open case per account, so when two triggers race, exactly one opens the case
 * and the other returns it as a duplicate without recording or changing anything.
 */
export async function openCaseForTrigger(
  deps: Pick<Deps, 'cases' | 'evidence' | 'clock' | 'settings'>,
  input: { trigger: Trigger; posture: AccountPosture },
): Promise<OpenedCase> {
  const { trigger, posture } = input;
  const draft = openCase({
    posture,
    trigger,
    requiredApprovals: deps.settings.requiredApprovals,
    now: deps.clock.now(),
  });
  let created;
  try {
    created = await deps.cases.create(draft);
  } catch (error) {
    if (error instanceof CaseAlreadyOpenError) {
      await reportToSweep(deps, trigger, 'case-already-open');
      return { caseId: error.openCaseId, accountId: error.accountId, duplicate: true, compliant: false };
    }
    throw error;
  }
  await recordCaseEvidence(deps, created, 'detection', {
    trigger,
    posture: postureForEvidence(posture),
    requiredApprovals: created.requiredApprovals,
  });
  const compliant = posture.status === 'COMPLIANT';
  await reportToSweep(deps, trigger, compliant ? 'compliant' : 'case-opened');
  return { caseId: created.caseId, accountId: created.accountId, duplicate: false, compliant };
}
