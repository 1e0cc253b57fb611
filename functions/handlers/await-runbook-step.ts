import * as z from 'zod';
import { awaitRunbookStep } from '../services/await-runbook-step';
import type { Deps } from '../services/dependencies';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';

const input = z.looseObject({
  caseId: caseIdSchema,
  stepId: z.string().min(1),
  token: z.string().min(1),
  reminders: z.number().int().min(0).optional(),
});

/** The runbook task (`waitForTaskToken`): stores the token and posts the step. */
export function createAwaitRunbookStepHandler(deps: Deps): TaskHandler {
  return async (event) => awaitRunbookStep(deps, parseTaskInput(input, event, 'await-runbook-step'));
}

export const handler = lambdaHandler('await-runbook-step', ({ deps }) => createAwaitRunbookStepHandler(deps));
