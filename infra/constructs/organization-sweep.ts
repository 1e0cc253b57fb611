import { Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { WORKFLOW_ENV } from '../../functions/core/shared-names';
import { logicalIdOf, viaServices } from './task-grants';
import { acknowledgeStateMachineGrants, RETRIED_ERRORS, stateMachineNameFor } from './remediation-workflow';
import { SWEEP_SUMMARY_WAIT_SECONDS } from '../../functions/core/sweep-summary';

/** State names other code refers to. */
export const SWEEP_STATES = {
  listAccounts: 'ListAccounts',
  forEachAccount: 'StartAccountWorkflows',
  startAccountWorkflow: 'StartAccountWorkflow',
  postSummary: 'PostSweepSummary',
  waitForReports: 'WaitForAccountReports',
} as const;

export interface OrganizationSweepProps {
  listAccounts: lambda.Function;
  /** Posts the sweep's one Slack summary once the accounts have reported (`post-sweep-summary`). */
  postSummary: lambda.IFunction;
  /** The per-account workflow each account gets an execution of. */
  remediation: sfn.IStateMachine;
  /** Executions started at a time. */
  maxConcurrency: number;
  encryptionKey: kms.IKey;
  /** Where the sweep-list bucket's server access logs go. */
  accessLogs: s3.IBucket;
  logRetention: logs.RetentionDays;
}

/** Key prefixes in the sweep-list bucket: the lists the list step writes, the Map's results. */
export const SWEEP_LIST_PREFIX = 'sweeps/';
export const SWEEP_RESULTS_PREFIX = 'results';
/** Days a sweep list (and a sweep's results) is kept: long enough to look into a sweep, no longer. */
export const SWEEP_LIST_EXPIRY_DAYS = 7;

/**
 * The organization sweep: lists the accounts and starts one per-account workflow for each,
 * fire-and-forget (`states:startExecution`): a case may wait days for its approval, and the sweep
 * must not wait for it. A failed start is recorded per item and never stops the sweep.
 *
 * The list of accounts never travels in the state's payload (256 KiB at most: about 2,900
 * accounts): the list step writes it to the sweep-list bucket as one JSON array and returns
 * where; the Distributed Map reads it with an `ItemReader` (`s3:getObject`, `InputType: JSON`) and
 * exports its results with a `ResultWriter`, so neither its input nor its output grows with the
 * organization (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html). The local
 * runner runs this same definition: it reads the list from its local store (`LocalWorkflow`).
 *
 * After the Map, one Slack summary (accounts, compliant, cases opened, errors). Its counts must be
 * true, and the Map cannot know them: its children only start the per-account workflows, whose
 * detection happens later, in their own executions. So each per-account workflow reports what it
 * found (open-case: compliant or case opened; record-duplicate-trigger: case already open;
 * record-failure: error) on its sweep's tally in the case table, once per account, and the summary
 * step (`post-sweep-summary`) looks at that tally every {@link SWEEP_SUMMARY_WAIT_SECONDS} seconds
 * until every listed account has reported or the bounded wait is over, then posts it; accounts that
 * never reported (a start that failed) are shown as not reported. Chosen over detecting inside the
 * Map item (design "a" of issue 16) because that would either drop the compliant accounts' evidence
 * and finding resolution, which the per-account workflow records, or read every account twice.
 * The payload stays bounded: the tally is four counts. A failure to post (Slack down after its
 * retries) ends the sweep as posted-nothing, never as failed: the sweep's work is done by then.
 */
export class OrganizationSweep extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The sweep lists and the Map's results: SSE-KMS, TLS only, expired after a week. */
  readonly lists: s3.Bucket;

  constructor(scope: Construct, id: string, props: OrganizationSweepProps) {
    super(scope, id);
    this.lists = new s3.Bucket(this, 'Lists', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(SWEEP_LIST_EXPIRY_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'sweep-lists/',
      // Retained like the other buckets (CloudFormation cannot delete a bucket with objects); its
      // lifecycle empties it within a week of the last sweep.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.lists,
      'PCI.DSS.321-S3BucketReplicationEnabled',
      'Sweep lists are working copies of the organization account list, rebuilt by every sweep and expired after a week; replicating them to another Region would add nothing.',
    );
    const listAccounts = new tasks.LambdaInvoke(this, SWEEP_STATES.listAccounts, {
      lambdaFunction: props.listAccounts,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.sweep',
    });
    props.listAccounts.addEnvironment(WORKFLOW_ENV.sweepListBucket, this.lists.bucketName);
    const listRole = props.listAccounts.role!;
    listRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteSweepLists',
        actions: ['s3:PutObject'],
        resources: [this.lists.arnForObjects(`${SWEEP_LIST_PREFIX}*`)],
      }),
    );
    // An upload to an SSE-KMS bucket needs kms:GenerateDataKey on its key (a download kms:Decrypt):
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
    listRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptSweepLists',
        actions: ['kms:GenerateDataKey'],
        resources: [props.encryptionKey.keyArn],
        conditions: viaServices(this, ['s3']),
      }),
    );
    acknowledge(
      listRole,
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.lists)}.Arn>/${SWEEP_LIST_PREFIX}*]`,
      'Each sweep writes its list of accounts under a generated key; the statement allows PutObject under the lists prefix of the sweep-list bucket only.',
    );
    listAccounts.addRetry({
      errors: RETRIED_ERRORS,
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      jitterStrategy: sfn.JitterType.FULL,
    });

    // CDK grants the sweep's role states:StartExecution on the remediation state machine; no KMS for the
    // remediation's data although it is encrypted: StartExecution needs none of the caller (see CentralStack).
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
    const forEach = new sfn.DistributedMap(this, SWEEP_STATES.forEachAccount, {
      // Bucket and key as the list step returns them; the role may read this bucket's lists only.
      itemReader: new sfn.S3JsonItemReader({
        bucketNamePath: sfn.JsonPath.stringAt('$.sweep.list.bucket'),
        key: sfn.JsonPath.stringAt('$.sweep.list.key'),
      }),
      resultWriterV2: new sfn.ResultWriterV2({ bucket: this.lists, prefix: SWEEP_RESULTS_PREFIX }),
      itemSelector,
      maxConcurrency: props.maxConcurrency,
      mapExecutionType: sfn.StateMachineType.EXPRESS,
      resultPath: sfn.JsonPath.DISCARD,
    });
    forEach.itemProcessor(start);

    const firstLook = new sfn.Pass(this, 'StartSummary', {
      result: sfn.Result.fromObject({ attempt: 1 }),
      resultPath: '$.summary',
    });
    const postSummary = new tasks.LambdaInvoke(this, SWEEP_STATES.postSummary, {
      lambdaFunction: props.postSummary,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        'sweepId.$': '$$.Execution.Id',
        'accounts.$': '$.sweep.count',
        'attempt.$': '$.summary.attempt',
      }),
      resultPath: '$.summary',
    });
    postSummary.addRetry({
      errors: RETRIED_ERRORS,
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.minutes(2),
      jitterStrategy: sfn.JitterType.FULL,
    });
    const notPosted = new sfn.Succeed(this, 'SummaryNotPosted', {
      comment: 'The accounts were swept; only the summary message failed (the error is in the state).',
    });
    postSummary.addCatch(notPosted, { errors: ['States.ALL'], resultPath: '$.summaryError' });
    const waitForReports = new sfn.Wait(this, SWEEP_STATES.waitForReports, {
      time: sfn.WaitTime.duration(Duration.seconds(SWEEP_SUMMARY_WAIT_SECONDS)),
    });
    waitForReports.next(postSummary);
    const posted = new sfn.Choice(this, 'SummaryPosted?')
      .when(sfn.Condition.booleanEquals('$.summary.posted', true), new sfn.Succeed(this, 'SweepDone'))
      .otherwise(waitForReports);

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
        listAccounts.next(forEach).next(firstLook).next(postSummary).next(posted),
      ),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(props.encryptionKey),
    });
    // The local runner finds each workflow in the template by this tag.
    Tags.of(this.stateMachine).add('rootkey:workflow', 'sweep');
    acknowledgeStateMachineGrants(this.stateMachine, [props.listAccounts, props.postSummary]);
    this.grantListsToStateMachine(props.encryptionKey);
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

  /**
   * The `ItemReader` reads the list (s3:GetObject, the lists prefix only; CDK adds no statement for a
   * reader whose bucket is a path) and the `ResultWriter` writes the results (CDK's statement on the
   * results prefix). Both go through S3 with the bucket's KMS key, so the role may decrypt and
   * generate data keys with it, only via S3 (`kms:ViaService`,
   * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
   */
  private grantListsToStateMachine(key: kms.IKey): void {
    const role = this.stateMachine.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSweepLists',
        actions: ['s3:GetObject'],
        resources: [this.lists.arnForObjects(`${SWEEP_LIST_PREFIX}*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'UseSweepListKeyViaS3',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [key.keyArn],
        conditions: viaServices(this, ['s3']),
      }),
    );
    const lists = logicalIdOf(this.lists);
    acknowledge(
      this.stateMachine,
      `AwsSolutions-IAM5[Resource::<${lists}.Arn>/${SWEEP_LIST_PREFIX}*]`,
      'The ItemReader reads the list of the running sweep, whose key is generated per sweep; the statement allows GetObject under the lists prefix of the sweep-list bucket only.',
    );
    acknowledge(
      this.stateMachine,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<${lists}>/*]`,
      'The ResultWriter writes the Map run results (a manifest and result files with generated names) and CDK scopes its statement to the sweep-list bucket, which holds nothing but sweep lists and results and expires them after a week.',
    );
  }
}
