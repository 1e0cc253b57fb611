import * as z from '../core/zod-mini';
import type { WorkflowCallbacksPort } from '../ports/workflow-callbacks';
import type { Deps } from '../services/dependencies';
import { requestApproval, type ApprovalRequestResult } from '../services/request-approval';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCallbacks } from './aws-ports/callbacks';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';
import { awsFindings } from './aws-ports/findings';
import { awsNotifier } from './aws-ports/notifier';

const input = z.looseObject({ caseId: caseIdSchema, token: z.string().check(z.minLength(1)) });

/**
 * The approval task (`waitForTaskToken`): stores the token, posts the request once. When approvers
 * decided while the previous token expired, the stored decision completes this task at once.
 */
export function createRequestApprovalHandler(
  deps: Deps,
  callbacks: WorkflowCallbacksPort,
): TaskHandler<ApprovalRequestResult> {
  return async (event) => {
    const { caseId, token } = parseTaskInput(input, event, 'request-approval');
    const result = await requestApproval(deps, { caseId, token });
    if (result.outcome === 'already-decided') await callbacks.sendTaskSuccess(token, result.decision);
    return result;
  };
}

export const handler = lambdaHandler(
  'request-approval',
  { cases: awsCases, evidence: awsEvidence, notifier: awsNotifier, findings: awsFindings, callbacks: awsCallbacks },
  ({ deps, callbacks }) => createRequestApprovalHandler(deps, callbacks),
);
