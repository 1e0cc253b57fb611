import * as z from '../core/zod-mini';
import type { Deps } from '../services/dependencies';
import { startRunbook, type RunbookCursor } from '../services/start-runbook';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';
import { awsNotifier } from './aws-ports/notifier';

const input = z.looseObject({
  caseId: caseIdSchema,
  reason: z.enum(['decision', 'root-access-unavailable', 'key-still-present']),
});

/** Starts (or restarts) the guided runbook and answers its first step. */
export function createStartRunbookHandler(deps: Deps): TaskHandler<RunbookCursor> {
  return async (event) => startRunbook(deps, parseTaskInput(input, event, 'start-runbook'));
}

export const handler = lambdaHandler(
  'start-runbook',
  { cases: awsCases, evidence: awsEvidence, notifier: awsNotifier },
  ({ deps }) => createStartRunbookHandler(deps),
);
