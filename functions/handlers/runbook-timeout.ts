import * as z from 'zod';
import type { Deps } from '../services/dependencies';
import { handleRunbookTimeout } from '../services/runbook-timeout';
import type { RunbookCursor } from '../services/start-runbook';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';

const input = z.looseObject({
  caseId: caseIdSchema,
  stepId: z.string().optional(),
  reminders: z.number().int().min(0).optional(),
});

/** A runbook step was not confirmed in time: remind, escalate, or abandon. */
export function createRunbookTimeoutHandler(deps: Deps): TaskHandler<RunbookCursor> {
  return async (event) => handleRunbookTimeout(deps, parseTaskInput(input, event, 'runbook-timeout'));
}

export const handler = lambdaHandler('runbook-timeout', ({ deps }) => createRunbookTimeoutHandler(deps));
