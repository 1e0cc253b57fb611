import * as z from '../core/zod-mini';
import type { Deps } from '../services/dependencies';
import { recordRunbookStep } from '../services/record-runbook-step';
import type { RunbookCursor } from '../services/start-runbook';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';
import { awsNotifier } from './aws-ports/notifier';

const input = z.looseObject({ caseId: caseIdSchema, stepId: z.optional(z.string()), output: z.unknown() });

/** Records what the operator answered (step confirmed / verify now) and where the runbook goes next. */
export function createRecordRunbookStepHandler(deps: Deps): TaskHandler<RunbookCursor> {
  return async (event) => recordRunbookStep(deps, parseTaskInput(input, event, 'record-runbook-step'));
}

export const handler = lambdaHandler(
  'record-runbook-step',
  { cases: awsCases, evidence: awsEvidence, notifier: awsNotifier },
  ({ deps }) => createRecordRunbookStepHandler(deps),
);
