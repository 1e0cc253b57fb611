import * as z from '../core/zod-mini';
import { applyDecision, type AppliedDecision } from '../services/apply-decision';
import type { Deps } from '../services/dependencies';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';
import { awsNotifier } from './aws-ports/notifier';

const input = z.looseObject({ caseId: caseIdSchema, decision: z.unknown() });

/** Applies the approvers' decision (the approval task's output) to the case. */
export function createApplyDecisionHandler(deps: Deps): TaskHandler<AppliedDecision> {
  return async (event) => {
    const { caseId, decision } = parseTaskInput(input, event, 'apply-decision');
    return applyDecision(deps, { caseId, decision });
  };
}

export const handler = lambdaHandler(
  'apply-decision',
  { cases: awsCases, evidence: awsEvidence, notifier: awsNotifier },
  ({ deps }) => createApplyDecisionHandler(deps),
);
