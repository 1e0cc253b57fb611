import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskTokenExpiredError } from '../../../functions/core/errors';
import { LocalWorkflowCallbacks } from '../../../functions/local/local-workflow-callbacks';
import { CheckpointStore, DurableWorkflowCallbacks, ParkedAnswers } from '../../../serve/durable-waits';

describe('DurableWorkflowCallbacks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rootkey-durable-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function setup() {
    const live = new LocalWorkflowCallbacks();
    const checkpoints = new CheckpointStore(dir);
    const callbacks = new DurableWorkflowCallbacks(live, checkpoints, new ParkedAnswers(dir));
    return { live, checkpoints, callbacks };
  }

  it('delivers an answer straight to the waiting execution while serve runs', async () => {
    // Prepare
    const { live, checkpoints, callbacks } = setup();
    const { token, answer } = live.register('exec-1', 'RequestApproval');
    checkpoints.save({ caseId: 'RK-1', executionName: 'e', state: 'RequestApproval', input: {}, token, at: 'now' });
    callbacks.resume();
    // Act
    await callbacks.sendTaskSuccess(token, { action: 'delete' });
    // Assess
    await expect(answer).resolves.toEqual({ action: 'delete' });
    expect(callbacks.hasParked(token)).toBe(false);
  });

  it('parks an answer that lands while serve stops, and hands it to the resumed wait at the next start', async () => {
    // Prepare: a wait, then the stop begins
    const first = setup();
    const { token } = first.live.register('exec-1', 'RequestApproval');
    first.checkpoints.save({
      caseId: 'RK-1',
      executionName: 'e',
      state: 'RequestApproval',
      input: {},
      token,
      at: 'now',
    });
    first.callbacks.resume();
    first.callbacks.suspend();
    first.live.expire(token);
    // Act: the vote lands during the stop; then a new process re-attaches the same token
    await first.callbacks.sendTaskSuccess(token, { action: 'delete', approvers: [{ userId: 'U0ALICE' }] });
    const next = setup();
    const reattached = next.live.register('exec-1', 'RequestApproval', token);
    const delivered = await next.callbacks.deliverParked(token);
    // Assess
    expect(delivered).toBe(true);
    await expect(reattached.answer).resolves.toEqual({ action: 'delete', approvers: [{ userId: 'U0ALICE' }] });
    expect(next.callbacks.hasParked(token)).toBe(false);
  });

  it('parks a failure (e.g. a runbook step reported as not done) the same way', async () => {
    const first = setup();
    first.checkpoints.save({
      caseId: 'RK-2',
      executionName: 'e',
      state: 'AwaitRunbookStep',
      input: {},
      token: 'local-task-token-x',
      at: 'now',
    });
    await first.callbacks.sendTaskFailure('local-task-token-x', 'RunbookStepFailed', 'the operator says no');
    const next = setup();
    const reattached = next.live.register('exec-2', 'AwaitRunbookStep', 'local-task-token-x');
    await next.callbacks.deliverParked('local-task-token-x');
    await expect(reattached.answer).rejects.toMatchObject({
      name: 'RunbookStepFailed',
      message: 'the operator says no',
    });
  });

  it('refuses a token no checkpoint waits on, as Step Functions refuses an unknown token', async () => {
    const { callbacks } = setup();
    callbacks.suspend();
    await expect(callbacks.sendTaskSuccess('local-task-token-unknown', {})).rejects.toBeInstanceOf(
      TaskTokenExpiredError,
    );
  });
});
