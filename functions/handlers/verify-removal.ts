import * as z from 'zod';
import type { Deps } from '../services/dependencies';
import { verifyRemoval, type VerificationResult } from '../services/verify-removal';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';

const input = z.looseObject({ caseId: caseIdSchema, attempt: z.number().int().min(1) });

/** One verification attempt through the audit path; the state machine polls with its waits. */
export function createVerifyRemovalHandler(deps: Deps): TaskHandler<VerificationResult> {
  return async (event) => {
    const { caseId, attempt } = parseTaskInput(input, event, 'verify-removal');
    return verifyRemoval(deps, caseId, attempt);
  };
}

export const handler = lambdaHandler('verify-removal', ({ deps }) => createVerifyRemovalHandler(deps));
