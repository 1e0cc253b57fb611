import * as z from 'zod';
import type { Deps } from '../services/dependencies';
import { startRunbook, type RunbookCursor } from '../services/start-runbook';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';

const input = z.looseObject({
  caseId: caseIdSchema,
  reason: z.enum(['decision', 'root-access-unavailable', 'key-still-present']),
});

/** Starts (or restarts) the guided runbook and answers its first step. */
export function createStartRunbookHandler(deps: Deps): TaskHandler<RunbookCursor> {
  return async (event) => startRunbook(deps, parseTaskInput(input, event, 'start-runbook'));
}

export const handler = lambdaHandler('start-runbook', ({ deps }) => createStartRunbookHandler(deps));
