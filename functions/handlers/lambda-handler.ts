import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { describeError } from '../core/errors';
import { createAwsRuntime } from './aws-deps';
import type { WorkflowRuntime } from './workflow-runtime';

/** One logger, metrics and tracer per Lambda container (POWERTOOLS_* env configures them). */
export const logger = new Logger({ serviceName: 'rootkey' });
export const metrics = new Metrics({ namespace: 'RootKey', serviceName: 'rootkey' });
export const tracer = new Tracer({ serviceName: 'rootkey' });

/** A task handler: the thin function a workflow state invokes, built once over its dependencies. */
export type TaskHandler<R = unknown> = (event: unknown) => Promise<R>;

/**
 * Wraps a task handler factory as a Lambda entry point. The runtime (AWS adapters, clients, the
 * Slack secret) is built on the first invocation and reused by the container; a failed build is
 * retried on the next invocation instead of being cached. Every invocation is logged with its
 * context and counted (`TaskSucceeded` / `TaskFailed` per task). Errors are rethrown unchanged so
 * that Step Functions sees their stable `name` (retry transient ones, catch the rest).
 */
export function lambdaHandler<R>(
  task: string,
  build: (runtime: WorkflowRuntime) => TaskHandler<R>,
): (event: unknown, context: Context) => Promise<R> {
  let built: Promise<TaskHandler<R>> | undefined;
  return async (event, context) => {
    logger.addContext(context);
    logger.appendKeys({ task });
    tracer.putAnnotation('task', task);
    metrics.addDimension('task', task);
    try {
      built ??= createAwsRuntime(process.env, tracer).then(build);
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
