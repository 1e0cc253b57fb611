import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { buildPreventionOffer } from '../adapters/slack/blocks/prevention-message';
import { AwsOrganization } from '../adapters/aws/aws-organization';
import { AwsOrganizationPolicies } from '../adapters/aws/aws-organization-policies';
import { AwsRootKeyReader } from '../adapters/aws/aws-root-key-reader';
import { createIamClientFromCredentials } from '../adapters/aws/clients';
import { createAwsClients } from '../adapters/aws/organizations-client';
import type { SlackNotifierBase } from '../adapters/slack/slack-notifier-base';
import { describeError } from '../core/errors';
import * as z from '../core/zod-mini';
import { systemClock } from '../ports/clock';
import { offerPrevention, type PreventionDeps } from '../services/prevent-recurrence';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';
import { awsNotifier } from './aws-ports/notifier';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { optionalEnv } from './env';
import { WORKFLOW_ENV } from './workflow-env';

/** The Prevention state machine's offer task; not a TASK_IDS task (it belongs to its own state machine). */
export const OFFER_PREVENTION_TASK = 'offer-prevention';

const input = z.looseObject({ caseId: caseIdSchema });

/** What offering needs: prevention's read ports, and a way to post in the case's thread. */
export interface OfferPreventionDeps extends Omit<PreventionDeps, 'credentialsRemover'> {
  replies: Pick<SlackNotifierBase, 'reply'>;
}

/**
 * The Prevention state machine's offer step, started by record-outcome after a remediated outcome:
 * reads whether the account could get a root key again (SCP coverage, the centralized root access
 * features, its remaining root credentials), stores the offer on the case with `guardrail` evidence
 * and posts "Prevent recurrence…" in the thread. Reads only; errors propagate (with their names) so
 * that the state machine retries transient ones. A second run finds the offer stored and posts nothing.
 */
export function createOfferPreventionHandler(
  deps: OfferPreventionDeps,
): (event: unknown) => Promise<{ caseId: string; offered: boolean }> {
  return async (event) => {
    const { caseId } = parseTaskInput(input, event, OFFER_PREVENTION_TASK);
    const offered = await offerPrevention(deps, caseId);
    if (offered?.guardrail) await deps.replies.reply(offered, buildPreventionOffer(offered));
    return { caseId, offered: offered?.guardrail !== undefined };
  };
}

/**
 * The deployed dependencies: Organizations and IAM reads, AssumeRoot with the audit task policy (or
 * the read role) for the account's credentials. Deleting credentials is offered because the apply
 * step, another function, may do it (`credentialDeletionAvailable`).
 */
export function awsOfferPreventionDeps(env: NodeJS.ProcessEnv): OfferPreventionDeps {
  const { organizations, sts, iam } = createAwsClients();
  const roleName = optionalEnv(env, WORKFLOW_ENV.readRoleName);
  return {
    cases: awsCases(env),
    evidence: awsEvidence(env),
    clock: systemClock,
    organization: new AwsOrganization({ organizations, sts, iam }),
    reader: new AwsRootKeyReader({ sts, iam, iamFor: createIamClientFromCredentials }),
    policies: new AwsOrganizationPolicies(organizations),
    credentialDeletionAvailable: true,
    ...(roleName ? { roleName } : {}),
    replies: awsNotifier(env),
  };
}

const logger = new Logger({ serviceName: 'rootkey' });
let built: ((event: unknown) => Promise<{ caseId: string; offered: boolean }>) | undefined;

/** The Lambda entry of the offer step. Errors keep their `name` for the state machine's Retry. */
export async function handler(event: unknown, context: Context): Promise<{ caseId: string; offered: boolean }> {
  logger.addContext(context);
  logger.appendKeys({ task: OFFER_PREVENTION_TASK });
  try {
    built ??= createOfferPreventionHandler(awsOfferPreventionDeps(process.env));
    return await built(event);
  } catch (error) {
    const { name, message } = describeError(error);
    logger.error('Task failed', { errorName: name, errorMessage: message });
    throw error;
  }
}
