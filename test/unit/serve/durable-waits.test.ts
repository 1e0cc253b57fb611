import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskTokenExpiredError } from '../../../functions/core/errors';
import { LocalWorkflowCallbacks } from '../../../local-runner/local-workflow-callbacks';
import { CheckpointStore, DurableWorkflowCallbacks, ParkedAnswers } from '../../../serve/durable-waits';

describe('DurableWorkflowCallbacks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rootkey-durable-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** One serve process's view: the runner's live callbacks, the checkpoints and the parked answers in `dir`. */
  function process(executions: Record<string, string> = {}) {
    const live = new LocalWorkflowCallbacks();
    const checkpoints = new CheckpointStore(dir);
    const callbacks = new DurableWorkflowCallbacks(live, checkpoints, new ParkedAnswers(dir), (id) => executions[id]);
    return { live, checkpoints, callbacks };
  }

  it('delivers an answer straight to the waiting execution while serve runs', async () => {
    // Prepare
    const { live, callbacks } = process({ 'exec-1': 'RK-1' });
    const { token, answer } = live.register('exec-1', 'RequestApproval');
    callbacks.resume();
    // Act
    await callbacks.sendTaskSuccess(token, { action: 'delete' });
    // Assess
    await expect(answer).resolves.toEqual({ action: 'delete' });
    expect(callbacks.parkedFor('RK-1')).toBeUndefined();
  });

  it('parks an answer that lands while serve stops, and hands it to the resumed wait at the next start', async () => {
    // Prepare: a live wait (not yet in any checkpoint), then the stop begins and aborts it
    const first = process({ 'exec-1': 'RK-1' });
    const { token } = first.live.register('exec-1', 'RequestApproval');
    first.callbacks.resume();
    first.callbacks.suspend();
    first.live.expire(token);
    // Act: the vote lands during the stop; then a new process re-attaches the same token
    await first.callbacks.sendTaskSuccess(token, { action: 'delete', approvers: [{ userId: 'U0ALICE' }] });
    const next = process();
    const parked = next.callbacks.parkedFor('RK-1');
    const reattached = next.live.register('exec-1', 'RequestApproval', parked?.token);
    const delivered = await next.callbacks.deliverParked(token);
    // Assess
    expect(parked).toMatchObject({ token, answer: { caseId: 'RK-1', state: 'RequestApproval', kind: 'success' } });
    expect(delivered).toBe(true);
    await expect(reattached.answer).resolves.toEqual({ action: 'delete', approvers: [{ userId: 'U0ALICE' }] });
    expect(next.callbacks.parkedFor('RK-1')).toBeUndefined();
  });

  it('parks a failure for a checkpointed wait before the waits are re-attached at start', async () => {
    const first = process();
    first.checkpoints.save({
      caseId: 'RK-2',
      executionName: 'e',
      state: 'AwaitRunbookStep',
      input: {},
      token: 'local-task-token-x',
      at: 'now',
    });
    await first.callbacks.sendTaskFailure('local-task-token-x', 'RunbookStepFailed', 'the operator says no');
    const next = process();
    const reattached = next.live.register('exec-2', 'AwaitRunbookStep', 'local-task-token-x');
    await next.callbacks.deliverParked('local-task-token-x');
    await expect(reattached.answer).rejects.toMatchObject({
      name: 'RunbookStepFailed',
      message: 'the operator says no',
    });
  });

  it('refuses a token no wait knows, as Step Functions refuses an unknown token', async () => {
    const { callbacks } = process();
    callbacks.suspend();
    await expect(callbacks.sendTaskSuccess('local-task-token-unknown', {})).rejects.toBeInstanceOf(
      TaskTokenExpiredError,
    );
  });
});
