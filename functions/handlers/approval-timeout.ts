import { handleApprovalTimeout, type ApprovalTimeoutResult } from '../services/approval-timeout';
import type { Deps } from '../services/dependencies';
import { caseInputSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';
import { awsNotifier } from './aws-ports/notifier';

/** The approval timed out: remind, escalate, or let the case expire. */
export function createApprovalTimeoutHandler(deps: Deps): TaskHandler<ApprovalTimeoutResult> {
  return async (event) => handleApprovalTimeout(deps, parseTaskInput(caseInputSchema, event, 'approval-timeout'));
}

export const handler = lambdaHandler(
  'approval-timeout',
  { cases: awsCases, evidence: awsEvidence, notifier: awsNotifier },
  ({ deps }) => createApprovalTimeoutHandler(deps),
);
