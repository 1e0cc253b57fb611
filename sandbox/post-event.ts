import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Case } from '../functions/core/case';
import { normalizeTrigger } from '../functions/core/normalize-trigger';
import type { LocalExecution, LocalWorkflow } from '../local-runner/local-workflow';
import type { CaseStorePort } from '../functions/ports/case-store';
import { readJson, sendJson } from './http-util';

/** What `POST /api/events` needs: the cases, the local workflow, and how its server summarizes a case. */
export interface PostEventDeps {
  cases: Pick<CaseStorePort, 'list' | 'findOpenByAccount'>;
  workflow: Pick<LocalWorkflow, 'start' | 'startSweep'>;
  summarize: (c: Case) => unknown;
}

/**
 * `POST /api/events` of the sandbox and of `rootkey serve` (one implementation for both): takes an
 * EventBridge event as AWS delivers it and answers with the case it started (202), the open case it
 * duplicates, or why it was ignored (200); 400 for an event it cannot read.
 */
export function createPostEventRoute(
  deps: PostEventDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const event = await readJson(req, res, 256_000);
    if (event === undefined) return;
    let intake;
    try {
      intake = normalizeTrigger(event, new Date());
    } catch (error) {
      return sendJson(res, 400, { error: (error as Error).message });
    }
    if (intake.ignored) return sendJson(res, 200, { started: false, ignored: true, reason: intake.reason });
    const before = new Set((await deps.cases.list()).map((c) => c.caseId));
    const execution =
      intake.trigger.source === 'schedule' || intake.trigger.source === 'sweep'
        ? deps.workflow.startSweep(event)
        : deps.workflow.start(event);
    const outcome = await settle(deps, execution, intake.trigger.accountId, before);
    sendJson(res, 202, { started: true, executionId: execution.id, trigger: intake.trigger, ...outcome });
  };
}

/** Waits (briefly) until the execution opened its case or ended, so the answer can name the case. */
async function settle(deps: PostEventDeps, execution: LocalExecution, accountId: string, before: Set<string>) {
  const deadline = Date.now() + 8000;
  while (Date.now() < deadline) {
    const opened = (await deps.cases.list({ accountId })).find((c) => !before.has(c.caseId));
    if (opened) return { case: deps.summarize(opened) };
    if (execution.status !== 'RUNNING') {
      const open = await deps.cases.findOpenByAccount(accountId);
      const output = execution.output as { reason?: string } | undefined;
      if (open)
        return {
          duplicateOf: open.caseId,
          reason: `Account ${accountId} already has open case ${open.caseId}; no second case was started.`,
        };
      return {
        executionStatus: execution.status,
        reason:
          output?.reason ??
          (execution.error
            ? `${execution.error.error}: ${execution.error.cause}`
            : 'The account is compliant: no root access key, no case opened.'),
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { executionStatus: execution.status, reason: 'The execution is still running; see GET /api/cases.' };
}
