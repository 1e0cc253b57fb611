import * as z from '../core/zod-mini';
import type { Deps } from '../services/dependencies';
import { handleRunbookTimeout } from '../services/runbook-timeout';
import type { RunbookCursor } from '../services/start-runbook';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';
import { awsRunbookNotifier } from './aws-ports/runbook-notifier';

const input = z.looseObject({
  caseId: caseIdSchema,
  stepId: z.optional(z.string()),
  reminders: z.optional(z.int().check(z.gte(0))),
});

/** A runbook step was not confirmed in time: remind, escalate, or abandon. */
export function createRunbookTimeoutHandler(deps: Deps): TaskHandler<RunbookCursor> {
  return async (event) => handleRunbookTimeout(deps, parseTaskInput(input, event, 'runbook-timeout'));
}

export const handler = lambdaHandler(
  'runbook-timeout',
  { cases: awsCases, evidence: awsEvidence, notifier: awsRunbookNotifier },
  ({ deps }) => createRunbookTimeoutHandler(deps),
);
