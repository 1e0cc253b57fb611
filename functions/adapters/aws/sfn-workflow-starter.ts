import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowStarterPort } from '../../ports/workflow-callbacks';
import { callAws } from './aws-errors';

/**
 * Starts executions of the per-account case workflow (`/rootkey scan ACCOUNT` in Slack). The input is
 * the workflow's direct-start shape; execution names, when given, make a repeated start idempotent.
 */
export class SfnWorkflowStarter implements WorkflowStarterPort {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async startCaseWorkflow(input: unknown, name?: string): Promise<{ executionId: string }> {
    const output = await callAws({ action: 'states:StartExecution', where: this.stateMachineArn }, () =>
      this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          input: JSON.stringify(input),
          ...(name ? { name } : {}),
        }),
      ),
    );
    if (!output.executionArn) throw new Error('StartExecution answered without an execution ARN');
    return { executionId: output.executionArn };
  }
}
