import * as z from '../core/zod-mini';
import type { Deps } from '../services/dependencies';
import { recordOutcome, type RecordedOutcome } from '../services/record-outcome';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsCases } from './aws-ports/cases';
import { awsReportingEvidence } from './aws-ports/reporting-evidence';
import { awsNotifier } from './aws-ports/notifier';
import { awsOrganization, awsReader } from './aws-ports/accounts';
import { awsPreventionOfferingNotifier } from './aws-ports/prevention-offer';

const input = z.looseObject({
  caseId: caseIdSchema,
  status: z.enum(['compliant', 'remediated', 'risk-accepted', 'rejected', 'expired']),
});

/** Closes the case: outcome evidence (last of the chain), report, final Slack message. */
export function createRecordOutcomeHandler(deps: Deps): TaskHandler<RecordedOutcome> {
  return async (event) => recordOutcome(deps, parseTaskInput(input, event, 'record-outcome'));
}

/**
 * In AWS the outcome message of a remediated case is followed by the "Prevent recurrence…" offer
 * (issue 17), as in the sandbox: the notifier is wrapped here, not in the factory, because the
 * sandbox and `rootkey serve` hand the local runner a notifier that already offers.
 */
export const handler = lambdaHandler(
  'record-outcome',
  {
    cases: awsCases,
    evidence: awsReportingEvidence,
    notifier: awsNotifier,
    organization: awsOrganization,
    reader: awsReader,
  },
  ({ deps }) => createRecordOutcomeHandler({ ...deps, notifier: awsPreventionOfferingNotifier(deps, process.env) }),
);
