import { randomUUID } from 'node:crypto';
import { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { TASK_HANDLER_FACTORIES } from '../functions/handlers/task-handlers';
import { isTaskId, type TaskId } from '../functions/handlers/task-ids';
import type { TaskHandler } from '../functions/handlers/lambda-handler';
import { MemorySweepListStore } from '../functions/adapters/local/memory-sweep-list-store';
import type { SweepListStorePort } from '../functions/ports/sweep-list-store';
import type { WorkflowStarterPort } from '../functions/ports/workflow-callbacks';
import type { Deps } from '../functions/services/dependencies';
import { functionNameOf, PLACEHOLDER_ENV } from './definition-extraction';
import { bundleTaskHandlers, loadBundledFactories, type HandlerSource } from './handler-bundles';
import { LocalRecheckScheduler } from './local-recheck-scheduler';
import { LocalWorkflowCallbacks } from './local-workflow-callbacks';
import { installPolyfills } from './polyfills';
import { synthesizeWorkflowDefinitions, type WorkflowDefinitions } from './workflow-definitions';

/** Which of the two state machines an execution runs. */
export type WorkflowKind = 'remediation' | 'sweep';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** One state an execution entered, in order: the execution's path (for a diagram or a test). */
export interface PathStep {
  state: string;
  type: string;
  enteredAt: number;
  exitedAt?: number;
  /** Set when the state failed (and was then retried, caught, or ended the execution). */
  error?: string;
  retried?: number;
  caught?: boolean;
  /** Iteration index inside a Map state. */
  iteration?: number;
}

/** What listeners receive, per execution. */
export type WorkflowEvent =
  | { type: 'execution-started'; executionId: string; kind: WorkflowKind; input: unknown }
  | { type: 'state-entered' | 'state-exited'; executionId: string; state: string; stateType: string; data: unknown }
  | { type: 'state-failed'; executionId: string; state: string; error: string; cause: unknown }
  | { type: 'state-retried' | 'state-caught'; executionId: string; state: string }
  | { type: 'task-waiting'; executionId: string; state: string; caseId?: string }
  | { type: 'execution-succeeded'; executionId: string; output: unknown }
  | { type: 'execution-failed'; executionId: string; error: string; cause: string }
  | { type: 'execution-aborted'; executionId: string };

export type WorkflowListener = (event: WorkflowEvent) => void;

export interface LocalWorkflowOptions {
  /** The services' dependencies: the simulated organization, a case store, evidence, a notifier … */
  deps: Deps;
  /** Definitions to run; synthesized from `infra/` (and cached) when absent. */
  definitions?: WorkflowDefinitions;
  /** CDK context for the synthesis (e.g. `rootkey:maxReminders`), when definitions are synthesized here. */
  context?: Record<string, unknown>;
  /**
   * How long a waiting task (approval, runbook step) waits for its answer before it times out
   * (`States.Timeout`, which starts the reminder ladder), in milliseconds: one value for every
   * waiting task or one per state name. Defaults to the definition's `TimeoutSeconds` (hours).
   */
  taskTimeoutMs?: number | Record<string, number>;
  /** Replaces every Wait state's duration (the verification backoff), in milliseconds. */
  waitMs?: number;
  /** Replaces every retry interval, in milliseconds (0 for tests). */
  retryIntervalMs?: number;
  /** Records (and, with `onDue`, fires) re-check schedules; one that only records is created otherwise. */
  scheduler?: LocalRecheckScheduler;
  /**
   * `bundled` binds every task to its handler bundled exactly as `infra/` bundles it (minified,
   * names kept; see `handler-bundles.ts`), `source` (default) to the TypeScript modules.
   */
  handlers?: HandlerSource;
  /**
   * Where the sweep's list step stores the list of accounts and the sweep's Distributed Map reads
   * it from (its `ItemReader`); a fresh in-memory store when absent.
   */
  sweepLists?: SweepListStorePort;
  /**
   * Replaces the local binding of Task states by name (for example the sweep's
   * `StartAccountWorkflow`, so that a test can run a sweep of 20,000 accounts without 20,000
   * remediation executions). The replacement gets the task's effective input and returns its result.
   */
  taskOverrides?: Record<string, (input: unknown) => Promise<unknown>>;
}

/** The outcome of an execution; `result` resolves with it and never rejects. */
export interface ExecutionResult {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: unknown;
  error?: { error: string; cause: string };
}

/**
 * Where a resumed execution starts (`LocalWorkflow.resume`): a state of the remediation machine and
 * the raw input it was entered with. When that state waits for a task token, `reattach` re-registers
 * the token the earlier run stored with the case instead of calling the task's handler again (which
 * would post a second Slack message).
 */
export interface ResumeOptions {
  startAt: string;
  name?: string;
  reattach?: { token: string };
}

/** The task-token value the context carries; each waiting task swaps it for a fresh token. */
const CONTEXT_TOKEN = 'local-context-token';
const WAIT_FOR_TOKEN = /^arn:aws[\w-]*:states:::lambda:invoke\.waitForTaskToken$/;
const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[^:]+$/;
const CREATE_SCHEDULE = /^arn:aws[\w-]*:states:::aws-sdk:scheduler:createSchedule$/;
const START_EXECUTION = /^arn:aws[\w-]*:states:::states:startExecution$/;
/** The `ItemReader` resource of a Distributed Map that iterates over a JSON array in S3. */
const S3_GET_OBJECT = /^arn:aws[\w-]*:states:::s3:getObject$/;

/** The error a waiting task fails with when nobody answered in time. */
class LocalTaskTimeout extends Error {
  constructor(state: string, ms: number) {
    super(`${state} was not answered within ${ms} ms`);
    this.name = 'States.Timeout';
  }
}

/** The error a waiting task ends with when its execution is aborted (nobody sees it: the run is aborted too). */
class LocalTaskAborted extends Error {
  constructor(state: string) {
    super(`${state} stopped waiting: the execution was aborted`);
    this.name = 'LocalTaskAborted';
  }
}

type JsonObject = Record<string, unknown>;
/** What aws-local-stepfunctions calls for an overridden Task state (its JSON types are not exported). */
type LocalTaskHandler = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>[string];
type JsonValue = Parameters<LocalTaskHandler>[0];

/** One execution of a local workflow. */
export class LocalExecution {
  status: ExecutionStatus = 'RUNNING';
  readonly path: PathStep[] = [];
  output?: unknown;
  error?: { error: string; cause: string };
  readonly startedAt = new Date();
  /** Resolves when the execution ends (never rejects). */
  readonly result: Promise<ExecutionResult>;
  private readonly listeners = new Set<WorkflowListener>();
  private abortRun?: () => void;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly kind: WorkflowKind,
    readonly input: unknown,
    run: (execution: LocalExecution) => Promise<ExecutionResult>,
  ) {
    this.result = run(this);
  }

  /** The names of the states entered, in order (the top-level path plus Map iterations). */
  states(): string[] {
    return this.path.map((s) => s.state);
  }

  /** Whether the execution entered `state`. */
  visited(state: string): boolean {
    return this.path.some((s) => s.state === state);
  }

  /** Stops the execution; a waiting task's token dies with it. */
  abort(): void {
    this.abortRun?.();
  }

  /**
   * Resolves with the first event of this execution that `predicate` accepts (including one that
   * already happened to the path, for `state-entered`), or rejects after `timeoutMs`.
   */
  waitFor(predicate: (event: WorkflowEvent) => boolean, timeoutMs = 10_000): Promise<WorkflowEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(
          new Error(
            `Execution ${this.name}: no matching event within ${timeoutMs} ms (path: ${this.states().join(' → ')})`,
          ),
        );
      }, timeoutMs);
      const listener: WorkflowListener = (event) => {
        if (!predicate(event)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(event);
      };
      this.listeners.add(listener);
    });
  }

  /** Resolves when the execution enters `state` (at once when it did already). */
  async waitForState(state: string, timeoutMs = 10_000): Promise<void> {
    if (this.visited(state)) return;
    await this.waitFor((e) => e.type === 'state-entered' && e.state === state, timeoutMs);
  }

  /** @internal */
  bindAbort(abort: () => void): void {
    this.abortRun = abort;
  }

  /** @internal */
  emit(event: WorkflowEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}

/**
 * Runs the state machines that `infra/` synthesizes — the very definitions, not copies — locally
 * with `aws-local-stepfunctions`. Every Task state is bound to the real handler factory of its task
 * (`functions/handlers`) over the given `Deps`; waiting tasks (`waitForTaskToken`) call their handler,
 * which stores a fresh token with the case and posts to Slack, and then wait for
 * {@link LocalWorkflowCallbacks} (`callbacks`), honouring the task timeout. The re-check schedule
 * goes to a {@link LocalRecheckScheduler}; the sweep starts local remediation executions.
 *
 * Used by the integration tests, the sandbox and the benchmarks.
 */
export class LocalWorkflow implements WorkflowStarterPort {
  /** Answers waiting tasks: hand it to the Slack app (or call it) as the `WorkflowCallbacksPort`. */
  readonly callbacks = new LocalWorkflowCallbacks();
  readonly scheduler: LocalRecheckScheduler;
  readonly definitions: WorkflowDefinitions;
  /** Where the sweep's lists are stored (see {@link LocalWorkflowOptions.sweepLists}). */
  readonly sweepLists: SweepListStorePort;
  private readonly handlers = new Map<TaskId, TaskHandler>();
  private readonly machines: Record<WorkflowKind, StateMachine>;
  private readonly all: LocalExecution[] = [];
  /** Remediation machines that start at another state (resumed executions), by state name. */
  private readonly resumeMachines = new Map<string, StateMachine>();
  /** The wait each resumed execution re-attaches to instead of calling the handler again. */
  private readonly reattach = new WeakMap<LocalExecution, { state: string; token: string }>();
  private readonly listeners = new Set<WorkflowListener>();
  /** Names of the Distributed Map states that run as a local task (see {@link localDistributedMap}). */
  private readonly localMaps = new Set<string>();
  private counter = 0;

  constructor(private readonly options: LocalWorkflowOptions) {
    installPolyfills();
    this.definitions = options.definitions ?? synthesizeWorkflowDefinitions(options.context);
    this.scheduler = options.scheduler ?? new LocalRecheckScheduler();
    this.sweepLists = options.sweepLists ?? new MemorySweepListStore();
    const runtime = { deps: options.deps, callbacks: this.callbacks, sweepLists: this.sweepLists };
    const factories =
      options.handlers === 'bundled' ? loadBundledFactories(bundleTaskHandlers()) : TASK_HANDLER_FACTORIES;
    for (const [task, factory] of Object.entries(factories) as [TaskId, (typeof TASK_HANDLER_FACTORIES)[TaskId]][]) {
      this.handlers.set(task, factory(runtime));
    }
    this.machines = {
      remediation: new StateMachine(this.prepared(this.definitions.remediation.definition)),
      sweep: new StateMachine(this.prepared(this.definitions.sweep.definition)),
    };
  }

  /** Starts the per-account workflow with a trigger (an EventBridge event or a direct start). */
  start(input: unknown, name?: string): LocalExecution {
    return this.run('remediation', input, name);
  }

  /**
   * Resumes a remediation execution that an earlier process left at `options.startAt` with `input`
   * (the state's raw input, as recorded when it was entered): the same definition, started at that
   * state. Used by `rootkey serve` after a restart; every state after it runs as in a fresh execution.
   */
  resume(input: unknown, options: ResumeOptions): LocalExecution {
    const definition = this.definitions.remediation.definition;
    const states = (definition['States'] ?? {}) as Record<string, JsonObject>;
    if (!states[options.startAt]) throw new Error(`The remediation workflow has no top-level state ${options.startAt}`);
    let machine = this.resumeMachines.get(options.startAt);
    if (!machine) {
      // The full definition was validated when this runner was built; starting elsewhere only makes the
      // states before `startAt` unreachable, which the validator (rightly, for a real definition) refuses.
      machine = new StateMachine(this.prepared({ ...definition, StartAt: options.startAt }), {
        validationOptions: { noValidate: true },
      });
      this.resumeMachines.set(options.startAt, machine);
    }
    return this.run('remediation', input, options.name, machine, (execution) => {
      if (options.reattach) this.reattach.set(execution, { state: options.startAt, ...options.reattach });
    });
  }

  /** Starts the organization sweep (`{}` or a Scheduled Event). */
  startSweep(input: unknown = {}, name?: string): LocalExecution {
    return this.run('sweep', input, name);
  }

  /** `WorkflowStarterPort`: what the Slack `/rootkey scan` command calls. */
  async startCaseWorkflow(input: unknown, name?: string): Promise<{ executionId: string }> {
    return { executionId: this.start(input, name).id };
  }

  /** Every execution started so far, oldest first. */
  executions(): LocalExecution[] {
    return [...this.all];
  }

  execution(id: string): LocalExecution | undefined {
    return this.all.find((e) => e.id === id || e.name === id);
  }

  /** Listens to every execution's events; returns the function that stops listening. */
  on(listener: WorkflowListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Aborts running executions and cancels pending re-check timers. */
  dispose(): void {
    for (const execution of this.all) if (execution.status === 'RUNNING') execution.abort();
    this.scheduler.dispose();
  }

  // ---- internals ------------------------------------------------------------------------------

  private run(
    kind: WorkflowKind,
    input: unknown,
    name?: string,
    machine: StateMachine = this.machines[kind],
    prepare?: (execution: LocalExecution) => void,
  ): LocalExecution {
    this.counter += 1;
    const executionName = name ?? `local-${String(this.counter).padStart(4, '0')}-${randomUUID().slice(0, 8)}`;
    const extracted = this.definitions[kind];
    const id = `arn:${PLACEHOLDER_ENV.partition}:states:${PLACEHOLDER_ENV.region}:${PLACEHOLDER_ENV.account}:execution:${extracted.logicalId}:${executionName}`;
    const execution = new LocalExecution(id, executionName, kind, input, (exec) => {
      prepare?.(exec);
      return this.execute(exec, kind, extracted.arn, machine);
    });
    this.all.push(execution);
    return execution;
  }

  private async execute(
    execution: LocalExecution,
    kind: WorkflowKind,
    machineArn: string,
    machine: StateMachine,
  ): Promise<ExecutionResult> {
    // Let the constructor return (and callers subscribe) before the first event.
    await Promise.resolve();
    const emit = (event: WorkflowEvent) => {
      execution.emit(event);
      for (const listener of [...this.listeners]) listener(event);
    };
    const tokens = new Set<string>();
    // What ends each waiting task early when the execution is aborted (so its timer is cleared).
    const cancels = new Map<string, () => void>();
    const run = machine.run(execution.input as never, {
      overrides: {
        taskResourceLocalHandlers: this.overrides(kind, execution, tokens, cancels, emit),
        ...(this.options.waitMs !== undefined ? { waitTimeOverrides: this.waitOverrides(kind) } : {}),
        ...(this.options.retryIntervalMs !== undefined ? { retryIntervalOverrides: this.retryOverrides(kind) } : {}),
      },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: execution.id, Name: execution.name },
        StateMachine: { Id: machineArn, Name: this.definitions[kind].logicalId },
        Task: { Token: CONTEXT_TOKEN },
      },
    });
    execution.bindAbort(() => {
      for (const token of tokens) this.callbacks.expire(token);
      // End the waiting tasks too: their timeout timers would otherwise keep the process alive.
      for (const cancel of cancels.values()) cancel();
      run.abort();
    });
    emit({ type: 'execution-started', executionId: execution.id, kind, input: execution.input });
    const recording = this.record(run.eventLogs, execution, emit);
    let result: ExecutionResult;
    try {
      const output = await run.result;
      await recording;
      result =
        output === null && execution.status === 'ABORTED' ? { status: 'ABORTED' } : { status: 'SUCCEEDED', output };
    } catch (error) {
      await recording;
      // The event log names the state's error (e.g. RemediationFailed); the thrown one only wraps it.
      const failed = execution.error ?? { error: (error as Error).name, cause: (error as Error).message };
      result = { status: 'FAILED', error: failed };
    }
    for (const token of tokens) this.callbacks.expire(token);
    execution.status = result.status;
    execution.output = result.output;
    if (result.error) execution.error = result.error;
    if (result.status === 'SUCCEEDED')
      emit({ type: 'execution-succeeded', executionId: execution.id, output: result.output });
    if (result.status === 'ABORTED') emit({ type: 'execution-aborted', executionId: execution.id });
    if (result.status === 'FAILED') {
      emit({
        type: 'execution-failed',
        executionId: execution.id,
        error: result.error!.error,
        cause: result.error!.cause,
      });
    }
    return result;
  }

  /** Follows the library's event log into the execution's path and the listeners. */
  private async record(
    logs: ReturnType<StateMachine['run']>['eventLogs'],
    execution: LocalExecution,
    emit: (event: WorkflowEvent) => void,
    include: (log: Record<string, unknown>) => boolean = () => true,
  ): Promise<void> {
    const open = new Map<string, PathStep>();
    for await (const entry of logs) {
      // The library's event types are not exported; its fields are read by name.
      const log = entry as unknown as Record<string, unknown>;
      if (!include(log)) continue;
      const executionId = execution.id;
      const state = log['state'] as { name: string; type: string; input?: unknown; output?: unknown } | undefined;
      const key = `${state?.name}#${log['index'] ?? ''}`;
      switch (log['type']) {
        case 'StateEntered': {
          const type = this.localMaps.has(state!.name) ? 'Map' : state!.type;
          const step: PathStep = {
            state: state!.name,
            type,
            enteredAt: log['timestamp'] as number,
            ...(typeof log['index'] === 'number' ? { iteration: log['index'] as number } : {}),
          };
          execution.path.push(step);
          open.set(key, step);
          emit({ type: 'state-entered', executionId, state: state!.name, stateType: type, data: state!.input });
          break;
        }
        case 'StateExited': {
          const step = open.get(key);
          if (step) step.exitedAt = log['timestamp'] as number;
          const type = this.localMaps.has(state!.name) ? 'Map' : state!.type;
          emit({ type: 'state-exited', executionId, state: state!.name, stateType: type, data: state!.output });
          break;
        }
        case 'StateFailed': {
          const step = open.get(key);
          if (step) step.error = String(log['Error']);
          emit({
            type: 'state-failed',
            executionId,
            state: state!.name,
            error: String(log['Error']),
            cause: log['Cause'],
          });
          break;
        }
        case 'StateRetried': {
          const step = open.get(key);
          if (step) step.retried = (step.retried ?? 0) + 1;
          emit({ type: 'state-retried', executionId, state: state!.name });
          break;
        }
        case 'StateCaught': {
          const step = open.get(key);
          if (step) step.caught = true;
          emit({ type: 'state-caught', executionId, state: state!.name });
          break;
        }
        case 'ExecutionFailed':
          execution.error = { error: String(log['Error']), cause: String(log['Cause'] ?? '') };
          break;
        case 'ExecutionAborted':
          execution.status = 'ABORTED';
          break;
        default:
          break;
      }
    }
  }

  /** The local binding of every Task state of a definition (nested Map states included). */
  private overrides(
    kind: WorkflowKind,
    execution: LocalExecution,
    tokens: Set<string>,
    cancels: Map<string, () => void>,
    emit: (event: WorkflowEvent) => void,
  ): Record<string, LocalTaskHandler> {
    const bindings: Record<string, LocalTaskHandler> = {};
    for (const [stateName, state] of taskStates(this.definitions[kind].definition)) {
      const resource = String(state['Resource']);
      const override = this.options.taskOverrides?.[stateName];
      if (override) {
        bindings[stateName] = async (input) => (await override(input)) as JsonValue;
      } else if (LAMBDA_ARN.test(resource)) {
        const handler = this.handler(stateName, functionNameOf(resource));
        bindings[stateName] = async (input) => (await handler(input)) as JsonValue;
      } else if (WAIT_FOR_TOKEN.test(resource)) {
        const parameters = (state['Parameters'] ?? {}) as JsonObject;
        const handler = this.handler(stateName, functionNameOf(String(parameters['FunctionName'])));
        const timeoutMs = this.taskTimeout(stateName, state);
        bindings[stateName] = async (input) => {
          // A resumed execution re-attaches to its first wait once: the handler ran before the restart.
          const resumed = this.reattach.get(execution);
          if (resumed?.state === stateName) this.reattach.delete(execution);
          const reattached = resumed?.state === stateName ? resumed : undefined;
          const { token, answer } = this.callbacks.register(execution.id, stateName, reattached?.token);
          tokens.add(token);
          let timer: NodeJS.Timeout | undefined;
          const aborted = new Promise<never>((_resolve, reject) => {
            cancels.set(token, () => reject(new LocalTaskAborted(stateName)));
          });
          // Handled here as well: an abort may come before the race below listens.
          aborted.catch(() => undefined);
          try {
            const payload = replaceValue((input as JsonObject)['Payload'], CONTEXT_TOKEN, token) as JsonObject;
            if (!reattached) await handler(payload);
            emit({
              type: 'task-waiting',
              executionId: execution.id,
              state: stateName,
              ...(typeof payload['caseId'] === 'string' ? { caseId: payload['caseId'] } : {}),
            });
            const timeout = new Promise<never>((_resolve, reject) => {
              timer = setTimeout(() => reject(new LocalTaskTimeout(stateName, timeoutMs)), timeoutMs);
            });
            return (await Promise.race([answer, timeout, aborted])) as JsonValue;
          } finally {
            if (timer) clearTimeout(timer);
            cancels.delete(token);
            this.callbacks.expire(token);
            tokens.delete(token);
          }
        };
      } else if (CREATE_SCHEDULE.test(resource)) {
        bindings[stateName] = async (input) => this.scheduler.createSchedule(input);
      } else if (START_EXECUTION.test(resource)) {
        bindings[stateName] = async (input) => {
          const started = this.start((input as JsonObject)['Input']);
          return { ExecutionArn: started.id, StartDate: started.startedAt.toISOString() };
        };
      } else {
        throw new Error(`State ${stateName} (${resource}) has no local binding`);
      }
    }
    for (const [stateName, state] of allStates(this.definitions[kind].definition)) {
      if (isDistributedMap(state)) {
        bindings[stateName] = this.localDistributedMap(kind, stateName, state, bindings, { execution, cancels, emit });
      }
    }
    return bindings;
  }

  /**
   * Runs a Distributed Map that reads its items from S3 (`ItemReader`, `s3:getObject`, JSON) the
   * way Step Functions does, against the local sweep-list store: the state (a task locally, see
   * {@link prepared}) gets the reader's resolved `Bucket` and `Key` and the Map's input; the items
   * are read from the store and each runs the Map's own `ItemSelector` and `ItemProcessor` (as an
   * inline Map of aws-local-stepfunctions, whose own input, items included, is never emitted: only
   * each iteration's states are, as the child executions' are in AWS). The Map's result is not
   * returned (the AWS Map exports it with its `ResultWriter`; its `ResultPath` discards it).
   */
  private localDistributedMap(
    kind: WorkflowKind,
    stateName: string,
    state: JsonObject,
    bindings: Record<string, LocalTaskHandler>,
    run: { execution: LocalExecution; cancels: Map<string, () => void>; emit: (event: WorkflowEvent) => void },
  ): LocalTaskHandler {
    const { execution, cancels, emit } = run;
    const { ProcessorConfig: _mode, ...processor } = state['ItemProcessor'] as JsonObject;
    const inline = new StateMachine({
      StartAt: stateName,
      States: {
        [stateName]: {
          Type: 'Map',
          ItemsPath: `$.${LOCAL_ITEMS}`,
          ...(state['ItemSelector'] ? { ItemSelector: state['ItemSelector'] } : {}),
          ...(state['MaxConcurrency'] !== undefined ? { MaxConcurrency: state['MaxConcurrency'] } : {}),
          ItemProcessor: processor,
          ResultPath: null,
          End: true,
        },
      },
    } as unknown as StateMachineDefinition);
    return async (input) => {
      const { ItemReader: reader, MapInput: mapInput } = input as { ItemReader: JsonObject; MapInput: JsonObject };
      const items = await this.sweepLists.get({ bucket: String(reader['Bucket']), key: String(reader['Key']) });
      // Aborting the execution stops the iterations too (as stopping an execution stops its Map Run):
      // the library's abort does not stop iterations still queued behind MaxConcurrency, so each
      // task of an iteration refuses to run once the Map is stopped.
      let stopped = false;
      const guarded = Object.fromEntries(
        Object.entries(bindings).map(([name, bound]): [string, LocalTaskHandler] => [
          name,
          async (taskInput) => {
            if (stopped) throw new LocalTaskAborted(name);
            return bound(taskInput);
          },
        ]),
      );
      const iterations = inline.run({ ...mapInput, [LOCAL_ITEMS]: items } as never, {
        overrides: {
          taskResourceLocalHandlers: guarded,
          ...(this.options.retryIntervalMs !== undefined ? { retryIntervalOverrides: this.retryOverrides(kind) } : {}),
        },
        noThrowOnAbort: true,
        context: { Execution: { Id: execution.id, Name: execution.name } },
      });
      const cancel = `map:${stateName}:${randomUUID()}`;
      cancels.set(cancel, () => {
        stopped = true;
        iterations.abort();
      });
      const recording = this.record(iterations.eventLogs, execution, emit, (log) => typeof log['index'] === 'number');
      try {
        await iterations.result;
      } finally {
        cancels.delete(cancel);
        await recording;
      }
      return { ItemCount: items.length } as JsonValue;
    };
  }

  private handler(stateName: string, task: string): TaskHandler {
    if (!isTaskId(task)) throw new Error(`State ${stateName} invokes ${task}, which is not a known task`);
    return this.handlers.get(task)!;
  }

  private taskTimeout(stateName: string, state: JsonObject): number {
    const option = this.options.taskTimeoutMs;
    const configured = typeof option === 'number' ? option : option?.[stateName];
    if (configured !== undefined) return configured;
    return Number(state['TimeoutSeconds'] ?? 60) * 1000;
  }

  private waitOverrides(kind: WorkflowKind): Record<string, number> {
    const result: Record<string, number> = {};
    for (const [name, state] of allStates(this.definitions[kind].definition)) {
      if (state['Type'] === 'Wait') result[name] = this.options.waitMs!;
    }
    return result;
  }

  private retryOverrides(kind: WorkflowKind): Record<string, number> {
    const result: Record<string, number> = {};
    for (const [name, state] of allStates(this.definitions[kind].definition)) {
      if (Array.isArray(state['Retry'])) result[name] = this.options.retryIntervalMs!;
    }
    return result;
  }

  /**
   * A copy of the definition in which every waiting task's `TimeoutSeconds` is at least as long as
   * the local timeout, so that the local timer (which also expires the token) decides, not the
   * library's own.
   */
  private prepared(definition: JsonObject): StateMachineDefinition {
    // A JSON copy, not structuredClone: the library checks for plain objects, and structuredClone
    // creates them in Node's main realm, which differs from jest's sandbox realm.
    const copy = JSON.parse(JSON.stringify(definition)) as JsonObject;
    for (const [name, state] of allStates(copy)) {
      if (!isDistributedMap(state)) continue;
      this.localMaps.add(name);
      replaceWithLocalTask(state);
    }
    for (const [name, state] of taskStates(copy)) {
      if (!WAIT_FOR_TOKEN.test(String(state['Resource']))) continue;
      const localSeconds = Math.ceil(this.taskTimeout(name, state) / 1000) + 1;
      state['TimeoutSeconds'] = Math.max(Number(state['TimeoutSeconds'] ?? 0), localSeconds);
    }
    return copy as unknown as StateMachineDefinition;
  }
}

/** Every state of a definition, nested Map and Parallel states included, by name. */
export function allStates(definition: JsonObject): [string, JsonObject][] {
  const found: [string, JsonObject][] = [];
  const visit = (machine: JsonObject) => {
    for (const [name, state] of Object.entries((machine['States'] ?? {}) as Record<string, JsonObject>)) {
      found.push([name, state]);
      const nested = (state['ItemProcessor'] ?? state['Iterator']) as JsonObject | undefined;
      if (nested) visit(nested);
      for (const branch of (state['Branches'] ?? []) as JsonObject[]) visit(branch);
    }
  };
  visit(definition);
  return found;
}

/** The field of the local Map's input that carries the items read from the store. */
const LOCAL_ITEMS = '__localItems';

/** A Distributed Map that iterates over a JSON array read from S3: what the sweep is. */
function isDistributedMap(state: JsonObject): boolean {
  const reader = state['ItemReader'] as JsonObject | undefined;
  return (
    state['Type'] === 'Map' &&
    reader !== undefined &&
    S3_GET_OBJECT.test(String(reader['Resource'])) &&
    (reader['ReaderConfig'] as JsonObject | undefined)?.['InputType'] === 'JSON'
  );
}

/**
 * Turns a Distributed Map state (in place) into the Task state the local runner binds to
 * {@link LocalWorkflow.localDistributedMap}: its input processing, result handling, retries,
 * catches and transition stay as defined; the task gets the reader's parameters, resolved
 * against the state's input, and that input.
 */
function replaceWithLocalTask(state: JsonObject): void {
  const reader = state['ItemReader'] as JsonObject;
  const kept = ['InputPath', 'ResultPath', 'OutputPath', 'Retry', 'Catch', 'Next', 'End', 'Comment'];
  for (const key of Object.keys(state)) if (!kept.includes(key)) delete state[key];
  Object.assign(state, {
    Type: 'Task',
    Resource: reader['Resource'],
    Parameters: { ItemReader: reader['Parameters'], 'MapInput.$': '$' },
  });
}

function taskStates(definition: JsonObject): [string, JsonObject][] {
  return allStates(definition).filter(([, state]) => state['Type'] === 'Task');
}

function replaceValue(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceValue(v, from, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceValue(v, from, to)]));
  }
  return value;
}
