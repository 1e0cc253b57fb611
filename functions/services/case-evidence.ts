import type { Case } from '../core/case';
import { evidenceData, type EvidenceDataInput } from '../core/evidence/evidence-data';
import type { EvidenceEventType, RecordedEvidence } from '../ports/evidence-recorder';
import type { Deps } from './dependencies';
import { updateCaseWithRetry } from './update-case';

/**
 * Records one evidence event of a case and moves the case's chain head (`evidenceHead`,
 * `evidenceCount`) forward. The head only ever advances: when writers race, the record with the
 * highest sequence wins, so the case always names the newest record of its chain.
 * `data` must fit the event type's schema: a mismatch throws before anything is written.
 * `options.latest`: the case as the caller has just written it, so that moving the head need not
 * read it again (see {@link updateCaseWithRetry}).
 */
export async function recordCaseEvidence<T extends EvidenceEventType>(
  deps: Pick<Deps, 'cases' | 'evidence' | 'clock'>,
  c: Pick<Case, 'caseId' | 'accountId'>,
  type: T,
  data: EvidenceDataInput<T>,
  options: { latest?: Case } = {},
): Promise<RecordedEvidence> {
  const recorded = await deps.evidence.record({
    caseId: c.caseId,
    accountId: c.accountId,
    type,
    at: deps.clock.now().toISOString(),
    // Checked against the type's schema (core/evidence/evidence-data.ts), the one the report reads with.
    data: evidenceData(type, data),
  });
  await updateCaseWithRetry(
    deps.cases,
    c.caseId,
    (current) =>
      current.evidenceCount >= recorded.sequence
        ? undefined
        : { ...current, evidenceHead: recorded.digest, evidenceCount: recorded.sequence },
    options.latest,
  );
  return recorded;
}
