import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnWorkflowStarter } from '../../adapters/aws/sfn-workflow-starter';
import type { Case } from '../../core/case';
import { describeError } from '../../core/errors';
import type { NotifierPort } from '../../ports/notifier';
import { ForwardingNotifier } from '../../services/forwarding-notifier';
import type { WorkflowStarterPort } from '../../ports/workflow-callbacks';
import { PREVENTION_WORKFLOW_ENV } from '../../core/shared-names';
import { optionalEnv } from '../env';
import type { Env } from '../workflow-env';

/**
 * The record-outcome function's notifier in AWS: after the outcome message of a remediated case it
 * starts the Prevention state machine with `{"caseId","step":"offer"}`, which reads SCP coverage and
 * the account's root credentials and posts "Prevent recurrence…" in the thread. The read walks the
 * organization, so it runs there (its own function, timeout and retries), not in record-outcome.
 * A failed start is logged, never thrown: the case has ended, and prevention must not change how.
 * The execution is named after the case, so a retried outcome does not offer twice.
 */
export class PreventionStartingNotifier extends ForwardingNotifier {
  constructor(
    inner: NotifierPort,
    private readonly starter: WorkflowStarterPort,
    private readonly log: (line: string) => void,
  ) {
    super(inner);
  }

  override async outcome(c: Case, evidence: { digest: string; reportLocation?: string }): Promise<void> {
    await this.inner.outcome(c, evidence);
    if (c.status !== 'remediated') return;
    try {
      await this.starter.startCaseWorkflow({ caseId: c.caseId, step: 'offer' }, `offer-${c.caseId}`);
    } catch (error) {
      const { name, message } = describeError(error);
      this.log(`Starting the prevention offer for ${c.caseId} failed: ${name}: ${message}`);
    }
  }
}

/** Wraps the notifier when `PREVENTION_WORKFLOW_ARN` is set; the notifier itself otherwise. */
export function withPreventionStart(inner: NotifierPort, env: Env, log: (line: string) => void): NotifierPort {
  const arn = optionalEnv(env, PREVENTION_WORKFLOW_ENV);
  return arn ? new PreventionStartingNotifier(inner, new SfnWorkflowStarter(new SFNClient({}), arn), log) : inner;
}
