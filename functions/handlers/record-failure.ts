import * as z from '../core/zod-mini';
import type { Deps } from '../services/dependencies';
import { recordFailure, type RecordedFailure } from '../services/record-failure';
import { parseTaskInput, triggerSchema } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsReportingEvidence } from './aws-ports/reporting-evidence';
import { awsNotifier } from './aws-ports/notifier';

/**
 * The whole execution state as a Catch left it. Everything but the error is optional: the failure
 * may have happened before a trigger or a case existed.
 */
const input = z.looseObject({
  error: z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }),
  trigger: z.optional(triggerSchema),
  case: z.optional(z.looseObject({ caseId: z.optional(z.string()) })),
  /** The raw EventBridge event's account (a failure in the very first state). */
  account: z.optional(z.string().check(z.regex(/^\d{12}$/))),
  accountId: z.optional(z.string().check(z.regex(/^\d{12}$/))),
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

export const handler = lambdaHandler(
  'record-failure',
  { cases: awsCases, evidence: awsReportingEvidence, notifier: awsNotifier },
  ({ deps }) => createRecordFailureHandler(deps),
);
