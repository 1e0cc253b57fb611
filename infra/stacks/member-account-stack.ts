import { Aws, CfnRule, DefaultStackSynthesizer, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../constructs/acknowledge';
import { ROOT_CREATE_ACCESS_KEY_PATTERN } from '../constructs/event-patterns';

export interface MemberAccountStackProps extends StackProps {
  /** ARN of the central event bus (`CentralEventBusArn` output of the central stack). */
  centralEventBusArn: string;
}

/**
 * Deployed to every account of the organization through a service-managed StackSet, in us-east-1
 * only: IAM is a global service whose CloudTrail events reach EventBridge in us-east-1. It forwards
 * the root user's `CreateAccessKey` calls to the central bus, where they start the workflow within
 * seconds instead of waiting for Security Hub's next check. No assets and no bootstrap version rule,
 * so that the template works as a StackSet template as it is.
 */
export class MemberAccountStack extends Stack {
  constructor(scope: Construct, id: string, props: MemberAccountStackProps) {
    super(scope, id, {
      ...props,
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    new CfnRule(this, 'OnlyInUsEast1', {
      assertions: [
        {
          assert: Fn.conditionEquals(Aws.REGION, 'us-east-1'),
          assertDescription: 'IAM CloudTrail events reach EventBridge only in us-east-1: deploy this stack there.',
        },
      ],
    });
    const central = events.EventBus.fromEventBusArn(this, 'CentralBus', props.centralEventBusArn);
    const role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'rootkey: forwards root CreateAccessKey events to the central event bus',
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.centralEventBusArn] }),
    );
    acknowledge(
      role,
      'PCI.DSS.321-IAMNoInlinePolicy',
      'The role exists only for this rule and its policy allows putting events on the central bus alone.',
    );
    const deadLetters = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(deadLetters, 'AwsSolutions-SQS3', 'This queue is itself the dead-letter queue of the forwarding rule.');
    acknowledge(
      deadLetters,
      'Serverless-SQSRedrivePolicy',
      'This queue is itself the dead-letter queue of the forwarding rule.',
    );
    acknowledge(
      deadLetters,
      'PCI.DSS.321-SQSQueueEncryptedWithKMS',
      'The queue holds only undeliverable CloudTrail event metadata; SQS-managed encryption avoids a KMS key per member account.',
    );
    new events.Rule(this, 'ForwardRootCreateAccessKey', {
      description: 'rootkey: forward CreateAccessKey by the root user to the central event bus',
      eventPattern: ROOT_CREATE_ACCESS_KEY_PATTERN,
      targets: [new targets.EventBus(central, { role, deadLetterQueue: deadLetters })],
    });
  }
}
