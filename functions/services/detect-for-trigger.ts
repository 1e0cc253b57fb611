import type { AccountPosture } from '../core/account-posture';
import type { Trigger } from '../core/trigger';
import type { Deps } from './dependencies';
import { detectAccount, readPosture } from './scan-accounts';

/** Either the account's open case (the trigger is a duplicate) or its freshly read posture. */
export type TriggerDetection = { openCaseId: string } | { posture: AccountPosture };

/**
 * The workflow's detect step. An account with an open case is not read again: the trigger is a
 * duplicate and starts nothing (the store's one-open-case rule still decides when two triggers race
 * past this check). Otherwise the account is read through the audit path and its posture decided.
 */
export async function detectForTrigger(
  deps: Pick<Deps, 'cases' | 'organization' | 'reader' | 'settings'>,
  trigger: Trigger,
): Promise<TriggerDetection> {
  const open = await deps.cases.findOpenByAccount(trigger.accountId);
  if (open) return { openCaseId: open.caseId };
  if (trigger.known) {
    // The sweep listed the account and read the features once for all accounts: reading only the
    // account itself keeps a compliant member account at AssumeRoot + GetAccountSummary.
    const { account, features } = trigger.known;
    return {
      posture: await readPosture(
        deps.reader,
        { id: trigger.accountId, name: account.name, isManagement: account.isManagement },
        features,
        deps.settings.readRoleName,
      ),
    };
  }
  return { posture: await detectAccount(deps, trigger.accountId) };
}
