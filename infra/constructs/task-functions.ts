import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TASK_IDS, type TaskId } from '../../functions/handlers/task-ids';
import { acknowledge } from './acknowledge';
import { viaServices } from './task-grants';
import { aliasEsbuildArgs } from './slack-bundling';

/** The repository root: entry files, `package-lock.json` and the esbuild project root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface FunctionDefaults {
  /** Environment shared by the functions: names, ARNs and settings only. */
  environment: Record<string, string>;
  logRetention: logs.RetentionDays;
  encryptionKey: kms.IKey;
}

/**
 * How every function is bundled (esbuild through `NodejsFunction`). Exported so that the tests and
 * the local runner (`local-runner/handler-bundles.ts`) bundle exactly what `cdk deploy` ships.
 * `keepNames` keeps class and function names through minification: Lambda reports a thrown error's
 * `name` as its `errorType`, and the state machine's Retry and Catch match on it.
 */
export const BUNDLING = {
  minify: true,
  keepNames: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  format: nodejs.OutputFormat.CJS,
  // The Node.js runtime ships AWS SDK v3; bundling it again would only add cold-start weight.
  externalModules: ['@aws-sdk/*'],
} as const satisfies nodejs.BundlingOptions;

/**
 * The esbuild build options equivalent to {@link BUNDLING}, as `NodejsFunction` passes them to
 * esbuild (`--bundle --platform=node` and one flag per option).
 */
export const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  minify: BUNDLING.minify,
  keepNames: BUNDLING.keepNames,
  sourcemap: BUNDLING.sourceMap,
  sourcesContent: BUNDLING.sourcesContent,
  target: BUNDLING.target,
  format: 'cjs',
  external: [...BUNDLING.externalModules],
} as const;

/** Tasks that read accounts (AssumeRoot, a role, the credential report) need more than the default 30 s. */
const LONG_TASKS: ReadonlySet<TaskId> = new Set([
  'detect-root-keys',
  'return-to-approval',
  'verify-removal',
  'delete-keys',
]);

/**
 * One Node.js Lambda function: ARM64, the newest Node.js runtime (24), minified with source maps, the AWS SDK
 * left to the runtime, X-Ray tracing, its own log group (KMS-encrypted, retained) and its own role
 * with no managed policy, so that each function gets exactly the grants its task needs.
 */
export function nodeFunction(
  scope: Construct,
  id: string,
  props: {
    entry: string;
    description: string;
    timeout: Duration;
    memorySize?: number;
    defaults: FunctionDefaults;
    task?: string;
    /** esbuild aliases for this function's bundle (the Slack function's, see slack-bundling.ts). */
    bundlingAliases?: Readonly<Record<string, string>>;
    /**
     * For a function that is also invoked asynchronously (the Slack app invokes itself): where Lambda
     * puts an event that failed its retries. Without one, the function is only invoked synchronously.
     */
    asyncInvocations?: { deadLetterQueue: sqs.IQueue; maxEventAge: Duration; retryAttempts: number };
  },
): nodejs.NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: props.defaults.logRetention,
    encryptionKey: props.defaults.encryptionKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `rootkey ${props.task ?? id}: only what this function needs`,
  });
  const fn = new nodejs.NodejsFunction(scope, id, {
    entry: props.entry,
    handler: 'handler',
    projectRoot: REPO_ROOT,
    depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? 512,
    timeout: props.timeout,
    description: props.description,
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    tracing: lambda.Tracing.ACTIVE,
    environment: {
      ...props.defaults.environment,
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'rootkey',
      POWERTOOLS_METRICS_NAMESPACE: 'RootKey',
      ...(props.task ? { ROOTKEY_TASK: props.task } : {}),
    },
    bundling: {
      ...BUNDLING,
      ...(props.bundlingAliases ? { esbuildArgs: aliasEsbuildArgs(props.bundlingAliases) } : {}),
    },
    ...(props.asyncInvocations
      ? {
          deadLetterQueue: props.asyncInvocations.deadLetterQueue,
          maxEventAge: props.asyncInvocations.maxEventAge,
          retryAttempts: props.asyncInvocations.retryAttempts,
        }
      : {}),
  });
  logGroup.grantWrite(role);
  const dlqKey = props.asyncInvocations?.deadLetterQueue.encryptionMasterKey;
  if (dlqKey) {
    // Lambda sends a failed event to the dead-letter queue with the function's role (CDK adds
    // sqs:SendMessage on the queue); an SSE-KMS queue also needs kms:GenerateDataKey and kms:Decrypt
    // from the sender (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html),
    // here only through SQS. Not `queue.grantSendMessages`: that grants `kms:GenerateDataKey*` and `kms:ReEncrypt*`.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DeadLetterQueueKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [dlqKey.keyArn],
        conditions: viaServices(scope, ['sqs']),
      }),
    );
  }
  acknowledge(
    role,
    'AwsSolutions-IAM5[Resource::*]',
    'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions, so active tracing needs Resource "*".',
  );
  acknowledge(
    role,
    'PCI.DSS.321-IAMNoInlinePolicy',
    'The role belongs to this one function and its policy lists exactly what the function calls; a managed policy would only create a reusable artifact that no other principal should use.',
  );
  if (props.asyncInvocations) {
    acknowledge(
      fn,
      'Serverless-LambdaAsyncFailureDestination',
      'Failed asynchronous invocations go to the dead-letter queue of the function (DeadLetterConfig), whose depth has an alarm; an on-failure destination as well would deliver every failed event twice.',
    );
  } else {
    acknowledge(
      fn,
      'Serverless-LambdaDLQ',
      'The function is invoked synchronously by Step Functions or API Gateway, which see every error; a dead-letter queue only applies to asynchronous invocations.',
    );
    acknowledge(
      fn,
      'PCI.DSS.321-LambdaDLQ',
      'The function is invoked synchronously by Step Functions or API Gateway, which see every error; a dead-letter queue only applies to asynchronous invocations.',
    );
  }
  acknowledge(
    fn,
    'PCI.DSS.321-LambdaInsideVPC',
    'The function only calls AWS and Slack APIs over TLS and stores no cardholder data; a VPC would add NAT or endpoint cost without reducing the attack surface.',
  );
  acknowledge(
    fn,
    'PCI.DSS.321-LambdaConcurrency',
    'Concurrency is bounded by the callers (the sweep Map concurrency, one execution per account, API Gateway throttling); reserving concurrency per function would fail in accounts with a low concurrency quota.',
  );
  return fn;
}

/**
 * The workflow's task functions, one per task id (`functions/handlers/<id>.ts`), each a thin
 * handler over the services. Grants are added per task by the stack.
 */
export class TaskFunctions extends Construct {
  private readonly functions = new Map<TaskId, nodejs.NodejsFunction>();

  constructor(scope: Construct, id: string, defaults: FunctionDefaults) {
    super(scope, id);
    for (const task of TASK_IDS) {
      const fn = nodeFunction(this, pascal(task), {
        entry: path.join(REPO_ROOT, 'functions', 'handlers', `${task}.ts`),
        description: `rootkey workflow task ${task}`,
        timeout: LONG_TASKS.has(task) ? Duration.minutes(2) : Duration.seconds(30),
        defaults,
        task,
      });
      this.functions.set(task, fn);
    }
  }

  /** The function of one task. */
  fn(task: TaskId): nodejs.NodejsFunction {
    const fn = this.functions.get(task);
    if (!fn) throw new Error(`No function for task ${task}`);
    return fn;
  }

  /** The role of one task's function (every function has its own). */
  role(task: TaskId): iam.IRole {
    const role = this.fn(task).role;
    if (!role) throw new Error(`The function of task ${task} has no role`);
    return role;
  }

  /** Adds a statement to the given tasks' roles. */
  allow(tasks: readonly TaskId[], statement: iam.PolicyStatement): void {
    for (const task of tasks) this.role(task).addToPrincipalPolicy(statement);
  }
}

function pascal(id: string): string {
  return id
    .split('-')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
