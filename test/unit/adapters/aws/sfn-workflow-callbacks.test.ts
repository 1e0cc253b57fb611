import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { SfnWorkflowCallbacks } from '../../../../functions/adapters/aws/sfn-workflow-callbacks';
import { AccessDeniedError, TaskTokenExpiredError, TransientAwsError } from '../../../../functions/core/errors';

const sfnMock = mockClient(SFNClient);
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAd-secret-task-token';
const meta = { $metadata: {} };

describe('SfnWorkflowCallbacks', () => {
  beforeEach(() => sfnMock.reset());

  it('sends the decision as the task output', async () => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).resolves({});
    const callbacks = new SfnWorkflowCallbacks(new SFNClient({ region: 'eu-west-1' }));
    // Act
    await callbacks.sendTaskSuccess(TOKEN, { action: 'delete', approvers: [{ userId: 'U0ALICE' }] });
    // Assess
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken: TOKEN,
      output: JSON.stringify({ action: 'delete', approvers: [{ userId: 'U0ALICE' }] }),
    });
  });

  it('sends a failure within Step Functions limits', async () => {
    sfnMock.on(SendTaskFailureCommand).resolves({});
    const callbacks = new SfnWorkflowCallbacks(new SFNClient({ region: 'eu-west-1' }));
    await callbacks.sendTaskFailure(TOKEN, 'E'.repeat(300), 'cause');
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: TOKEN,
      error: 'E'.repeat(256),
      cause: 'cause',
    });
  });

  it.each([
    ['TaskTimedOut', new TaskTimedOut({ message: 'Task Timed Out', ...meta })],
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'no task', ...meta })],
    ['InvalidToken', new InvalidToken({ message: 'Invalid token', ...meta })],
  ])('turns %s into TaskTokenExpiredError without repeating the token', async (_name, error) => {
    sfnMock.on(SendTaskSuccessCommand).rejects(error);
    const callbacks = new SfnWorkflowCallbacks(new SFNClient({ region: 'eu-west-1' }));
    const thrown = await callbacks.sendTaskSuccess(TOKEN, {}).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(TaskTokenExpiredError);
    expect((thrown as Error).message).not.toContain(TOKEN);
  });

  it('reports throttling as transient, so the caller may retry', async () => {
    sfnMock.on(SendTaskSuccessCommand).rejects(
      new SFNServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const callbacks = new SfnWorkflowCallbacks(new SFNClient({ region: 'eu-west-1' }));
    await expect(callbacks.sendTaskSuccess(TOKEN, {})).rejects.toBeInstanceOf(TransientAwsError);
  });

  it('names the missing permission when Step Functions refuses', async () => {
    sfnMock.on(SendTaskSuccessCommand).rejects(
      new SFNServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'no',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const callbacks = new SfnWorkflowCallbacks(new SFNClient({ region: 'eu-west-1' }));
    await expect(callbacks.sendTaskSuccess(TOKEN, {})).rejects.toMatchObject({
      constructor: AccessDeniedError,
      permission: 'states:SendTaskSuccess',
    });
  });
});
