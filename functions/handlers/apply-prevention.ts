import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { buildPreventionResult } from '../adapters/slack/blocks/prevention-message';
import { AwsOrganization } from '../adapters/aws/aws-organization';
import { AwsOrganizationPolicies } from '../adapters/aws/aws-organization-policies';
import { AwsRootCredentialsRemover } from '../adapters/aws/aws-root-credentials-remover';
import { createStsClient } from '../adapters/aws/clients';
import { createAwsClients } from '../adapters/aws/organizations-client';
import type { SlackNotifierBase } from '../adapters/slack/slack-notifier-base';
import type { Case } from '../core/case';
import { describeError } from '../core/errors';
import { retryClassOf } from '../core/retry-budget';
import * as z from '../core/zod-mini';
import { systemClock } from '../ports/clock';
import type { RootKeyReaderPort } from '../ports/root-key-reader';
import { applyApprovedPrevention, recordPreventionFailure, type PreventionDeps } from '../services/prevent-recurrence';
import { awsCases } from './aws-ports/cases';
import { awsEvidence } from './aws-ports/evidence';
import { awsNotifier } from './aws-ports/notifier';
import { caseIdSchema, parseTaskInput } from './handler-input';
import { unwiredPort } from './task-ports';

/** The Prevention state machine's one task; not a TASK_IDS task (it belongs to its own state machine). */
export const APPLY_PREVENTION_TASK = 'apply-prevention';

const input = z.looseObject({
  caseId: caseIdSchema,
  /** Set by the state machine's Catch (`ResultPath: $.error`) once retries are spent or on a domain error. */
  error: z.optional(z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

/** What applying needs: prevention's ports, and a way to reply in the case's thread. */
export interface ApplyPreventionDeps extends PreventionDeps {
  replies: Pick<SlackNotifierBase, 'reply'>;
}

export interface AppliedPreventionOutput {
  caseId: string;
  /** The offer's status after this run (`applied`, `failed`, or what it already was). */
  status: string;
}

/**
 * The Prevention state machine's task: applies an approved "Prevent recurrence…" offer (attach
 * rootkey's SCP, delete remaining root credentials), records `guardrail` evidence and replies in
 * the case's thread with what changed. Transient errors (the workflow's retry classes) are thrown
 * unrecorded so that the state machine retries them; with `error` (the Catch path) it records the
 * failure and replies. An offer already applied or failed is only reported again (a retry after
 * the reply failed), never applied twice.
 */
export function createApplyPreventionHandler(
  deps: ApplyPreventionDeps,
): (event: unknown) => Promise<AppliedPreventionOutput> {
  return async (event) => {
    const { caseId, error } = parseTaskInput(input, event, APPLY_PREVENTION_TASK);
    let c: Case;
    if (error) {
      c = await recordPreventionFailure(deps, caseId, {
        name: error.Error ?? 'Error',
        message: causeMessage(error.Cause),
      });
    } else {
      c = (await applyApprovedPrevention(deps, caseId, (e) => retryClassOf(describeError(e).name) !== undefined)).case;
    }
    const status = c.guardrail?.status ?? 'none';
    if (status === 'applied' || status === 'failed') await deps.replies.reply(c, buildPreventionResult(c));
    return { caseId, status };
  };
}

/** Lambda's error Cause is JSON (`{"errorType","errorMessage",…}`); the message is what people read. */
function causeMessage(cause: string | undefined): string {
  if (!cause) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: the cause is the message.
  }
  return cause;
}

/**
 * The deployed dependencies: Organizations (policies, features) and a Regional STS client for
 * AssumeRoot with IAMDeleteRootUserCredentials; cases, evidence and Slack as the workflow's tasks
 * have them. It never reads root keys, so the reader is not wired.
 */
export function awsApplyPreventionDeps(env: NodeJS.ProcessEnv): ApplyPreventionDeps {
  const { organizations, sts, iam } = createAwsClients();
  return {
    cases: awsCases(env),
    evidence: awsEvidence(env),
    clock: systemClock,
    organization: new AwsOrganization({ organizations, sts, iam }),
    reader: unwiredPort<RootKeyReaderPort>('reader', APPLY_PREVENTION_TASK),
    policies: new AwsOrganizationPolicies(organizations),
    credentialsRemover: new AwsRootCredentialsRemover({ sts: createStsClient() }),
    replies: awsNotifier(env),
  };
}

const logger = new Logger({ serviceName: 'rootkey' });
let built: ((event: unknown) => Promise<AppliedPreventionOutput>) | undefined;

/** The Lambda entry of the Prevention state machine's task. Errors keep their `name` for Retry/Catch. */
export async function handler(event: unknown, context: Context): Promise<AppliedPreventionOutput> {
  logger.addContext(context);
  logger.appendKeys({ task: APPLY_PREVENTION_TASK });
  try {
    built ??= createApplyPreventionHandler(awsApplyPreventionDeps(process.env));
    return await built(event);
  } catch (error) {
    const { name, message } = describeError(error);
    logger.error('Task failed', { errorName: name, errorMessage: message });
    throw error;
  }
}
