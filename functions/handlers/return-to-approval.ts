import * as z from '../core/zod-mini';
import type { Deps } from '../services/dependencies';
import { returnToApproval, type KeysChangedResult } from '../services/return-to-approval';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsOrganization, awsReader } from './aws-ports/accounts';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';
import { awsNotifier } from './aws-ports/notifier';

const input = z.looseObject({
  caseId: caseIdSchema,
  error: z.optional(z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

/** Keys changed since the approval: read again and ask again (or verify when none is left). */
export function createReturnToApprovalHandler(deps: Deps): TaskHandler<KeysChangedResult> {
  return async (event) => returnToApproval(deps, parseTaskInput(input, event, 'return-to-approval'));
}

export const handler = lambdaHandler(
  'return-to-approval',
  { cases: awsCases, evidence: awsEvidence, notifier: awsNotifier, organization: awsOrganization, reader: awsReader },
  ({ deps }) => createReturnToApprovalHandler(deps),
);
