import * as z from 'zod';
import type { Deps } from '../services/dependencies';
import { recordRunbookStep } from '../services/record-runbook-step';
import type { RunbookCursor } from '../services/start-runbook';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';

const input = z.looseObject({ caseId: caseIdSchema, stepId: z.string().optional(), output: z.unknown() });

/** Records what the operator answered (step confirmed / verify now) and where the runbook goes next. */
export function createRecordRunbookStepHandler(deps: Deps): TaskHandler<RunbookCursor> {
  return async (event) => recordRunbookStep(deps, parseTaskInput(input, event, 'record-runbook-step'));
}

export const handler = lambdaHandler('record-runbook-step', ({ deps }) => createRecordRunbookStepHandler(deps));
