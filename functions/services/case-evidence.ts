import type { Case } from '../core/case';
import type { EvidenceEventType, RecordedEvidence } from '../ports/evidence-recorder';
import type { Deps } from './dependencies';
import { updateCaseWithRetry } from './update-case';

/**
 * Records one evidence event of a case and moves the case's chain head (`evidenceHead`,
 * `evidenceCount`) forward. The head only ever advances: when writers race, the record with the
 * highest sequence wins, so the case always names the newest record of its chain.
 */
export async function recordCaseEvidence(
  deps: Pick<Deps, 'cases' | 'evidence' | 'clock'>,
  c: Pick<Case, 'caseId' | 'accountId'>,
  type: EvidenceEventType,
  data: Record<string, unknown>,
): Promise<RecordedEvidence> {
  const recorded = await deps.evidence.record({
    caseId: c.caseId,
    accountId: c.accountId,
    type,
    at: deps.clock.now().toISOString(),
    data,
  });
  await updateCaseWithRetry(deps.cases, c.caseId, (current) =>
    current.evidenceCount >= recorded.sequence
      ? undefined
      : { ...current, evidenceHead: recorded.digest, evidenceCount: recorded.sequence },
  );
  return recorded;
}
