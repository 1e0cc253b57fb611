import { randomUUID } from 'node:crypto';
import { TaskTokenExpiredError } from '../functions/core/errors';
import type { WorkflowCallbacksPort } from '../functions/ports/workflow-callbacks';

/** A task of a local execution that waits for `sendTaskSuccess` / `sendTaskFailure`. */
export interface WaitingTask {
  token: string;
  executionId: string;
  stateName: string;
  since: Date;
}

/** The error a `sendTaskFailure` fails the waiting task with: its `name` is the error the state machine matches. */
export class TaskFailureError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

interface Pending extends WaitingTask {
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The local stand-in for Step Functions' task-token API (`WorkflowCallbacksPort`). A waiting task
 * of the local runner registers a fresh token and awaits it; `sendTaskSuccess(token, output)`
 * completes the task with `output`, `sendTaskFailure(token, error, cause)` fails it with an error
 * named `error`. A token that is unknown, answered already or expired (the task timed out) throws
 * TaskTokenExpiredError — exactly what `SfnWorkflowCallbacks` throws for TaskTimedOut,
 * TaskDoesNotExist and InvalidToken, so Slack handlers behave the same locally.
 */
export class LocalWorkflowCallbacks implements WorkflowCallbacksPort {
  private readonly pending = new Map<string, Pending>();

  /**
   * Mints a token for a waiting task and returns it with the promise the task awaits. `reuse` re-registers
   * a token minted before (`rootkey serve` resuming a wait after a restart, so that the case's stored
   * token and its Slack message keep working).
   */
  register(executionId: string, stateName: string, reuse?: string): { token: string; answer: Promise<unknown> } {
    const token = reuse ?? `local-task-token-${randomUUID()}`;
    let resolve!: (output: unknown) => void;
    let reject!: (error: Error) => void;
    const answer = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.pending.set(token, { token, executionId, stateName, since: new Date(), resolve, reject });
    return { token, answer };
  }

  /** The task stopped waiting (timed out, failed, execution aborted): its token is dead from now on. */
  expire(token: string): void {
    this.pending.delete(token);
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    const task = this.take(token);
    // Step Functions serializes the output; a copy keeps the caller's object out of the execution.
    task.resolve(JSON.parse(JSON.stringify(output ?? {})) as unknown);
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    this.take(token).reject(new TaskFailureError(error, cause));
  }

  /** Tasks waiting now, oldest first (for the sandbox and tests; tokens never leave the server side). */
  waiting(): WaitingTask[] {
    return [...this.pending.values()]
      .map(({ token, executionId, stateName, since }) => ({ token, executionId, stateName, since }))
      .sort((a, b) => a.since.getTime() - b.since.getTime());
  }

  private take(token: string): Pending {
    const task = this.pending.get(token);
    if (!task) throw new TaskTokenExpiredError('The task token is unknown, already answered, or its task timed out');
    this.pending.delete(token);
    return task;
  }
}
