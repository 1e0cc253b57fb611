/**
 * Answers a task that waits for a human (Step Functions `waitForTaskToken`). Throws
 * TaskTokenExpiredError when the task has timed out or no longer exists.
 */
export interface WorkflowCallbacksPort {
  sendTaskSuccess(token: string, output: unknown): Promise<void>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<void>;
}

/** Starts workflow executions (manual start, sweep, Slack `/rootkey scan`). */
export interface WorkflowStarterPort {
  startCaseWorkflow(input: unknown, name?: string): Promise<{ executionId: string }>;
}
