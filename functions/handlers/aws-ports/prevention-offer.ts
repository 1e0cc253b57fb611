import { PreventionOfferingNotifier } from '../../../slack-app/prevention-offer-notifier';
import { AwsOrganizationPolicies } from '../../adapters/aws/aws-organization-policies';
import { createOrganizationsClient } from '../../adapters/aws/organizations-client';
import type { NotifierPort } from '../../ports/notifier';
import type { Deps } from '../../services/dependencies';
import { logger } from '../lambda-handler';
import type { Env } from '../workflow-env';
import { awsNotifier } from './notifier';

/**
 * The record-outcome function's notifier in AWS: the Slack notifier plus the "Prevent recurrence…"
 * offer after a remediated outcome. The offer only reads (the SCP structure through Organizations,
 * the features, the account's root credentials through AssumeRoot with the audit task policy);
 * applying it is the Prevention state machine's job, whose function alone may write, so deleting
 * root credentials is offered without a remover here (`credentialDeletionAvailable`).
 */
export function awsPreventionOfferingNotifier(
  deps: Pick<Deps, 'cases' | 'evidence' | 'clock' | 'organization' | 'reader' | 'settings'>,
  env: Env,
): NotifierPort {
  return new PreventionOfferingNotifier(
    awsNotifier(env),
    {
      cases: deps.cases,
      evidence: deps.evidence,
      clock: deps.clock,
      organization: deps.organization,
      reader: deps.reader,
      policies: new AwsOrganizationPolicies(createOrganizationsClient()),
      credentialDeletionAvailable: true,
      ...(deps.settings.readRoleName ? { roleName: deps.settings.readRoleName } : {}),
    },
    (line) => logger.warn(line),
  );
}
