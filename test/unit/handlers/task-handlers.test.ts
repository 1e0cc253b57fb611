import type { Decision } from '../../../functions/core/case';
import { InvalidInputError } from '../../../functions/core/errors';
import { createDetectRootKeysHandler } from '../../../functions/handlers/detect-root-keys';
import { createRequestApprovalHandler } from '../../../functions/handlers/request-approval';
import { createVerifyRemovalHandler } from '../../../functions/handlers/verify-removal';
import { LocalWorkflowCallbacks } from '../../../local-runner/local-workflow-callbacks';
import { caseFixture } from '../../support/workflow/case-fixture';
import { serviceDeps, type ServiceDeps } from '../../support/workflow/service-deps';

let world: ServiceDeps;
afterEach(() => world.dispose());

const decision: Decision = {
  action: 'delete',
  approvers: [{ userId: 'U0APPROVER', action: 'delete', at: '2026-11-28T10:05:00.000Z' }],
  decidedAt: '2026-11-28T10:05:00.000Z',
  approvedKeys: ['AKIA************0042'],
};

describe('task handlers', () => {
  it('refuse malformed input with InvalidInputError naming the field, and change nothing', async () => {
    world = serviceDeps([caseFixture()]);
    const before = await world.cases.get(caseFixture().caseId);

    await expect(createDetectRootKeysHandler(world.deps)({})).rejects.toThrow(
      /Invalid input for detect-root-keys: trigger/,
    );
    await expect(createVerifyRemovalHandler(world.deps)({ caseId: before.caseId, attempt: 0 })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(await world.cases.get(before.caseId)).toEqual(before);
  });
});

describe('the approval task', () => {
  it('posts the request once and only renews the token when it waits again after a reminder', async () => {
    // Prepare
    world = serviceDeps([caseFixture()]);
    const callbacks = new LocalWorkflowCallbacks();
    const handle = createRequestApprovalHandler(world.deps, callbacks);
    const { caseId } = caseFixture();

    // Act
    const first = await handle({ caseId, token: 'token-1' });
    const second = await handle({ caseId, token: 'token-2' });

    // Assess
    expect([first, second]).toEqual([
      { caseId, outcome: 'requested' },
      { caseId, outcome: 'token-renewed' },
    ]);
    const c = await world.cases.get(caseId);
    expect(c.status).toBe('awaiting-approval');
    expect(c.pendingTask).toMatchObject({ kind: 'approval', token: 'token-2' });
    expect(world.notifier.of(caseId, 'requestApproval')).toHaveLength(1);
    expect(world.sim.finding('333333333333')?.workflowStatus).toBe('NOTIFIED');
  });

  it('hands a decision that arrived while the previous token expired to the new task at once', async () => {
    // Prepare
    world = serviceDeps([caseFixture({ status: 'awaiting-approval', decision })]);
    const callbacks = new LocalWorkflowCallbacks();
    const { token, answer } = callbacks.register('exec-1', 'RequestApproval');

    // Act
    const result = await createRequestApprovalHandler(world.deps, callbacks)({ caseId: caseFixture().caseId, token });

    // Assess
    expect(result).toMatchObject({ outcome: 'already-decided' });
    await expect(answer).resolves.toEqual(decision);
    expect(world.notifier.calls).toHaveLength(0);
  });
});
