import { Aws, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RETRY_BUDGETS, RETRY_ORDER, type RetryBudget } from '../../functions/core/retry-budget';
import type { TaskId } from '../../functions/handlers/task-ids';
import { acknowledge } from './acknowledge';
import { logicalIdOf } from './task-grants';

/**
 * Errors the workflow retries: the project's transient errors (AWS throttling and 5xx, Slack
 * outages, optimistic concurrency, a lost evidence append race) and Lambda's own service errors.
 * Everything else is a domain error and goes to the failure-evidence path at once.
 */
export const RETRIED_ERRORS: string[] = RETRY_ORDER.flatMap((cls) => [...RETRY_BUDGETS[cls].errors]);

/** State names other code refers to (the local runner, tests, the sandbox's diagram). */
export const REMEDIATION_STATES = {
  requestApproval: 'RequestApproval',
  awaitRunbookStep: 'AwaitRunbookStep',
  waitBeforeNextCheck: 'WaitBeforeNextCheck',
  scheduleRecheck: 'ScheduleRecheck',
  recordFailure: 'RecordFailure',
} as const;

export interface RemediationWorkflowProps {
  /** The Lambda function of each task. */
  functionFor: (task: TaskId) => lambda.IFunction;
  /** How long one approval request waits before the reminder ladder moves on. */
  approvalTimeout: Duration;
  /** How long one runbook step waits before a reminder. */
  runbookStepTimeout: Duration;
  /** The role EventBridge Scheduler assumes to start this workflow when an accepted risk expires. */
  recheckSchedulerRole: iam.IRole;
  /** The schedule group the one-time re-check schedules go to. */
  recheckScheduleGroupName: string;
  encryptionKey: kms.IKey;
  logRetention: logs.RetentionDays;
}

/**
 * The per-account remediation workflow: a Standard state machine in JSONPath (so that
 * `aws-local-stepfunctions` can run the very definition synthesized here), from the trigger to the
 * evidence. Every Task retries transient errors only and catches everything else into
 * `RecordFailure`; every path ends after an evidence record (outcome, duplicate, or failure).
 *
 * Retry budgets (functions/core/retry-budget.ts, docs/reliability.md "Retries and faults"): every task carries one
 * retrier per fault class, in this order — AWS (TransientAwsError: 2 s × 2ⁿ capped at 20 s, full
 * jitter, 400 retries, about 66 min), Slack (SlackUnavailableError: 5 s × 2ⁿ capped at 5 min, 36
 * retries, about 78 min), contention (ConcurrentUpdateError, EvidenceConflictError: 10 quick retries)
 * and Lambda service errors (20 retries up to 1 min apart). So the AWS reads (DetectRootKeys,
 * VerifyRemoval, the finding updates), the deletion, the Slack posts (RequestApproval, reminders,
 * ApplyDecision, runbook steps) and the evidence writes (OpenCase, the Close* outcomes) each outlast a
 * fault of the kind they meet for more than an hour; a fault that outlasts its budget fails the case
 * with evidence naming the budget (RecordFailure). DeleteKeys also retries its own timeout twice and
 * then verifies instead of failing: deleting is idempotent.
 */
export class RemediationWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RemediationWorkflowProps) {
    super(scope, id);
    const invoked = new Set<lambda.IFunction>();
    const functionFor = (task: TaskId): lambda.IFunction => {
      const fn = props.functionFor(task);
      invoked.add(fn);
      return fn;
    };
    const invoke = (
      stateName: string,
      task: TaskId,
      payload: Record<string, unknown> | 'state',
      resultPath: string,
      outputPath?: string,
    ) =>
      withRetry(
        new tasks.LambdaInvoke(this, stateName, {
          lambdaFunction: functionFor(task),
          payloadResponseOnly: true,
          retryOnServiceExceptions: false,
          // Without a payload the function receives the whole state (the failure path needs all of it).
          ...(payload === 'state' ? {} : { payload: sfn.TaskInput.fromObject(payload) }),
          resultPath,
          ...(outputPath ? { outputPath } : {}),
        }),
      );
    const waitFor = (
      stateName: string,
      task: TaskId,
      payload: Record<string, unknown>,
      timeout: Duration,
      resultPath: string,
    ) =>
      withRetry(
        new tasks.LambdaInvoke(this, stateName, {
          lambdaFunction: functionFor(task),
          integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
          retryOnServiceExceptions: false,
          payload: sfn.TaskInput.fromObject({ ...payload, token: sfn.JsonPath.taskToken }),
          taskTimeout: sfn.Timeout.duration(timeout),
          resultPath,
        }),
      );
    const caseId = { 'caseId.$': '$.case.caseId' };

    // ---- failure path: every Catch leads here -----------------------------------------------
    const recordFailure = invoke(REMEDIATION_STATES.recordFailure, 'record-failure', 'state', '$.failure');
    recordFailure.next(
      new sfn.Fail(this, 'Failed', {
        comment: 'The failure is in the case evidence, its report and the Slack thread.',
        errorPath: '$.error.Error',
        causePath: '$.error.Cause',
      }),
    );
    const catchAll = (state: tasks.LambdaInvoke | tasks.CallAwsService): void => {
      state.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    };

    // ---- intake ------------------------------------------------------------------------------
    // The intake replaces the raw event. (ResultPath "$" would too in AWS, but aws-local-stepfunctions
    // nests the result under a "$" key; ResultPath + OutputPath means the same in both.)
    const normalize = invoke('NormalizeTrigger', 'normalize-trigger', 'state', '$.intake', '$.intake');
    const detect = invoke('DetectRootKeys', 'detect-root-keys', { 'trigger.$': '$.trigger' }, '$.detection');
    const openCase = invoke(
      'OpenCase',
      'open-case',
      { 'trigger.$': '$.trigger', 'posture.$': '$.detection.posture' },
      '$.detection.opened',
    );
    // The posture (full key ids among it) lives on in the case; the execution keeps only the reference.
    const keepCaseReference = new sfn.Pass(this, 'KeepCaseReference', {
      parameters: { 'trigger.$': '$.trigger', 'case.$': '$.detection.opened' },
    });
    const useOpenCase = new sfn.Pass(this, 'UseOpenCase', {
      parameters: { 'trigger.$': '$.trigger', case: { 'caseId.$': '$.detection.openCaseId', duplicate: true } },
    });
    const recordDuplicate = invoke(
      'RecordDuplicateTrigger',
      'record-duplicate-trigger',
      { ...caseId, 'trigger.$': '$.trigger' },
      '$.duplicate',
    );
    recordDuplicate.next(
      new sfn.Succeed(this, 'DuplicateTrigger', { comment: 'The account has an open case; nothing new started.' }),
    );

    // ---- closing states ----------------------------------------------------------------------
    const outcome = (stateName: string, status: string | { path: string }, end: string, comment: string) => {
      const state = invoke(
        stateName,
        'record-outcome',
        { ...caseId, ...(typeof status === 'string' ? { status } : { 'status.$': status.path }) },
        '$.outcome',
      );
      state.next(new sfn.Succeed(this, end, { comment }));
      return state;
    };
    const finding = (stateName: string, status: 'RESOLVED' | 'SUPPRESSED') =>
      invoke(stateName, 'update-finding', { ...caseId, status }, '$.finding');

    const closeCompliant = outcome('CloseCompliant', 'compliant', 'Compliant', 'No root key: evidence recorded.');
    const resolveCompliant = finding('ResolveCompliantFinding', 'RESOLVED');
    resolveCompliant.next(closeCompliant);

    // ---- approval ----------------------------------------------------------------------------
    const requestApproval = waitFor(
      REMEDIATION_STATES.requestApproval,
      'request-approval',
      caseId,
      props.approvalTimeout,
      '$.decision',
    );
    const approvalTimedOut = invoke('ApprovalTimedOut', 'approval-timeout', caseId, '$.approvalTimeout');
    const closeExpired = outcome('CloseExpired', 'expired', 'Expired', 'Nobody decided; the request expired.');
    requestApproval.addCatch(approvalTimedOut, { errors: ['States.Timeout'], resultPath: '$.timedOut' });
    approvalTimedOut.next(
      new sfn.Choice(this, 'ApprovalExpired?')
        .when(sfn.Condition.stringEquals('$.approvalTimeout.next', 'expire'), closeExpired)
        .otherwise(requestApproval),
    );

    // ---- decision ----------------------------------------------------------------------------
    const applyDecision = invoke(
      'ApplyDecision',
      'apply-decision',
      { ...caseId, 'decision.$': '$.decision' },
      '$.applied',
    );
    const scheduleRecheck = withRetry(
      new tasks.CallAwsService(this, REMEDIATION_STATES.scheduleRecheck, {
        service: 'scheduler',
        action: 'createSchedule',
        parameters: {
          'Name.$': '$.applied.recheck.name',
          GroupName: props.recheckScheduleGroupName,
          'ScheduleExpression.$': '$.applied.recheck.expression',
          'ScheduleExpressionTimezone.$': '$.applied.recheck.timezone',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            'Arn.$': '$$.StateMachine.Id',
            RoleArn: props.recheckSchedulerRole.roleArn,
            'Input.$': 'States.JsonToString($.applied.recheck.input)',
          },
        },
        iamResources: [
          `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${props.recheckScheduleGroupName}/rootkey-recheck-*`,
        ],
        additionalIamStatements: [
          new iam.PolicyStatement({
            actions: ['iam:PassRole'],
            resources: [props.recheckSchedulerRole.roleArn],
            conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          }),
        ],
        resultSelector: { 'scheduleArn.$': '$.ScheduleArn' },
        resultPath: '$.recheckSchedule',
      }),
      ['Scheduler.ThrottlingException', 'Scheduler.InternalServerException'],
    );
    const closeException = outcome(
      'CloseException',
      { path: '$.applied.status' },
      'ExceptionRecorded',
      'Risk accepted or removal rejected: an exception with its evidence.',
    );
    const suppressFinding = finding('SuppressFinding', 'SUPPRESSED');
    suppressFinding.next(closeException);
    scheduleRecheck.next(suppressFinding);

    // ---- automated deletion ------------------------------------------------------------------
    const deleteKeys = invoke('DeleteKeys', 'delete-keys', caseId, '$.deletion');
    const keysChanged = invoke(
      'KeysChanged',
      'return-to-approval',
      { ...caseId, 'error.$': '$.keysChangedError' },
      '$.keysChanged',
    );
    // No check made yet: VerifyRemoval makes check `attempt + 1` (see below).
    const startVerification = new sfn.Pass(this, 'StartVerification', {
      result: sfn.Result.fromObject({ attempt: 0 }),
      resultPath: '$.verification',
    });

    // ---- guided runbook ----------------------------------------------------------------------
    const runbook = (stateName: string, reason: string) =>
      invoke(stateName, 'start-runbook', { ...caseId, reason }, '$.runbook');
    const startRunbook = runbook('StartRunbook', 'decision');
    const fallBackToRunbook = runbook('FallBackToRunbook', 'root-access-unavailable');
    const restartRunbook = runbook('RestartRunbook', 'key-still-present');
    const awaitStep = waitFor(
      REMEDIATION_STATES.awaitRunbookStep,
      'await-runbook-step',
      { ...caseId, 'stepId.$': '$.runbook.stepId', 'reminders.$': '$.runbook.reminders' },
      props.runbookStepTimeout,
      '$.step',
    );
    const recordStep = invoke(
      'RecordRunbookStep',
      'record-runbook-step',
      { ...caseId, 'stepId.$': '$.runbook.stepId', 'output.$': '$.step' },
      '$.runbook',
    );
    const stepTimedOut = invoke(
      'RunbookStepTimedOut',
      'runbook-timeout',
      { ...caseId, 'stepId.$': '$.runbook.stepId', 'reminders.$': '$.runbook.reminders' },
      '$.runbook',
    );
    awaitStep.addCatch(stepTimedOut, { errors: ['States.Timeout'], resultPath: '$.timedOut' });
    const runbookNext = new sfn.Choice(this, 'RunbookStepsLeft?')
      .when(sfn.Condition.stringEquals('$.runbook.next', 'verify'), startVerification)
      .otherwise(awaitStep);
    const abandoned = new sfn.Pass(this, 'RunbookAbandoned', {
      result: sfn.Result.fromObject({
        Error: 'RunbookAbandoned',
        Cause: 'No runbook step was confirmed after every reminder; the root access key may still exist.',
      }),
      resultPath: '$.error',
    }).next(recordFailure);
    stepTimedOut.next(
      new sfn.Choice(this, 'RunbookAbandoned?')
        .when(sfn.Condition.stringEquals('$.runbook.next', 'abandon'), abandoned)
        .otherwise(awaitStep),
    );
    startRunbook.next(runbookNext);
    fallBackToRunbook.next(runbookNext);
    restartRunbook.next(runbookNext);
    awaitStep.next(recordStep);
    recordStep.next(runbookNext);

    // A deletion that ran past its function timeout may have deleted the keys anyway (the AWS calls are
    // not cancelled with the function): retry it (approved keys already gone count as deleted), then
    // let verification decide instead of failing the case.
    deleteKeys.addRetry(retrierOf(RETRY_BUDGETS['lambda-timeout']));
    deleteKeys.addCatch(startVerification, {
      errors: [...RETRY_BUDGETS['lambda-timeout'].errors],
      resultPath: '$.deleteTimedOut',
    });
    deleteKeys.addCatch(keysChanged, { errors: ['KeysChangedError'], resultPath: '$.keysChangedError' });
    deleteKeys.addCatch(fallBackToRunbook, { errors: ['RootAccessUnavailableError'], resultPath: '$.deleteError' });
    deleteKeys.next(startVerification);
    keysChanged.next(
      new sfn.Choice(this, 'KeysLeft?')
        .when(sfn.Condition.stringEquals('$.keysChanged.next', 'approval'), requestApproval)
        .otherwise(startVerification),
    );

    // ---- verification (bounded polling) ------------------------------------------------------
    // Each check counts itself: its input is the previous check's output (`attempt` = the check it
    // made) or StartVerification's 0, so no Pass state between the wait and the next check (one
    // transition less per check). Intrinsic functions are allowed in a Task's Parameters
    // (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
    const verify = invoke(
      'VerifyRemoval',
      'verify-removal',
      { ...caseId, 'attempt.$': 'States.MathAdd($.verification.attempt, 1)' },
      '$.verification',
    );
    const waitBeforeNext = new sfn.Wait(this, REMEDIATION_STATES.waitBeforeNextCheck, {
      time: sfn.WaitTime.secondsPath('$.verification.waitSeconds'),
    });
    const closeRemediated = outcome('CloseRemediated', 'remediated', 'Remediated', 'The key is gone, verified.');
    const resolveFinding = finding('ResolveFinding', 'RESOLVED');
    resolveFinding.next(closeRemediated);
    startVerification.next(verify);
    verify.next(
      new sfn.Choice(this, 'KeyGone?')
        .when(sfn.Condition.booleanEquals('$.verification.gone', true), resolveFinding)
        .when(sfn.Condition.booleanEquals('$.verification.exhausted', true), restartRunbook)
        .otherwise(waitBeforeNext),
    );
    waitBeforeNext.next(verify);

    // ---- the main line -----------------------------------------------------------------------
    applyDecision.next(
      new sfn.Choice(this, 'WhichDecision?')
        .when(sfn.Condition.stringEquals('$.applied.action', 'delete'), deleteKeys)
        .when(sfn.Condition.stringEquals('$.applied.action', 'runbook'), startRunbook)
        .otherwise(
          new sfn.Choice(this, 'RecheckAtExpiry?')
            .when(sfn.Condition.isPresent('$.applied.recheck'), scheduleRecheck)
            .otherwise(suppressFinding),
        ),
    );
    requestApproval.next(applyDecision);

    const definition = normalize.next(
      new sfn.Choice(this, 'TriggerIgnored?')
        .when(
          sfn.Condition.booleanEquals('$.ignored', true),
          new sfn.Succeed(this, 'Ignored', { comment: 'Not a root key event; the reason is in the output.' }),
        )
        .otherwise(
          detect.next(
            new sfn.Choice(this, 'CaseAlreadyOpen?')
              .when(sfn.Condition.isPresent('$.detection.openCaseId'), useOpenCase.next(recordDuplicate))
              .otherwise(
                openCase
                  .next(keepCaseReference)
                  .next(
                    new sfn.Choice(this, 'CaseOpened?')
                      .when(sfn.Condition.booleanEquals('$.case.duplicate', true), recordDuplicate)
                      .when(sfn.Condition.booleanEquals('$.case.compliant', true), resolveCompliant)
                      .otherwise(requestApproval),
                  ),
              ),
          ),
        ),
    );

    for (const state of [
      normalize,
      detect,
      openCase,
      recordDuplicate,
      requestApproval,
      approvalTimedOut,
      applyDecision,
      scheduleRecheck,
      deleteKeys,
      keysChanged,
      startRunbook,
      fallBackToRunbook,
      restartRunbook,
      awaitStep,
      recordStep,
      stepTimedOut,
      verify,
    ]) {
      catchAll(state);
    }
    for (const state of [
      resolveCompliant,
      closeCompliant,
      closeExpired,
      suppressFinding,
      closeException,
      resolveFinding,
      closeRemediated,
    ]) {
      catchAll(state);
    }

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      // A physical name: CDK writes the KMS grant's `kms:EncryptionContext:aws:states:stateMachineArn`
      // condition from it, and without one the condition names `…:stateMachine:` (no name), which
      // never matches, so no execution could start.
      stateMachineName: stateMachineNameFor(this, 'remediation'),
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      comment: 'rootkey: one case per account, from the trigger to its evidence',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      tracingEnabled: true,
      // Execution data (postures, task tokens) stays out of the logs; the history keeps it encrypted.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(props.encryptionKey),
    });
    // The local runner finds each workflow in the template by this tag.
    Tags.of(this.stateMachine).add('rootkey:workflow', 'remediation');
    acknowledgeStateMachineGrants(this.stateMachine, [...invoked]);
    acknowledge(
      this.stateMachine.role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${props.recheckScheduleGroupName}/rootkey-recheck-*]`,
      'Each case gets its own one-time re-check schedule named after the case; the statement allows creating only rootkey-recheck-* schedules in the rootkey group.',
    );
  }
}

/**
 * The physical name of one of the stack's state machines (`<stack name>-<workflow>`): unique per
 * account and Region as the stack name is, and known at synthesis, so that the KMS permission of
 * its role can name the state machine's real ARN. Step Functions encrypts execution data with the
 * state machine's ARN as encryption context (`aws:states:stateMachineArn`).
 */
export function stateMachineNameFor(scope: Construct, workflow: string): string {
  return `${Stack.of(scope).stackName}-${workflow}`.slice(0, 80);
}

/** One Step Functions retrier from a budget of functions/core/retry-budget.ts. */
export function retrierOf(budget: RetryBudget, errors: readonly string[] = budget.errors): sfn.RetryProps {
  return {
    errors: [...errors],
    interval: Duration.seconds(budget.intervalSeconds),
    backoffRate: budget.backoffRate,
    maxAttempts: budget.maxAttempts,
    maxDelay: Duration.seconds(budget.maxDelaySeconds),
    jitterStrategy: budget.jitter === 'FULL' ? sfn.JitterType.FULL : sfn.JitterType.NONE,
  };
}

/**
 * Adds the retriers every task gets, one per fault class (RETRY_ORDER); `awsErrors` names further
 * AWS errors that the AWS budget covers (an SDK integration's own throttling and 5xx names).
 */
function withRetry<T extends tasks.LambdaInvoke | tasks.CallAwsService>(state: T, awsErrors: string[] = []): T {
  for (const cls of RETRY_ORDER) {
    const budget = RETRY_BUDGETS[cls];
    state.addRetry(retrierOf(budget, cls === 'aws' ? [...budget.errors, ...awsErrors] : budget.errors));
  }
  return state;
}

/** The acknowledgements every workflow state machine needs for what CDK grants its role. */
export function acknowledgeStateMachineGrants(machine: sfn.StateMachine, functions: lambda.IFunction[]): void {
  acknowledge(
    machine.role,
    'AwsSolutions-IAM5[Resource::*]',
    'X-Ray and CloudWatch Logs delivery actions of Step Functions do not support resource-level permissions.',
  );
  acknowledge(
    machine,
    'PCI.DSS.321-IAMNoInlinePolicy',
    'The state machine roles and their policies are generated for this state machine alone and list only the functions and actions its states use.',
  );
  for (const fn of functions) {
    acknowledge(
      machine.role,
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(fn)}.Arn>:*]`,
      'Step Functions may invoke any version or alias of this task function; the statement names this one function only.',
    );
  }
}
