import * as z from '../core/zod-mini';
import { detectForTrigger, type TriggerDetection } from '../services/detect-for-trigger';
import type { Deps } from '../services/dependencies';
import { parseTaskInput, triggerSchema } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsOrganization, awsReader } from './aws-ports/accounts';
import { awsCases } from './aws-ports/cases';

const input = z.looseObject({ trigger: triggerSchema });

/** Detect: the account's open case (duplicate trigger) or its root-key posture. */
export function createDetectRootKeysHandler(deps: Deps): TaskHandler<TriggerDetection> {
  return async (event) => detectForTrigger(deps, parseTaskInput(input, event, 'detect-root-keys').trigger);
}

export const handler = lambdaHandler(
  'detect-root-keys',
  { cases: awsCases, organization: awsOrganization, reader: awsReader },
  ({ deps }) => createDetectRootKeysHandler(deps),
);
