import type { SweepListStorePort } from '../ports/sweep-list-store';
import type { WorkflowCallbacksPort } from '../ports/workflow-callbacks';
import type { Deps } from '../services/dependencies';
import { isTaskId, type TaskId } from './task-ids';

/** The ports that talk to AWS or Slack; `clock` and `settings` cost nothing and every task gets them. */
export interface WorkflowPorts extends Omit<Deps, 'clock' | 'settings'> {
  callbacks: WorkflowCallbacksPort;
  /** Where the organization sweep's list step stores the list of accounts. */
  sweepLists: SweepListStorePort;
}
export type PortName = keyof WorkflowPorts;

/**
 * The ports each task's function builds: its Lambda bundle imports the adapters (and so the SDK
 * clients) of these ports only, and every other port fails loudly with `PortNotWiredError`. The
 * local runner (`TASK_HANDLER_FACTORIES`) applies the same restriction, so the workflow tests prove
 * that each list is enough. It mirrors the per-task IAM grants in `infra/stacks/central-stack.ts`.
 */
export const TASK_PORTS = {
  'normalize-trigger': [],
  'detect-root-keys': ['cases', 'organization', 'reader'],
  'open-case': ['cases', 'evidence'],
  'record-duplicate-trigger': ['cases', 'evidence'],
  'request-approval': ['cases', 'evidence', 'notifier', 'findings', 'callbacks'],
  'approval-timeout': ['cases', 'evidence', 'notifier'],
  'apply-decision': ['cases', 'evidence', 'notifier'],
  'return-to-approval': ['cases', 'evidence', 'notifier', 'organization', 'reader'],
  'delete-keys': ['cases', 'evidence', 'remover'],
  'verify-removal': ['cases', 'evidence', 'organization', 'reader'],
  'start-runbook': ['cases', 'evidence', 'notifier'],
  'await-runbook-step': ['cases', 'notifier'],
  'record-runbook-step': ['cases', 'evidence', 'notifier'],
  'runbook-timeout': ['cases', 'evidence', 'notifier'],
  'update-finding': ['cases', 'evidence', 'findings'],
  'record-outcome': ['cases', 'evidence', 'notifier'],
  'record-failure': ['cases', 'evidence', 'notifier'],
  'list-sweep-accounts': ['organization', 'sweepLists'],
  'post-sweep-summary': ['cases', 'notifier'],
} as const satisfies Record<TaskId, readonly PortName[]>;

/**
 * The AWS SDK packages behind each port's adapter: what a function's bundle may `require` from the
 * Lambda runtime. The bundle-size test checks every function against this list.
 */
export const PORT_SDK_PACKAGES: Record<PortName, readonly string[]> = {
  cases: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'],
  evidence: ['@aws-sdk/client-s3', '@aws-sdk/client-kms'],
  notifier: ['@aws-sdk/client-secrets-manager'],
  findings: ['@aws-sdk/client-securityhub'],
  organization: ['@aws-sdk/client-organizations', '@aws-sdk/client-sts', '@aws-sdk/client-iam'],
  reader: ['@aws-sdk/client-sts', '@aws-sdk/client-iam'],
  remover: ['@aws-sdk/client-sts', '@aws-sdk/client-iam'],
  callbacks: ['@aws-sdk/client-sfn'],
  sweepLists: ['@aws-sdk/client-s3'],
};

/**
 * SDK packages a task's function needs besides its ports': record-outcome starts the Prevention
 * state machine (`{"caseId","step":"offer"}`) after a remediated outcome, in AWS only (the sandbox's
 * notifier offers in process), so that the organization-wide coverage read runs there, not in its 30 s.
 */
export const TASK_EXTRA_SDK_PACKAGES: Partial<Record<TaskId, readonly string[]>> = {
  'record-outcome': ['@aws-sdk/client-sfn'],
};

/**
 * The Prevention state machine's two functions (their own entries, not workflow tasks) and the ports
 * they are built with (`offer-prevention.ts`, `apply-prevention.ts`): Organizations reads (and, for
 * apply, writes) go through `organization`; root credentials are read (`reader`) and deleted
 * (`remover`) through AssumeRoot.
 */
export const PREVENTION_FUNCTION_PORTS = {
  'offer-prevention': ['cases', 'evidence', 'notifier', 'organization', 'reader'],
  'apply-prevention': ['cases', 'evidence', 'notifier', 'organization', 'reader', 'remover'],
} as const satisfies Record<string, readonly PortName[]>;

export type PreventionFunction = keyof typeof PREVENTION_FUNCTION_PORTS;

/** The SDK packages a Lambda function's ports need, sorted: a task, or one of the Prevention functions. */
export function functionSdkPackagesOf(name: string): string[] | undefined {
  if (name in PREVENTION_FUNCTION_PORTS) return packagesOf(PREVENTION_FUNCTION_PORTS[name as PreventionFunction]);
  return isTaskId(name) ? sdkPackagesOf(name) : undefined;
}

/** The SDK packages a task's function needs, sorted. */
export function sdkPackagesOf(task: TaskId): string[] {
  return packagesOf(TASK_PORTS[task], TASK_EXTRA_SDK_PACKAGES[task]);
}

/** The SDK packages of these ports, and any extra ones, without repeats and sorted. */
function packagesOf(ports: readonly PortName[], extra: readonly string[] = []): string[] {
  return [...new Set([...ports.flatMap((port) => PORT_SDK_PACKAGES[port]), ...extra])].sort();
}

/** Thrown when a task uses a port its function was not given: a TASK_PORTS list is incomplete. */
export class PortNotWiredError extends Error {
  constructor(
    readonly port: string,
    readonly task: string,
  ) {
    super(`The ${task} function has no ${port} port: add it to TASK_PORTS in functions/handlers/task-ports.ts`);
    this.name = 'PortNotWiredError';
  }
}

/** A stand-in for a port the task does not have: every method throws `PortNotWiredError`. */
export function unwiredPort<T extends object>(port: string, task: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => {
      // Promise resolution probes `then`; an unwired port is not a thenable.
      if (property === 'then') return undefined;
      return () => Promise.reject(new PortNotWiredError(port, task));
    },
  });
}

/** `deps`/`callbacks` with only the task's ports; the rest throw `PortNotWiredError` on use. */
export function restrictToTask<
  R extends { deps: Deps; callbacks: WorkflowCallbacksPort; sweepLists: SweepListStorePort },
>(runtime: R, task: TaskId): R {
  const allowed: readonly PortName[] = TASK_PORTS[task];
  const pick = <K extends PortName>(port: K, value: WorkflowPorts[K]): WorkflowPorts[K] =>
    allowed.includes(port) ? value : unwiredPort<WorkflowPorts[K]>(port, task);
  const { deps } = runtime;
  return {
    ...runtime,
    deps: {
      ...deps,
      organization: pick('organization', deps.organization),
      reader: pick('reader', deps.reader),
      remover: pick('remover', deps.remover),
      cases: pick('cases', deps.cases),
      evidence: pick('evidence', deps.evidence),
      notifier: pick('notifier', deps.notifier),
      findings: pick('findings', deps.findings),
    },
    callbacks: pick('callbacks', runtime.callbacks),
    sweepLists: pick('sweepLists', runtime.sweepLists),
  };
}
