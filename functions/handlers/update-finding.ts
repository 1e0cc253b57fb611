import * as z from 'zod';
import type { Deps } from '../services/dependencies';
import { updateFinding } from '../services/update-finding';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';

const input = z.looseObject({ caseId: caseIdSchema, status: z.enum(['NOTIFIED', 'RESOLVED', 'SUPPRESSED']) });

/** Sets the Security Hub workflow status of the account's IAM.4 finding (none → `updated: false`). */
export function createUpdateFindingHandler(deps: Deps): TaskHandler<{ updated: boolean }> {
  return async (event) => {
    const { caseId, status } = parseTaskInput(input, event, 'update-finding');
    return updateFinding(deps, caseId, status);
  };
}

export const handler = lambdaHandler('update-finding', ({ deps }) => createUpdateFindingHandler(deps));
