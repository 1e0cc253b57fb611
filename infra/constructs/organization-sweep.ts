import { Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { logicalIdOf } from './task-grants';
import { acknowledgeStateMachineGrants, RETRIED_ERRORS, stateMachineNameFor } from './remediation-workflow';

/** State names other code refers to. */
export const SWEEP_STATES = {
  listAccounts: 'ListAccounts',
  forEachAccount: 'StartAccountWorkflows',
  startAccountWorkflow: 'StartAccountWorkflow',
} as const;

export interface OrganizationSweepProps {
  listAccounts: lambda.IFunction;
  /** The per-account workflow each account gets an execution of. */
  remediation: sfn.IStateMachine;
  /** Executions started at a time. */
  maxConcurrency: number;
  /**
   * `distributed`: a Distributed Map (child executions, no 25,000-event history limit on large
   * organizations) — what AWS runs. `inline`: an inline Map with the same item processor, which
   * `aws-local-stepfunctions` can execute (it has no Distributed Map: no child executions, no
   * `ProcessorConfig`). The app synthesizes `inline` only for the local runner.
   */
  mapMode: 'distributed' | 'inline';
  encryptionKey: kms.IKey;
  logRetention: logs.RetentionDays;
}

/**
 * The organization sweep: lists the accounts and starts one per-account workflow for each,
 * fire-and-forget (`states:startExecution`): a case may wait days for its approval, and the sweep
 * must not wait for it. A failed start is recorded per item and never stops the sweep.
 */
export class OrganizationSweep extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: OrganizationSweepProps) {
    super(scope, id);
    const listAccounts = new tasks.LambdaInvoke(this, SWEEP_STATES.listAccounts, {
      lambdaFunction: props.listAccounts,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.sweep',
    });
    listAccounts.addRetry({
      errors: RETRIED_ERRORS,
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      jitterStrategy: sfn.JitterType.FULL,
    });

    const start = new tasks.StepFunctionsStartExecution(this, SWEEP_STATES.startAccountWorkflow, {
      stateMachine: props.remediation,
      integrationPattern: sfn.IntegrationPattern.REQUEST_RESPONSE,
      input: sfn.TaskInput.fromJsonPathAt('$'),
      resultSelector: { 'executionArn.$': '$.ExecutionArn' },
    });
    start.addRetry({
      errors: [
        'StepFunctions.ExecutionLimitExceeded',
        'StepFunctions.SdkClientException',
        'StepFunctions.AWSStepFunctionsException',
      ],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 6,
      jitterStrategy: sfn.JitterType.FULL,
    });
    const startFailed = new sfn.Pass(this, 'StartFailed', {
      parameters: { 'accountId.$': '$.accountId', 'error.$': '$.error' },
    });
    start.addCatch(startFailed, { errors: ['States.ALL'], resultPath: '$.error' });

    const itemSelector = {
      'source.$': '$$.Map.Item.Value.source',
      'accountId.$': '$$.Map.Item.Value.accountId',
      'detectedAt.$': '$$.Map.Item.Value.detectedAt',
      'sweepExecutionId.$': '$$.Execution.Id',
      // What the list already knows, so that each account's detection reads only the account itself.
      known: { 'account.$': '$$.Map.Item.Value.account', 'features.$': '$.sweep.features' },
    };
    const forEach =
      props.mapMode === 'distributed'
        ? new sfn.DistributedMap(this, SWEEP_STATES.forEachAccount, {
            itemsPath: '$.sweep.items',
            itemSelector,
            maxConcurrency: props.maxConcurrency,
            mapExecutionType: sfn.StateMachineType.EXPRESS,
            resultPath: sfn.JsonPath.DISCARD,
          })
        : new sfn.Map(this, SWEEP_STATES.forEachAccount, {
            itemsPath: '$.sweep.items',
            itemSelector,
            maxConcurrency: props.maxConcurrency,
            resultPath: '$.started',
          });
    forEach.itemProcessor(start);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      // Named, so that the KMS grant's encryption-context condition names the real ARN.
      stateMachineName: stateMachineNameFor(this, 'sweep'),
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      comment: 'rootkey: one remediation workflow per account of the organization',
      definitionBody: sfn.DefinitionBody.fromChainable(
        listAccounts.next(forEach).next(new sfn.Succeed(this, 'SweepStarted')),
      ),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(props.encryptionKey),
    });
    // The local runner finds each workflow in the template by this tag.
    Tags.of(this.stateMachine).add('rootkey:workflow', 'sweep');
    acknowledgeStateMachineGrants(this.stateMachine, [props.listAccounts]);
    if (props.mapMode === 'distributed') {
      // The Distributed Map's own policy lets the sweep start, describe and stop its child executions.
      const stack = Stack.of(this);
      const self = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalIdOf(this.stateMachine)}"}]}]}`;
      const executions = `arn:${stack.partition}:states:${stack.region}:${stack.account}:execution:${self}`;
      for (const resource of [`${executions}:*`, `${executions}/*:*`]) {
        acknowledge(
          this.stateMachine,
          `AwsSolutions-IAM5[Resource::${resource}]`,
          'A Distributed Map manages its own child executions, whose names are generated; the statement is limited to executions of this state machine.',
        );
      }
    }
  }
}
