import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface WorkflowAlarmsProps {
  stateMachines: { name: string; machine: sfn.IStateMachine }[];
  deadLetterQueue: sqs.IQueue;
  encryptionKey: kms.IKey;
  /** Subscribed to the alarm topic when given. */
  email?: string;
}

/**
 * Alarms on what must never go unnoticed: a failed, timed-out or aborted execution (a case may be
 * stuck or failed without a human knowing) and events that could not start a workflow. They notify
 * an encrypted SNS topic.
 */
export class WorkflowAlarms extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: WorkflowAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'rootkey alarms',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const notify = new actions.SnsAction(this.topic);
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(notify);
      return a;
    };
    const period = Duration.minutes(5);
    for (const { name, machine } of props.stateMachines) {
      alarm(
        `${name}Failed`,
        machine.metricFailed({ period, statistic: 'Sum' }),
        `rootkey ${name}: an execution failed.`,
      );
      alarm(
        `${name}TimedOut`,
        machine.metricTimedOut({ period, statistic: 'Sum' }),
        `rootkey ${name}: an execution timed out.`,
      );
      alarm(
        `${name}Aborted`,
        machine.metricAborted({ period, statistic: 'Sum' }),
        `rootkey ${name}: an execution was aborted.`,
      );
    }
    alarm(
      'UndeliveredTriggers',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      'rootkey: a trigger event could not start a workflow, or a Slack click could not be run (see the dead-letter queue).',
    );
  }
}
