import type { Deps } from '../services/dependencies';
import { deleteApprovedKeys } from '../services/remove-keys';
import { caseInputSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';
import { awsRemover } from './aws-ports/remover';

/** Deletes exactly the approved keys through AssumeRoot (KeysChangedError when they changed). */
export function createDeleteKeysHandler(deps: Deps): TaskHandler<{ caseId: string; deletedKeys: string[] }> {
  return async (event) => deleteApprovedKeys(deps, parseTaskInput(caseInputSchema, event, 'delete-keys').caseId);
}

export const handler = lambdaHandler(
  'delete-keys',
  { cases: awsCases, evidence: awsEvidence, remover: awsRemover },
  ({ deps }) => createDeleteKeysHandler(deps),
);
