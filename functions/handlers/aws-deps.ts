import { systemClock } from '../ports/clock';
import type { TaskId } from './task-ids';
import { TASK_PORTS, unwiredPort, type PortName, type WorkflowPorts } from './task-ports';
import { workflowSettingsFromEnv, type Env } from './workflow-env';
import type { WorkflowRuntime } from './workflow-runtime';

export { lazyPort, WORKFLOW_ENV, workflowSettingsFromEnv } from './workflow-env';

/** Builds one port's AWS adapter from env (names and ARNs). Lives in `./aws-ports/<port>.ts`. */
export type AwsPortBuilder<K extends PortName> = (env: Env) => WorkflowPorts[K];

/** Exactly the builders of a task's ports (TASK_PORTS): a missing or an extra one is a type error. */
export type AwsPortBuilders<T extends TaskId> = { [K in (typeof TASK_PORTS)[T][number]]: AwsPortBuilder<K> };

const PORT_NAMES: readonly PortName[] = [
  'organization',
  'reader',
  'remover',
  'cases',
  'evidence',
  'notifier',
  'findings',
  'callbacks',
  'sweepLists',
];

/**
 * Builds one task function's dependencies for Lambda from env. Each handler entry passes the
 * builders of its own ports only, so its bundle imports only the SDK clients its task calls (the
 * bundle-size test checks that per function); every other port throws `PortNotWiredError` on use.
 * SDK clients take the standard configuration (Region, endpoints, credential chain). Throws naming
 * the first missing variable.
 */
export function createAwsRuntime<T extends TaskId>(
  task: T,
  builders: AwsPortBuilders<T>,
  env: Env = process.env,
): WorkflowRuntime {
  const given = builders as Partial<{ [K in PortName]: AwsPortBuilder<K> }>;
  const wanted: readonly PortName[] = TASK_PORTS[task];
  const extra = Object.keys(given).filter((port) => !wanted.includes(port as PortName));
  const missing = wanted.filter((port) => !given[port]);
  if (extra.length || missing.length) {
    throw new Error(
      `Ports of ${task} differ from TASK_PORTS: missing [${missing.join(', ')}], extra [${extra.join(', ')}]`,
    );
  }
  const build = <K extends PortName>(port: K): WorkflowPorts[K] => {
    const builder = given[port] as AwsPortBuilder<K> | undefined;
    return builder ? builder(env) : unwiredPort<WorkflowPorts[K]>(port, task);
  };
  const ports = Object.fromEntries(PORT_NAMES.map((port) => [port, build(port)])) as unknown as WorkflowPorts;
  const { callbacks, sweepLists, ...rest } = ports;
  return { deps: { ...rest, clock: systemClock, settings: workflowSettingsFromEnv(env) }, callbacks, sweepLists };
}
