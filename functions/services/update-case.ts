import type { Case } from '../core/case';
import { ConcurrentUpdateError } from '../core/errors';
import type { CaseStorePort } from '../ports/case-store';

const MAX_ATTEMPTS = 60;

/**
 * Applies `change` to the newest version of a case, re-reading and retrying when another writer got
 * there first. `change` returns undefined when, on the case as it now is, there is nothing to do.
 */
export async function updateCaseWithRetry(
  cases: CaseStorePort,
  caseId: string,
  change: (c: Case) => Case | undefined,
): Promise<{ case: Case; applied: boolean }> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const current = await cases.get(caseId);
    const next = change(current);
    if (!next) return { case: current, applied: false };
    try {
      return { case: await cases.update(caseId, current.version, () => next), applied: true };
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
  throw new ConcurrentUpdateError(caseId);
}
