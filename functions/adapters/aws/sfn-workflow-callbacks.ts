import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { TaskTokenExpiredError } from '../../core/errors';
import type { WorkflowCallbacksPort } from '../../ports/workflow-callbacks';
import { awsErrorCode, toRootKeyError } from './aws-errors';

/** Errors that mean the waiting task is gone for good: timed out, finished, or never existed. */
const EXPIRED_TASK_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** Step Functions limits `error` to 256 and `cause` to 32,768 characters. */
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;

/**
 * Answers a `waitForTaskToken` task of the Step Functions workflow. The SFN client comes through the
 * constructor (built once per Lambda container with the SDK's standard configuration). A task that
 * timed out or no longer exists surfaces as TaskTokenExpiredError; throttling and 5xx as
 * TransientAwsError; a refusal as AccessDeniedError. Error messages never repeat the token.
 */
export class SfnWorkflowCallbacks implements WorkflowCallbacksPort {
  constructor(private readonly sfn: SFNClient) {}

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    await this.call('states:SendTaskSuccess', () =>
      this.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output ?? {}) })),
    );
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    await this.call('states:SendTaskFailure', () =>
      this.sfn.send(
        new SendTaskFailureCommand({
          taskToken: token,
          error: error.slice(0, MAX_ERROR_LENGTH),
          cause: cause.slice(0, MAX_CAUSE_LENGTH),
        }),
      ),
    );
  }

  private async call(action: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      const code = awsErrorCode(error);
      if (code && EXPIRED_TASK_ERRORS.has(code)) {
        throw new TaskTokenExpiredError(`The workflow task no longer waits for an answer (${code})`, { cause: error });
      }
      throw toRootKeyError(error, { action, where: 'the waiting workflow task' });
    }
  }
}
