import * as z from '../core/zod-mini';
import { awaitRunbookStep } from '../services/await-runbook-step';
import type { Deps } from '../services/dependencies';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsRunbookNotifier } from './aws-ports/runbook-notifier';

const input = z.looseObject({
  caseId: caseIdSchema,
  stepId: z.string().check(z.minLength(1)),
  token: z.string().check(z.minLength(1)),
  reminders: z.optional(z.int().check(z.gte(0))),
});

/** The runbook task (`waitForTaskToken`): stores the token and posts the step. */
export function createAwaitRunbookStepHandler(deps: Deps): TaskHandler {
  return async (event) => awaitRunbookStep(deps, parseTaskInput(input, event, 'await-runbook-step'));
}

export const handler = lambdaHandler(
  'await-runbook-step',
  { cases: awsCases, notifier: awsRunbookNotifier },
  ({ deps }) => createAwaitRunbookStepHandler(deps),
);
