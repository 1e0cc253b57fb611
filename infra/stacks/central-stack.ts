import * as path from 'node:path';
import { Annotations, Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { PREVENTION_WORKFLOW_ENV, SLACK_FUNCTION_ENV, WORKFLOW_ENV } from '../../functions/core/shared-names';
import type { FindingWorkflowStatus } from '../../functions/core/finding-notes';
import type { TaskId } from '../../functions/handlers/task-ids';
import { placeholdersIn, type RootKeyConfig } from '../config';
import { acknowledge } from '../constructs/acknowledge';
import { CaseTable } from '../constructs/case-table';
import { EncryptionKeys } from '../constructs/encryption-keys';
import { EvidenceStorage } from '../constructs/evidence-storage';
import { findingUpdateStatements } from '../constructs/finding-grants';
import { OrganizationSweep } from '../constructs/organization-sweep';
import { PreventionWorkflow } from '../constructs/prevention-workflow';
import { preventionStatements } from '../constructs/prevention-grants';
import { RemediationWorkflow } from '../constructs/remediation-workflow';
import { SlackEndpoint } from '../constructs/slack-endpoint';
import { SLACK_BUNDLE_ALIASES } from '../constructs/slack-bundling';
import { TaskGrants } from '../constructs/task-grants';
import { nodeFunction, REPO_ROOT, TaskFunctions } from '../constructs/task-functions';
import { WorkflowAlarms } from '../constructs/workflow-alarms';
import { WorkflowTriggers } from '../constructs/workflow-triggers';

/** AWS managed task policies of `sts:AssumeRoot` (centralized root access). */
export const AUDIT_TASK_POLICY = 'IAMAuditRootUserCredentials';
export const DELETE_TASK_POLICY = 'IAMDeleteRootUserCredentials';

/** The Prevention state machine's task entry (not a TASK_IDS task: it has its own state machine). */
export const APPLY_PREVENTION_ENTRY = path.join(REPO_ROOT, 'functions', 'handlers', 'apply-prevention.ts');
export const OFFER_PREVENTION_ENTRY = path.join(REPO_ROOT, 'functions', 'handlers', 'offer-prevention.ts');

/** The Slack Bolt app's Lambda entry. */
export const SLACK_HANDLER_ENTRY = path.join(REPO_ROOT, 'slack-app', 'lambda-handler.ts');

export interface CentralStackProps extends StackProps {
  config: RootKeyConfig;
}

/** Which tasks need which access; each function gets exactly its own row (least privilege). */
const NEEDS = {
  readCases: ['detect-root-keys', 'post-sweep-summary'],
  /** The tasks that report an account's outcome to the sweep that started it (`reportToSweep`). */
  sweepReports: ['open-case', 'record-duplicate-trigger', 'record-failure'],
  writeCases: [
    'open-case',
    'record-duplicate-trigger',
    'request-approval',
    'approval-timeout',
    'apply-decision',
    'return-to-approval',
    'delete-keys',
    'verify-removal',
    'start-runbook',
    'await-runbook-step',
    'record-runbook-step',
    'runbook-timeout',
    'update-finding',
    'record-outcome',
    'record-failure',
  ],
  evidence: [
    'open-case',
    'record-duplicate-trigger',
    'request-approval',
    'approval-timeout',
    'apply-decision',
    'return-to-approval',
    'delete-keys',
    'verify-removal',
    'start-runbook',
    'record-runbook-step',
    'runbook-timeout',
    'update-finding',
    'record-outcome',
    'record-failure',
  ],
  slack: [
    'post-sweep-summary',
    'request-approval',
    'approval-timeout',
    'apply-decision',
    'return-to-approval',
    'start-runbook',
    'await-runbook-step',
    'record-runbook-step',
    'runbook-timeout',
    'record-outcome',
    'record-failure',
  ],
  findings: ['request-approval', 'update-finding'],
  organization: ['detect-root-keys', 'return-to-approval', 'verify-removal', 'list-sweep-accounts'],
  auditRoot: ['detect-root-keys', 'return-to-approval', 'verify-removal'],
  deleteRoot: ['delete-keys'],
} satisfies Record<string, TaskId[]>;

/** The finding workflow statuses each task of `NEEDS.findings` sets (see `findingUpdateStatements`). */
const FINDING_STATUSES = {
  'request-approval': ['NOTIFIED'],
  'update-finding': ['RESOLVED', 'SUPPRESSED'],
} satisfies Record<(typeof NEEDS.findings)[number], FindingWorkflowStatus[]>;

/**
 * The central stack, deployed in the IAM delegated-administrator (security tooling) account in the
 * Security Hub aggregation Region: the per-account remediation workflow and the organization sweep,
 * their task functions, the case table, the evidence bucket, the KMS keys, the Slack secret and
 * endpoint, the triggers and the alarms.
 */
export class CentralStack extends Stack {
  readonly remediation: RemediationWorkflow;
  readonly sweep: OrganizationSweep;
  readonly functions: TaskFunctions;
  readonly prevention: PreventionWorkflow;

  constructor(scope: Construct, id: string, props: CentralStackProps) {
    super(scope, id, props);
    const { config } = props;
    for (const key of placeholdersIn(config)) {
      Annotations.of(this).addWarningV2(
        `rootkey:placeholder:${key}`,
        `${key} still has its placeholder value: set it (cdk.json context or -c) before deploying.`,
      );
    }
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const keys = new EncryptionKeys(this, 'Keys');
    const cases = new CaseTable(this, 'Cases', { encryptionKey: keys.dataKey });
    const evidence = new EvidenceStorage(this, 'Evidence', {
      encryptionKey: keys.dataKey,
      retentionYears: config.evidenceRetentionYears,
    });
    const slackSecret = new secretsmanager.Secret(this, 'SlackSecret', {
      description: 'rootkey Slack app: JSON {"botToken": "xoxb-…", "signingSecret": "…"}; set it after deploying',
      encryptionKey: keys.dataKey,
    });
    acknowledge(
      slackSecret,
      'AwsSolutions-SMG4',
      'The bot token and signing secret are issued by Slack and can only be rotated in Slack, so Secrets Manager cannot rotate them.',
    );

    const environment: Record<string, string> = {
      [WORKFLOW_ENV.casesTable]: cases.table.tableName,
      [WORKFLOW_ENV.evidenceBucket]: evidence.bucket.bucketName,
      [WORKFLOW_ENV.evidenceKmsKey]: keys.dataKey.keyArn,
      [WORKFLOW_ENV.signingKey]: keys.signingKey.keyArn,
      [WORKFLOW_ENV.slackSecretArn]: slackSecret.secretArn,
      [WORKFLOW_ENV.securityHubRegion]: Aws.REGION,
      [WORKFLOW_ENV.readRoleName]: config.readRoleName,
      [WORKFLOW_ENV.requiredApprovals]: String(config.requiredApprovals),
      [WORKFLOW_ENV.maxReminders]: String(config.maxReminders),
      SLACK_CHANNEL: config.slackChannel,
      ...(config.approvers.length ? { SLACK_APPROVERS: config.approvers.join(',') } : {}),
      ...(config.approverGroup ? { SLACK_APPROVER_GROUP: config.approverGroup } : {}),
      ...(config.escalationMention ? { SLACK_ESCALATION_MENTION: config.escalationMention } : {}),
    };
    const defaults = { environment, logRetention, encryptionKey: keys.dataKey };
    this.functions = new TaskFunctions(this, 'Tasks', defaults);
    const fns = this.functions;

    // ---- least-privilege grants per task ----------------------------------------------------
    const grants = new TaskGrants({
      table: cases.table,
      bucket: evidence.bucket,
      dataKey: keys.dataKey,
      signingKey: keys.signingKey,
      slackSecret,
    });
    for (const task of NEEDS.readCases) grants.cases(fns.role(task), false);
    for (const task of NEEDS.sweepReports) grants.sweepReports(fns.role(task));
    for (const task of NEEDS.writeCases) grants.cases(fns.role(task), true);
    for (const task of NEEDS.evidence) grants.evidence(fns.role(task));
    for (const task of NEEDS.slack) grants.slackSecret(fns.role(task));
    // Each task may set only the workflow statuses it sets (request-approval: NOTIFIED; update-finding:
    // the ResolveFinding and SuppressFinding states), with a rootkey note, and no other field.
    for (const [task, statuses] of Object.entries(FINDING_STATUSES) as [TaskId, FindingWorkflowStatus[]][]) {
      for (const statement of findingUpdateStatements(statuses)) fns.allow([task], statement);
    }
    fns.allow(
      NEEDS.organization,
      new iam.PolicyStatement({
        sid: 'ReadTheOrganization',
        actions: [
          'organizations:DescribeOrganization',
          'organizations:ListAccounts',
          'organizations:DescribeAccount',
          'iam:ListOrganizationsFeatures',
          'iam:ListAccountAliases',
        ],
        resources: ['*'],
      }),
    );
    const inOrg = { StringEquals: { 'aws:ResourceOrgID': config.orgId } };
    const rootOf = `arn:${Aws.PARTITION}:iam::*:root`;
    const taskPolicy = (name: string) => `arn:${Aws.PARTITION}:iam::aws:policy/root-task/${name}`;
    fns.allow(
      NEEDS.auditRoot,
      new iam.PolicyStatement({
        sid: 'AuditRootCredentialsOfOrganizationAccounts',
        actions: ['sts:AssumeRoot'],
        resources: [rootOf],
        conditions: { StringEquals: { ...inOrg.StringEquals, 'sts:TaskPolicyArn': taskPolicy(AUDIT_TASK_POLICY) } },
      }),
    );
    fns.allow(
      NEEDS.deleteRoot,
      new iam.PolicyStatement({
        sid: 'DeleteRootCredentialsOfOrganizationAccounts',
        actions: ['sts:AssumeRoot'],
        resources: [rootOf],
        conditions: { StringEquals: { ...inOrg.StringEquals, 'sts:TaskPolicyArn': taskPolicy(DELETE_TASK_POLICY) } },
      }),
    );
    fns.allow(
      NEEDS.auditRoot,
      new iam.PolicyStatement({
        sid: 'AssumeTheReadRoleWhereAssumeRootCannotReach',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${config.readRoleName}`],
        conditions: inOrg,
      }),
    );
    fns.allow(
      NEEDS.auditRoot,
      new iam.PolicyStatement({
        sid: 'ReadThisAccountsOwnRootKeySignals',
        actions: ['iam:GetAccountSummary', 'iam:GenerateCredentialReport', 'iam:GetCredentialReport'],
        resources: ['*'],
      }),
    );
    for (const task of [...NEEDS.organization, ...NEEDS.auditRoot] as TaskId[]) {
      acknowledge(
        fns.role(task),
        'AwsSolutions-IAM5[Resource::*]',
        'Organizations listing, iam:ListOrganizationsFeatures, X-Ray and the account-level IAM reads (GetAccountSummary, the credential report) have no resource-level permissions.',
      );
    }
    for (const task of [...NEEDS.auditRoot, ...NEEDS.deleteRoot] as TaskId[]) {
      acknowledge(
        fns.role(task),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:root]',
        'AssumeRoot targets any member account of the organization: the statement is limited by aws:ResourceOrgID to this organization and by sts:TaskPolicyArn to the one task policy the function uses.',
      );
    }
    for (const task of NEEDS.auditRoot) {
      acknowledge(
        fns.role(task),
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${config.readRoleName}]`,
        'The read-only role exists in every account AssumeRoot cannot reach; the statement names only that role and is limited by aws:ResourceOrgID to this organization.',
      );
    }
    // ---- workflows ---------------------------------------------------------------------------
    // The three state machines encrypt their data with the data key (CustomerManagedEncryptionConfiguration);
    // CDK lets each one's execution role use it under `kms:EncryptionContext:aws:states:stateMachineArn` =
    // its own ARN. Their callers below (the recheck scheduler, the approval callbacks, record-outcome, the
    // Slack function; the trigger rules' and the sweep's roles in their constructs) get Step Functions
    // permissions only, and no KMS for those state machines: in the developer guide's table of "Required
    // permissions for API callers", StartExecution, SendTaskSuccess, SendTaskFailure, StopExecution and
    // RedriveExecution require nothing of the caller ("--"); only the APIs that return encrypted data do
    // (DescribeExecution, GetExecutionHistory, DescribeStateMachine[ForExecution], StartSyncExecution:
    // kms:Decrypt) (https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html#using-api-with-encryption-required-permissions).
    // test/unit/infra/state-machine-callers.test.ts holds every caller in the template to that table.
    const recheckGroup = new scheduler.CfnScheduleGroup(this, 'RecheckSchedules', { name: 'rootkey-rechecks' });
    const recheckRole = new iam.Role(this, 'RecheckSchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'rootkey: EventBridge Scheduler starts the workflow when an accepted risk expires',
    });
    this.remediation = new RemediationWorkflow(this, 'Remediation', {
      functionFor: (task) => fns.fn(task),
      approvalTimeout: Duration.hours(config.approvalTimeoutHours),
      runbookStepTimeout: Duration.hours(config.runbookStepTimeoutHours),
      recheckSchedulerRole: recheckRole,
      recheckScheduleGroupName: recheckGroup.name!,
      encryptionKey: keys.dataKey,
      logRetention,
    });
    this.remediation.node.addDependency(recheckGroup);
    this.remediation.stateMachine.grantStartExecution(recheckRole);
    acknowledge(
      recheckRole,
      'PCI.DSS.321-IAMNoInlinePolicy',
      'The role exists only for EventBridge Scheduler to start this workflow; its policy names that one state machine.',
    );
    // A separate policy (not the function role's default policy): the state machine refers to the
    // function and the function's role would refer to the state machine, a cycle otherwise.
    const callbacks = new iam.Policy(this, 'ApprovalTaskCallbacks', { roles: [fns.role('request-approval')] });
    acknowledge(
      callbacks,
      'PCI.DSS.321-IAMNoInlinePolicy',
      'This policy belongs to the approval task function alone and allows only answering tasks of this workflow.',
    );
    callbacks.addStatements(
      new iam.PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        resources: [this.remediation.stateMachine.stateMachineArn],
      }),
    );

    this.sweep = new OrganizationSweep(this, 'Sweep', {
      listAccounts: fns.fn('list-sweep-accounts'),
      postSummary: fns.fn('post-sweep-summary'),
      remediation: this.remediation.stateMachine,
      maxConcurrency: config.sweepConcurrency,
      encryptionKey: keys.dataKey,
      accessLogs: evidence.accessLogs,
      logRetention,
    });

    // ---- "Prevent recurrence…" (issue 17) ---------------------------------------------------------
    // record-outcome starts the Prevention state machine after a remediated outcome; its offer step
    // (Organizations and IAM reads, audit AssumeRoot) posts the offer; after approval in Slack its
    // apply step, the only function with Organizations write permissions, applies it.
    const scp = preventionStatements({
      partition: Aws.PARTITION,
      orgId: config.orgId,
      managementAccountId: config.managementAccountId,
      deleteTaskPolicyArn: taskPolicy(DELETE_TASK_POLICY),
    });
    const preventionFunction = (id: string, entry: string, task: string, description: string) => {
      const fn = nodeFunction(this, id, { entry, description, timeout: Duration.minutes(2), defaults, task });
      const role = fn.role!;
      grants.cases(role, true);
      grants.evidence(role);
      grants.slackSecret(role);
      for (const statement of scp.readCoverage) role.addToPrincipalPolicy(statement);
      return { fn, role };
    };
    const offer = preventionFunction(
      'OfferPrevention',
      OFFER_PREVENTION_ENTRY,
      'offer-prevention',
      'rootkey prevention: read SCP coverage and root credentials, post the offer',
    );
    offer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AuditRootCredentialsOfOrganizationAccounts',
        actions: ['sts:AssumeRoot'],
        resources: [rootOf],
        conditions: { StringEquals: { ...inOrg.StringEquals, 'sts:TaskPolicyArn': taskPolicy(AUDIT_TASK_POLICY) } },
      }),
    );
    offer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeTheReadRoleWhereAssumeRootCannotReach',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${config.readRoleName}`],
        conditions: inOrg,
      }),
    );
    scp.acknowledge(offer.role, 'audit', config.readRoleName);
    const apply = preventionFunction(
      'ApplyPrevention',
      APPLY_PREVENTION_ENTRY,
      'apply-prevention',
      'rootkey prevention: attach the rootkey SCP or delete remaining root credentials',
    );
    for (const statement of scp.apply) apply.role.addToPrincipalPolicy(statement);
    scp.acknowledge(apply.role, 'delete');
    this.prevention = new PreventionWorkflow(this, 'Prevention', {
      offerFunction: offer.fn,
      applyFunction: apply.fn,
      encryptionKey: keys.dataKey,
      logRetention,
    });
    fns.fn('record-outcome').addEnvironment(PREVENTION_WORKFLOW_ENV, this.prevention.stateMachine.stateMachineArn);
    this.prevention.stateMachine.grantStartExecution(fns.role('record-outcome'));

    const triggers = new WorkflowTriggers(this, 'Triggers', {
      remediation: this.remediation.stateMachine,
      sweep: this.sweep.stateMachine,
      orgId: config.orgId,
      eventBusName: config.eventBusName,
      sweepSchedule: config.sweepSchedule,
      encryptionKey: keys.dataKey,
    });
    const alarms = new WorkflowAlarms(this, 'Alarms', {
      stateMachines: [
        { name: 'Remediation', machine: this.remediation.stateMachine },
        { name: 'Sweep', machine: this.sweep.stateMachine },
        { name: 'Prevention', machine: this.prevention.stateMachine },
      ],
      deadLetterQueue: triggers.deadLetterQueue,
      encryptionKey: keys.dataKey,
      ...(config.alarmEmail ? { email: config.alarmEmail } : {}),
    });

    // ---- Slack -------------------------------------------------------------------------------
    const slackFn = nodeFunction(this, 'SlackApp', {
      entry: SLACK_HANDLER_ENTRY,
      bundlingAliases: SLACK_BUNDLE_ALIASES,
      description: 'rootkey Slack app (Bolt): approvals, runbook steps, /rootkey',
      timeout: Duration.seconds(30),
      defaults: {
        ...defaults,
        environment: {
          ...environment,
          [SLACK_FUNCTION_ENV.caseWorkflowArn]: this.remediation.stateMachine.stateMachineArn,
          [SLACK_FUNCTION_ENV.preventionWorkflowArn]: this.prevention.stateMachine.stateMachineArn,
        },
      },
      // Ack first (slack-app/deferred-requests.ts): a vote is answered at once and run by an
      // asynchronous invocation of this same function, whose Bolt app checks Slack's signature again
      // (five-minute window). Lambda retries a failed one twice; what still fails, or has waited four
      // minutes, lands in the dead-letter queue, whose depth alarms.
      asyncInvocations: {
        deadLetterQueue: triggers.deadLetterQueue,
        maxEventAge: Duration.minutes(4),
        retryAttempts: 2,
      },
    });
    const slackRole = slackFn.role!;
    // lambda:InvokeFunction on itself, in a policy of its own: in the role's default policy (which the
    // function depends on) the function's ARN would make a dependency cycle.
    const selfInvoke = new iam.Policy(this, 'SlackAppInvokesItself', {
      roles: [slackRole],
      statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [slackFn.functionArn] })],
    });
    acknowledge(
      selfInvoke,
      'PCI.DSS.321-IAMNoInlinePolicy',
      'The policy belongs to the Slack function alone and allows exactly one action on that one function (invoking itself asynchronously); a managed policy would be a reusable artifact no other principal should use.',
    );
    grants.cases(slackRole, true);
    grants.evidence(slackRole);
    grants.slackSecret(slackRole);
    this.remediation.stateMachine.grantTaskResponse(slackRole);
    this.remediation.stateMachine.grantStartExecution(slackRole);
    // An approved offer starts the Prevention state machine; the Slack function itself never gets
    // Organizations permissions (states:StartExecution on that one state machine only).
    this.prevention.stateMachine.grantStartExecution(slackRole);
    const endpoint = new SlackEndpoint(this, 'Slack', {
      handler: slackFn,
      rateLimit: config.slackRateLimit,
      burstLimit: config.slackBurstLimit,
      encryptionKey: keys.dataKey,
      logRetention,
      setAccountCloudWatchRole: config.apiGatewayCloudWatchRole,
    });
    new CfnOutput(this, 'SlackRequestUrl', {
      description: 'Request URL for Event Subscriptions, Interactivity and the /rootkey command',
      value: endpoint.api.urlForPath('/slack/events'),
    });

    new CfnOutput(this, 'RemediationStateMachineArn', { value: this.remediation.stateMachine.stateMachineArn });
    new CfnOutput(this, 'SweepStateMachineArn', { value: this.sweep.stateMachine.stateMachineArn });
    new CfnOutput(this, 'PreventionStateMachineArn', { value: this.prevention.stateMachine.stateMachineArn });
    new CfnOutput(this, 'CentralEventBusArn', { value: triggers.bus.eventBusArn });
    new CfnOutput(this, 'EvidenceBucketName', { value: evidence.bucket.bucketName });
    new CfnOutput(this, 'SlackSecretArn', { value: slackSecret.secretArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
  }
}
