import * as z from '../core/zod-mini';
import type { Deps } from '../services/dependencies';
import { recordDuplicateTrigger } from '../services/record-duplicate-trigger';
import { caseIdSchema, parseTaskInput, triggerSchema } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';

const input = z.looseObject({ caseId: caseIdSchema, trigger: triggerSchema });

/** A trigger for an account with an open case: evidence on that case, nothing started. */
export function createRecordDuplicateTriggerHandler(deps: Deps): TaskHandler {
  return async (event) => recordDuplicateTrigger(deps, parseTaskInput(input, event, 'record-duplicate-trigger'));
}

export const handler = lambdaHandler(
  'record-duplicate-trigger',
  { cases: awsCases, evidence: awsEvidence },
  ({ deps }) => createRecordDuplicateTriggerHandler(deps),
);
