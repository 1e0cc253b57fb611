import * as z from '../core/zod-mini';
import type { AccountPosture } from '../core/account-posture';
import type { Deps } from '../services/dependencies';
import { openCaseForTrigger, type OpenedCase } from '../services/open-case';
import { accountIdSchema, parseTaskInput, triggerSchema } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';

/** The posture comes from the detect state of the same execution; its shape is checked where it matters. */
const postureSchema = z.looseObject({
  account: z.looseObject({ id: accountIdSchema, name: z.string(), isManagement: z.boolean() }),
  status: z.enum(['COMPLIANT', 'NON_COMPLIANT']),
  keys: z.array(z.looseObject({ maskedId: z.string(), status: z.enum(['Active', 'Inactive']) })),
  reason: z.string(),
  removalPaths: z.array(z.string()),
  checkedAt: z.string(),
});
const input = z.looseObject({ trigger: triggerSchema, posture: postureSchema });

/** Open case: one per account; a duplicate answers with the open one. */
export function createOpenCaseHandler(deps: Deps): TaskHandler<OpenedCase> {
  return async (event) => {
    const { trigger, posture } = parseTaskInput(input, event, 'open-case');
    return openCaseForTrigger(deps, { trigger, posture: posture as unknown as AccountPosture });
  };
}

export const handler = lambdaHandler('open-case', { cases: awsCases, evidence: awsEvidence }, ({ deps }) =>
  createOpenCaseHandler(deps),
);
