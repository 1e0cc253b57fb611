import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { withoutKeyIds } from '../functions/core/account-posture';
import type { Case } from '../functions/core/case';
import type { LocalExecution } from '../local-runner/local-workflow';

/**
 * How the sandbox and `rootkey serve` show a case in `GET /api/cases[/:id]` (one implementation for
 * both local servers): never the task token, key ids masked, the report's route once it is written.
 */

/** The case's HTML report route, once the report is written under `<dataDir>/evidence/reports/`. */
export function reportUrlOf(dataDir: string, caseId: string): string | undefined {
  return existsSync(join(dataDir, 'evidence', 'reports', `${caseId}.html`))
    ? `/evidence/reports/${caseId}.html`
    : undefined;
}

/** A case in the list: status, decision, evidence head, report and execution. */
export function caseSummaryOf(c: Case, execution: LocalExecution | undefined, dataDir: string) {
  return {
    caseId: c.caseId,
    accountId: c.accountId,
    accountName: c.accountName,
    status: c.status,
    openedAt: c.openedAt,
    closedAt: c.closedAt,
    trigger: c.trigger.source,
    decision: c.decision
      ? { action: c.decision.action, by: c.decision.approvers.map((a) => a.userName ?? a.userId) }
      : undefined,
    evidenceHead: c.evidenceHead,
    reportUrl: reportUrlOf(dataDir, c.caseId),
    execution: execution ? { id: execution.id, status: execution.status } : undefined,
  };
}

/** One case in full, with the path its execution took. */
export function caseDetailOf(c: Case, execution: LocalExecution | undefined, dataDir: string) {
  // The task token is server-side state: never in an API answer.
  const { pendingTask, ...rest } = c;
  return {
    ...rest,
    posture: withoutKeyIds(rest.posture),
    pendingTask: pendingTask
      ? { kind: pendingTask.kind, since: pendingTask.since, stepId: pendingTask.stepId }
      : undefined,
    reportUrl: reportUrlOf(dataDir, c.caseId),
    execution: execution ? { id: execution.id, status: execution.status, path: execution.states() } : undefined,
  };
}
