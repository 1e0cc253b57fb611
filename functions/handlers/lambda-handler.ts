import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { describeError } from '../core/errors';
import { createAwsRuntime, type AwsPortBuilders } from './aws-deps';
import type { TaskId } from './task-ids';
import type { WorkflowRuntime } from './workflow-runtime';

/**
 * One logger and metrics per Lambda container (POWERTOOLS_* env configures them). No Powertools
 * Tracer: its X-Ray SDK chain (aws-xray-sdk-core, semver, cls-hooked) was ~112 kB of every bundle
 * and its cold-start cost, for subsegments of one to three SDK calls per task. The functions keep
 * Lambda's active tracing (the invocation segment in the Step Functions trace).
 */
export const logger = new Logger({ serviceName: 'rootkey' });
export const metrics = new Metrics({ namespace: 'RootKey', serviceName: 'rootkey' });

/** A task handler: the thin function a workflow state invokes, built once over its dependencies. */
export type TaskHandler<R = unknown> = (event: unknown) => Promise<R>;

/**
 * Wraps a task handler factory as a Lambda entry point. The runtime (the task's own AWS adapters,
 * `ports`) is built on the first invocation and reused by the container; a failed build is
 * retried on the next invocation instead of being cached. Every invocation is logged with its
 * context and counted (`TaskSucceeded` / `TaskFailed` per task). Errors are rethrown unchanged so
 * that Step Functions sees their stable `name` (retry transient ones, catch the rest).
 */
export function lambdaHandler<T extends TaskId, R>(
  task: T,
  ports: AwsPortBuilders<T>,
  build: (runtime: WorkflowRuntime) => TaskHandler<R>,
): (event: unknown, context: Context) => Promise<R> {
  let built: Promise<TaskHandler<R>> | undefined;
  return async (event, context) => {
    logger.addContext(context);
    logger.appendKeys({ task });
    metrics.addDimension('task', task);
    try {
      built ??= Promise.resolve().then(() => build(createAwsRuntime(task, ports, process.env)));
      const handle = await built.catch((error: unknown) => {
        built = undefined;
        throw error;
      });
      const result = await handle(event);
      metrics.addMetric('TaskSucceeded', MetricUnit.Count, 1);
      return result;
    } catch (error) {
      const { name, message } = describeError(error);
      logger.error('Task failed', { errorName: name, errorMessage: message, error });
      metrics.addMetric('TaskFailed', MetricUnit.Count, 1);
      throw error;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
