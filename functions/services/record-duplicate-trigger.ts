import { evidenceData } from '../core/evidence/evidence-data';
import type { Trigger } from '../core/trigger';
import type { Deps } from './dependencies';
import { reportToSweep } from './report-to-sweep';

/**
 * A trigger arrived while the account has an open case: nothing starts, but the evidence of the open
 * case says so (an auditor sees every signal that reached the tool). The record is appended to the
 * chains without touching the case itself, so that a late duplicate never races a Slack decision
 * for the case's version; the case's head catches up with the next step that records evidence.
 */
export async function recordDuplicateTrigger(
  deps: Pick<Deps, 'cases' | 'evidence' | 'clock'>,
  input: { caseId: string; trigger: Trigger },
): Promise<{ caseId: string; duplicate: true; digest: string }> {
  await reportToSweep(deps, input.trigger, 'case-already-open');
  const open = await deps.cases.get(input.caseId);
  const recorded = await deps.evidence.record({
    caseId: open.caseId,
    accountId: open.accountId,
    type: 'detection',
    at: deps.clock.now().toISOString(),
    data: evidenceData('detection', {
      duplicateTrigger: input.trigger,
      openCaseStatus: open.status,
      note: `A ${input.trigger.source} trigger arrived while case ${open.caseId} is open (${open.status}); no new case was started.`,
    }),
  });
  return { caseId: open.caseId, duplicate: true, digest: recorded.digest };
}
