import { TaskTokenExpiredError, TransientAwsError } from '../../../functions/core/errors';
import type { WorkflowCallbacksPort, WorkflowStarterPort } from '../../../functions/ports/workflow-callbacks';

/**
 * Workflow callbacks double: records every answer and behaves like Step Functions for tokens the
 * test marks as expired (TaskTokenExpiredError) or while it is told to be unavailable.
 */
export class WorkflowCallbacksDouble implements WorkflowCallbacksPort {
  readonly successes: { token: string; output: unknown }[] = [];
  readonly failures: { token: string; error: string; cause: string }[] = [];
  readonly expiredTokens = new Set<string>();
  unavailable = false;

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    // Step Functions answers over the network: let concurrent callers interleave.
    await new Promise((resolve) => setImmediate(resolve));
    this.check(token);
    this.successes.push({ token, output: structuredClone(output) });
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    this.check(token);
    this.failures.push({ token, error, cause });
  }

  private check(token: string): void {
    if (this.unavailable) throw new TransientAwsError('Step Functions is unavailable (double)');
    if (this.expiredTokens.has(token)) throw new TaskTokenExpiredError('The task timed out (double)');
  }
}

/** Workflow starter double: records the inputs of `/rootkey scan`. */
export class WorkflowStarterDouble implements WorkflowStarterPort {
  readonly started: { input: unknown; name?: string }[] = [];

  async startCaseWorkflow(input: unknown, name?: string): Promise<{ executionId: string }> {
    this.started.push({ input: structuredClone(input), ...(name ? { name } : {}) });
    return { executionId: `arn:aws:states:eu-west-1:000000000000:execution:rootkey:run-${this.started.length}` };
  }
}
