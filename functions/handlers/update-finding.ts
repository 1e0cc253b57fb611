import * as z from '../core/zod-mini';
import type { Deps } from '../services/dependencies';
import { updateFinding } from '../services/update-finding';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';
import { awsFindings } from './aws-ports/findings';

const input = z.looseObject({ caseId: caseIdSchema, status: z.enum(['NOTIFIED', 'RESOLVED', 'SUPPRESSED']) });

/** Sets the Security Hub workflow status of the account's IAM.4 finding (none → `updated: false`). */
export function createUpdateFindingHandler(deps: Deps): TaskHandler<{ updated: boolean }> {
  return async (event) => {
    const { caseId, status } = parseTaskInput(input, event, 'update-finding');
    return updateFinding(deps, caseId, status);
  };
}

export const handler = lambdaHandler(
  'update-finding',
  { cases: awsCases, evidence: awsEvidence, findings: awsFindings },
  ({ deps }) => createUpdateFindingHandler(deps),
);
