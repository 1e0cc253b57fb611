import { SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { SfnWorkflowStarter } from '../../../../functions/adapters/aws/sfn-workflow-starter';
import { AccessDeniedError } from '../../../../functions/core/errors';

const sfnMock = mockClient(SFNClient);
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:rootkey-case';

describe('SfnWorkflowStarter', () => {
  beforeEach(() => sfnMock.reset());

  it('starts the case workflow with the direct-start input and returns the execution ARN', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:run-1`, startDate: new Date() });
    const starter = new SfnWorkflowStarter(new SFNClient({ region: 'eu-west-1' }), ARN);
    const input = { source: 'manual', accountId: '444455556666', requestedBy: 'U0BOB' };
    // Act
    const started = await starter.startCaseWorkflow(input);
    // Assess
    expect(started).toEqual({ executionId: `${ARN}:run-1` });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: ARN,
      input: JSON.stringify(input),
    });
  });

  it('names the missing permission when it may not start executions', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(
        new SFNServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'no', $metadata: {} }),
      );
    const starter = new SfnWorkflowStarter(new SFNClient({ region: 'eu-west-1' }), ARN);
    await expect(starter.startCaseWorkflow({})).rejects.toMatchObject({
      constructor: AccessDeniedError,
      permission: 'states:StartExecution',
      where: ARN,
    });
  });
});
