import type { Case } from '../core/case';
import { ConcurrentUpdateError } from '../core/errors';
import type { CaseStorePort } from '../ports/case-store';

const MAX_ATTEMPTS = 60;

/**
 * Applies `change` to the newest version of a case, re-reading and retrying when another writer got
 * there first. `change` returns undefined when, on the case as it now is, there is nothing to do.
 *
 * `latest` is the case as the caller has just written it: the first attempt starts from it instead of
 * reading the case again (one DynamoDB read less on a Slack click's path). If another writer has moved
 * on, the versioned write is refused and the next attempt reads; if `change` finds nothing to do on
 * `latest`, the case is read before concluding so, since `latest` may be behind.
 */
export async function updateCaseWithRetry(
  cases: CaseStorePort,
  caseId: string,
  change: (c: Case) => Case | undefined,
  latest?: Case,
): Promise<{ case: Case; applied: boolean }> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const assumed = attempt === 1 && latest?.caseId === caseId;
    const current = assumed ? latest : await cases.get(caseId);
    const next = change(current);
    if (!next) {
      if (assumed) continue;
      return { case: current, applied: false };
    }
    try {
      return { case: await cases.update(caseId, current.version, () => next), applied: true };
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
  throw new ConcurrentUpdateError(caseId);
}
