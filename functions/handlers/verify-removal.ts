import * as z from '../core/zod-mini';
import type { Deps } from '../services/dependencies';
import { verifyRemoval, type VerificationResult } from '../services/verify-removal';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsOrganization, awsReader } from './aws-ports/accounts';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';

const input = z.looseObject({ caseId: caseIdSchema, attempt: z.int().check(z.gte(1)) });

/** One verification attempt through the audit path; the state machine polls with its waits. */
export function createVerifyRemovalHandler(deps: Deps): TaskHandler<VerificationResult> {
  return async (event) => {
    const { caseId, attempt } = parseTaskInput(input, event, 'verify-removal');
    return verifyRemoval(deps, caseId, attempt);
  };
}

export const handler = lambdaHandler(
  'verify-removal',
  { cases: awsCases, evidence: awsEvidence, organization: awsOrganization, reader: awsReader },
  ({ deps }) => createVerifyRemovalHandler(deps),
);
