import * as z from 'zod';
import type { Deps } from '../services/dependencies';
import { recordFailure, type RecordedFailure } from '../services/record-failure';
import { parseTaskInput, triggerSchema } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';

/**
 * The whole execution state as a Catch left it. Everything but the error is optional: the failure
 * may have happened before a trigger or a case existed.
 */
const input = z.looseObject({
  error: z.looseObject({ Error: z.string().optional(), Cause: z.string().optional() }),
  trigger: triggerSchema.optional(),
  case: z.looseObject({ caseId: z.string().optional() }).optional(),
  /** The raw EventBridge event's account (a failure in the very first state). */
  account: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
});

/** The failure path: failed case, evidence with the error, report, Slack. */
export function createRecordFailureHandler(deps: Deps): TaskHandler<RecordedFailure> {
  return async (event) => {
    const state = parseTaskInput(input, event, 'record-failure');
    const accountId = state.trigger?.accountId ?? state.accountId ?? state.account;
    return recordFailure(deps, {
      error: state.error,
      ...(state.case?.caseId ? { caseId: state.case.caseId } : {}),
      ...(state.trigger ? { trigger: state.trigger } : {}),
      ...(accountId ? { accountId } : {}),
    });
  };
}

export const handler = lambdaHandler('record-failure', ({ deps }) => createRecordFailureHandler(deps));
