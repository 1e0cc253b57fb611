import * as z from 'zod';
import type { Deps } from '../services/dependencies';
import { returnToApproval, type KeysChangedResult } from '../services/return-to-approval';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';

const input = z.looseObject({
  caseId: caseIdSchema,
  error: z.looseObject({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

/** Keys changed since the approval: read again and ask again (or verify when none is left). */
export function createReturnToApprovalHandler(deps: Deps): TaskHandler<KeysChangedResult> {
  return async (event) => returnToApproval(deps, parseTaskInput(input, event, 'return-to-approval'));
}

export const handler = lambdaHandler('return-to-approval', ({ deps }) => createReturnToApprovalHandler(deps));
