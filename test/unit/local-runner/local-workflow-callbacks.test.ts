import { TaskTokenExpiredError } from '../../../functions/core/errors';
import { LocalWorkflowCallbacks, TaskFailureError } from '../../../local-runner/local-workflow-callbacks';

describe('LocalWorkflowCallbacks', () => {
  it('completes the waiting task with a copy of the output, once', async () => {
    // Prepare
    const callbacks = new LocalWorkflowCallbacks();
    const { token, answer } = callbacks.register('exec-1', 'RequestApproval');
    const decision = { action: 'delete' };

    // Act
    await callbacks.sendTaskSuccess(token, decision);

    // Assess
    await expect(answer).resolves.toEqual({ action: 'delete' });
    expect(await answer).not.toBe(decision);
    await expect(callbacks.sendTaskSuccess(token, decision)).rejects.toBeInstanceOf(TaskTokenExpiredError);
  });

  it('fails the waiting task with an error named as given', async () => {
    const callbacks = new LocalWorkflowCallbacks();
    const { token, answer } = callbacks.register('exec-1', 'AwaitRunbookStep');

    await callbacks.sendTaskFailure(token, 'OperatorGaveUp', 'The operator cannot sign in as root.');

    await expect(answer).rejects.toThrow(TaskFailureError);
    await expect(answer).rejects.toMatchObject({
      name: 'OperatorGaveUp',
      message: 'The operator cannot sign in as root.',
    });
  });

  it('treats an unknown or expired token as TaskTokenExpiredError, like Step Functions', async () => {
    const callbacks = new LocalWorkflowCallbacks();
    const { token } = callbacks.register('exec-1', 'RequestApproval');
    callbacks.expire(token);

    await expect(callbacks.sendTaskSuccess(token, {})).rejects.toBeInstanceOf(TaskTokenExpiredError);
    await expect(callbacks.sendTaskFailure('local-task-token-unknown', 'E', 'c')).rejects.toBeInstanceOf(
      TaskTokenExpiredError,
    );
  });

  it('lists the tasks that wait, with a distinct token each', () => {
    const callbacks = new LocalWorkflowCallbacks();
    const first = callbacks.register('exec-1', 'RequestApproval');
    const second = callbacks.register('exec-2', 'AwaitRunbookStep');

    expect(first.token).not.toBe(second.token);
    expect(callbacks.waiting().map((w) => [w.executionId, w.stateName])).toEqual([
      ['exec-1', 'RequestApproval'],
      ['exec-2', 'AwaitRunbookStep'],
    ]);
  });
});
