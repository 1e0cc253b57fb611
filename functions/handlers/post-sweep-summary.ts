import * as z from '../core/zod-mini';
import type { Deps } from '../services/dependencies';
import { postSweepSummary, type SweepSummaryStep } from '../services/post-sweep-summary';
import { parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsNotifier } from './aws-ports/notifier';

const input = z.looseObject({
  // The sweep's execution ARN, as its Map hands it to every account's workflow.
  sweepId: z.string().check(z.minLength(1)).check(z.maxLength(2048)),
  accounts: z.int().check(z.nonnegative()),
  attempt: z.int().check(z.positive()),
});

/** The organization sweep's one Slack message, once every account has reported (bounded wait). */
export function createPostSweepSummaryHandler(deps: Deps): TaskHandler<SweepSummaryStep> {
  return async (event) => postSweepSummary(deps, parseTaskInput(input, event, 'post-sweep-summary'));
}

export const handler = lambdaHandler('post-sweep-summary', { cases: awsCases, notifier: awsNotifier }, ({ deps }) =>
  createPostSweepSummaryHandler(deps),
);
