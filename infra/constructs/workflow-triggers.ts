import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { ROOT_CREATE_ACCESS_KEY_PATTERN, SECURITY_HUB_IAM4_PATTERN } from './event-patterns';

export interface WorkflowTriggersProps {
  remediation: sfn.IStateMachine;
  sweep: sfn.IStateMachine;
  /** Organization whose accounts may put events on the central bus. */
  orgId: string;
  eventBusName: string;
  sweepSchedule: string;
  encryptionKey: kms.IKey;
}

/**
 * What starts the workflows: Security Hub IAM.4 findings (default bus of this account, the Security
 * Hub aggregation Region), root `CreateAccessKey` events forwarded by every member account to the
 * central bus, and the daily organization sweep. Undeliverable events land in an encrypted
 * dead-letter queue, which has an alarm.
 */
export class WorkflowTriggers extends Construct {
  readonly bus: events.EventBus;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: WorkflowTriggersProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      "This queue is itself the dead-letter queue of the trigger rules and of the Slack function's deferred clicks; its depth has an alarm.",
    );
    acknowledge(
      this.deadLetterQueue,
      'Serverless-SQSRedrivePolicy',
      "This queue is itself the dead-letter queue of the trigger rules and of the Slack function's deferred clicks; its depth has an alarm.",
    );

    this.bus = new events.EventBus(this, 'CentralBus', { eventBusName: props.eventBusName });
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationAccountsForwardRootKeyEvents',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': props.orgId } },
      }),
    );

    // CDK gives each target state machine's rules one role with states:StartExecution. No KMS although
    // the state machines are encrypted: StartExecution needs none of the caller (see CentralStack).
    const target = (machine: sfn.IStateMachine) =>
      new targets.SfnStateMachine(machine, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      });

    new events.Rule(this, 'SecurityHubIam4Findings', {
      description: 'rootkey: Security Hub IAM.4 (root access key) findings that FAILED start the workflow',
      eventPattern: SECURITY_HUB_IAM4_PATTERN,
      targets: [target(props.remediation)],
    });
    new events.Rule(this, 'RootCreateAccessKey', {
      description: 'rootkey: CreateAccessKey by the root user (forwarded from every account) starts the workflow',
      eventBus: this.bus,
      eventPattern: ROOT_CREATE_ACCESS_KEY_PATTERN,
      targets: [target(props.remediation)],
    });
    new events.Rule(this, 'DailySweep', {
      description: 'rootkey: the daily organization sweep',
      schedule: events.Schedule.expression(props.sweepSchedule),
      targets: [target(props.sweep)],
    });
  }
}
