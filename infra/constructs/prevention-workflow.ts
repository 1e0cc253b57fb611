import { Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RETRY_BUDGETS, RETRY_ORDER } from '../../functions/core/retry-budget';
import { acknowledgeStateMachineGrants, retrierOf, stateMachineNameFor } from './remediation-workflow';

/** State names other code refers to (tests, the local run). */
export const PREVENTION_STATES = {
  step: 'OfferOrApply',
  offer: 'OfferPrevention',
  offered: 'PreventionOffered',
  apply: 'ApplyPrevention',
  recordFailure: 'RecordPreventionFailure',
  failed: 'PreventionFailed',
  done: 'PreventionDone',
} as const;

export interface PreventionWorkflowProps {
  /** The function that reads coverage and posts the offer (`functions/handlers/offer-prevention.ts`): reads only. */
  offerFunction: lambda.IFunction;
  /** The function that applies an approved offer (`functions/handlers/apply-prevention.ts`). */
  applyFunction: lambda.IFunction;
  encryptionKey: kms.IKey;
  logRetention: logs.RetentionDays;
}

/**
 * "Prevent recurrence…" in AWS: a short Standard state machine with two entries. record-outcome
 * starts it after a remediated outcome with `{"caseId","step":"offer"}`: `OfferPrevention` reads
 * SCP coverage and the account's root credentials (its function may only read) and posts the offer
 * in the case's thread. The Slack function starts it once the approvers approved the offer
 * (`{"caseId"}`): `ApplyPrevention` applies it (create and attach
 * rootkey's SCP, or delete the remaining root credentials through AssumeRoot), records `guardrail`
 * evidence and replies in the case's thread. It retries the workflow's transient error classes with
 * the same budgets as the remediation workflow (RETRY_ORDER); anything else, or a budget spent, is
 * caught into the same function with `$.error`, which records the failure and replies, and the
 * execution fails so that the state machine alarm sees it. A failure the task recorded itself (a
 * refusal such as the policy quota) also ends in `PreventionFailed`.
 *
 * Its own state machine, not states of the remediation workflow: the case has ended when the offer
 * is approved (hours or days later), and only this function holds Organizations write permissions.
 */
export class PreventionWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: PreventionWorkflowProps) {
    super(scope, id);
    const retried = <T extends tasks.LambdaInvoke>(state: T): T => {
      for (const cls of RETRY_ORDER) state.addRetry(retrierOf(RETRY_BUDGETS[cls]));
      return state;
    };
    const apply = retried(
      new tasks.LambdaInvoke(this, PREVENTION_STATES.apply, {
        lambdaFunction: props.applyFunction,
        payload: sfn.TaskInput.fromObject({ 'caseId.$': '$.caseId' }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath: '$.result',
      }),
    );
    const recordFailure = retried(
      new tasks.LambdaInvoke(this, PREVENTION_STATES.recordFailure, {
        lambdaFunction: props.applyFunction,
        payload: sfn.TaskInput.fromObject({ 'caseId.$': '$.caseId', 'error.$': '$.error' }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath: '$.result',
      }),
    );
    const offer = retried(
      new tasks.LambdaInvoke(this, PREVENTION_STATES.offer, {
        lambdaFunction: props.offerFunction,
        payload: sfn.TaskInput.fromObject({ 'caseId.$': '$.caseId' }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath: '$.result',
      }),
    );
    offer.next(new sfn.Succeed(this, PREVENTION_STATES.offered));
    const failed = new sfn.Fail(this, PREVENTION_STATES.failed, {
      error: 'PreventionFailed',
      cause: 'Applying the prevention offer failed; the case evidence and its Slack thread say why.',
    });
    apply.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    recordFailure.next(failed);
    const outcome = new sfn.Choice(this, 'PreventionApplied?')
      .when(sfn.Condition.stringEquals('$.result.status', 'failed'), failed)
      .otherwise(new sfn.Succeed(this, PREVENTION_STATES.done));

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      // Named, so that the KMS grant's `kms:EncryptionContext:aws:states:stateMachineArn` condition
      // names the real ARN (without a name it names `…:stateMachine:`, and no execution could start).
      stateMachineName: stateMachineNameFor(this, 'prevention'),
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      comment: 'rootkey: apply an approved "Prevent recurrence" offer (SCP, root credentials)',
      definitionBody: sfn.DefinitionBody.fromChainable(
        new sfn.Choice(this, PREVENTION_STATES.step)
          .when(
            sfn.Condition.and(sfn.Condition.isPresent('$.step'), sfn.Condition.stringEquals('$.step', 'offer')),
            offer,
          )
          .otherwise(apply.next(outcome)),
      ),
      timeout: Duration.hours(6),
      tracingEnabled: true,
      // Execution data (case ids, errors) stays out of the logs; the history keeps it encrypted.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(props.encryptionKey),
    });
    // The local runner and the tests find each workflow in the template by this tag.
    Tags.of(this.stateMachine).add('rootkey:workflow', 'prevention');
    acknowledgeStateMachineGrants(this.stateMachine, [props.offerFunction, props.applyFunction]);
  }
}
