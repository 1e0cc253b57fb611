import * as z from '../core/zod-mini';
import type { Deps } from '../services/dependencies';
import { recordOutcome, type RecordedOutcome } from '../services/record-outcome';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, logger, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsReportingEvidence } from './aws-ports/reporting-evidence';
import { awsNotifier } from './aws-ports/notifier';
import { withPreventionStart } from './aws-ports/prevention-start';

const input = z.looseObject({
  caseId: caseIdSchema,
  status: z.enum(['compliant', 'remediated', 'risk-accepted', 'rejected', 'expired']),
});

/** Closes the case: outcome evidence (last of the chain), report, final Slack message. */
export function createRecordOutcomeHandler(deps: Deps): TaskHandler<RecordedOutcome> {
  return async (event) => recordOutcome(deps, parseTaskInput(input, event, 'record-outcome'));
}

export const handler = lambdaHandler(
  'record-outcome',
  { cases: awsCases, evidence: awsReportingEvidence, notifier: awsNotifier },
  // In AWS a remediated outcome also starts the Prevention state machine's offer (issue 17); here and
  // not in the factory, because the sandbox and `rootkey serve` pass a notifier that offers in process.
  ({ deps }) =>
    createRecordOutcomeHandler({
      ...deps,
      notifier: withPreventionStart(deps.notifier, process.env, (line) => logger.warn(line)),
    }),
);
