import type { EvidenceDataInput } from '../core/evidence/evidence-data';
import { transition } from '../core/case';
import { DecisionNotAcceptedError, describeError, KeysChangedError, TransientAwsError } from '../core/errors';
import { removalDetailOf, type ActionRecord } from '../ports/root-key-remover';
import { recordCaseEvidence } from './case-evidence';
import type { Deps } from './dependencies';
import { updateCaseWithRetry } from './update-case';

/** One `action` evidence record's data for one AWS call. */
function actionData(action: ActionRecord, approvedKeys: string[]): EvidenceDataInput<'action'> {
  return {
    api: action.api,
    outcome: action.outcome,
    calledAt: action.at,
    approvedKeys,
    ...(action.requestId ? { requestId: action.requestId } : {}),
    ...(action.keyId ? { keyId: action.keyId } : {}),
    ...(action.error ? { error: action.error } : {}),
  };
}

/**
 * Deletes exactly the keys the approvers saw (`case.decision.approvedKeys`) through the remover
 * (AssumeRoot + IAMDeleteRootUserCredentials), records one `action` evidence record per AWS call —
 * failures included, from the detail the remover attaches to its error — and moves the case from
 * `deleting` to `verifying`.
 *
 * When the account's keys changed since the approval, nothing is deleted: the refusal is recorded
 * and KeysChangedError rethrown so that the workflow asks again. Any other error is recorded and
 * rethrown unchanged (its name decides whether the workflow retries) — a transient AWS error before
 * any key was deleted only the first time (see the comment where it is caught).
 */
export async function deleteApprovedKeys(
  deps: Pick<Deps, 'cases' | 'evidence' | 'remover' | 'clock'>,
  caseId: string,
): Promise<{ caseId: string; deletedKeys: string[] }> {
  const c = await deps.cases.get(caseId);
  const decision = c.decision;
  if (!decision || decision.action !== 'delete') {
    throw new DecisionNotAcceptedError(`Case ${caseId} has no approved deletion`);
  }
  if (c.status === 'verifying') {
    // A repeated invocation after the deletion finished (Lambda retries): nothing left to do.
    return { caseId, deletedKeys: [] };
  }
  if (c.status !== 'deleting') {
    throw new DecisionNotAcceptedError(`Case ${caseId} is ${c.status}, not deleting`);
  }

  let result;
  try {
    result = await deps.remover.deleteRootKeys(c.accountId, decision.approvedKeys);
  } catch (error) {
    const detail = removalDetailOf(error);
    if (error instanceof TransientAwsError && (detail?.deletedKeys.length ?? 0) === 0) {
      // Throttled or 5xx before anything was deleted: the state machine retries (up to 400 times in
      // an hour-long throttle, core/retry-budget.ts). The first such failure is recorded below; the
      // retries after it are not (a record per attempt would bury the case's chain), and a failure
      // outcome says since when the deletion was retried.
      if (c.deletionRetryingSince) throw error;
      const since = deps.clock.now().toISOString();
      await updateCaseWithRetry(deps.cases, caseId, (current) =>
        current.deletionRetryingSince ? undefined : { ...current, deletionRetryingSince: since },
      );
    }
    for (const action of detail?.actions ?? []) {
      await recordCaseEvidence(deps, c, 'action', actionData(action, decision.approvedKeys));
    }
    const { name, message } = describeError(error);
    if (error instanceof KeysChangedError) {
      await recordCaseEvidence(deps, c, 'action', {
        api: 'rootkey:CompareApprovedKeys',
        outcome: 'refused',
        approvedKeys: error.approvedKeyIds,
        currentKeys: error.currentKeyIds,
        deletedKeys: [],
        error: `${name}: ${message}`,
      });
    } else if (!detail || detail.actions.length === 0) {
      // The remover gave no per-call detail: still leave a record of the failed removal.
      await recordCaseEvidence(deps, c, 'action', {
        api: 'rootkey:DeleteRootKeys',
        outcome: 'failure',
        approvedKeys: decision.approvedKeys,
        deletedKeys: detail?.deletedKeys ?? [],
        error: `${name}: ${message}`,
      });
    }
    throw error;
  }

  for (const action of result.actions) {
    await recordCaseEvidence(deps, c, 'action', actionData(action, decision.approvedKeys));
  }
  await updateCaseWithRetry(deps.cases, caseId, (current) =>
    current.status === 'deleting' ? transition(current, 'verifying', deps.clock.now()) : undefined,
  );
  return { caseId, deletedKeys: result.deletedKeys };
}
