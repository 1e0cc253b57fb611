import { buildRunbook, runbookForCase } from '../../../functions/core/runbook';
import { verifyRemoval } from '../../../functions/services/verify-removal';
import { updateFinding } from '../../../functions/services/update-finding';
import { recordOutcome } from '../../../functions/services/record-outcome';
import { startRunbook } from '../../../functions/services/start-runbook';
import { recordRunbookStep } from '../../../functions/services/record-runbook-step';
import { deleteApprovedKeys } from '../../../functions/services/remove-keys';
import { DecisionNotAcceptedError } from '../../../functions/core/errors';
import { decideCase, removalFixture, removeFixtureDirs } from '../../support/removal/removal-fixture';

const MANAGEMENT = '111111111111';

const standaloneScenario = {
  standalone: true,
  accounts: [
    {
      id: '555555555555',
      name: 'lonely-startup',
      rootKeys: [{ id: 'AKIALONELYROOTKEY001', status: 'Active', createdAt: '2024-01-01T00:00:00Z' }],
      rootPasswordKnown: false,
    },
  ],
};

afterAll(removeFixtureDirs);

describe('guided manual runbook', () => {
  it('walks the management account through root sign-in and verifies once the operator removed the key', async () => {
    // Prepare
    const fx = removalFixture();
    const c = await decideCase(fx, MANAGEMENT, 'runbook');
    let cursor = await startRunbook(fx.deps, { caseId: c.caseId, reason: 'decision' });
    const runbook = runbookForCase(await fx.deps.cases.get(c.caseId), fx.deps.clock.now());
    const before = await verifyRemoval(fx.deps, c.caseId, 1);

    // Act: the operator confirms every step in Slack; at "delete-keys" they delete the key in the console.
    const confirmed: string[] = [];
    while (cursor.next === 'await' && cursor.stepId) {
      if (cursor.stepId === 'delete-keys') fx.sim.removeKeysByOperator(MANAGEMENT);
      confirmed.push(cursor.stepId);
      fx.advance(60);
      cursor = await recordRunbookStep(fx.deps, {
        caseId: c.caseId,
        stepId: cursor.stepId,
        output: {
          kind: 'step-confirmed',
          stepId: cursor.stepId,
          by: { userId: 'U0OPERATOR', userName: 'bob' },
          at: fx.deps.clock.now().toISOString(),
        },
      });
    }
    const after = await verifyRemoval(fx.deps, c.caseId, 1);
    await recordOutcome(fx.deps, { caseId: c.caseId, status: 'remediated' });
    await updateFinding(fx.deps, c.caseId, 'RESOLVED');

    // Assess
    expect(runbook.variant).toBe('root-sign-in');
    expect(confirmed).toEqual(runbook.steps.map((s) => s.id));
    expect(before).toMatchObject({ gone: false, exhausted: false, waitSeconds: 5 });
    expect(after).toMatchObject({ gone: true, waitSeconds: 0 });
    // AssumeRoot cannot target the management account: it was read through the role.
    expect((await fx.records(c.caseId, 'verification')).map((e) => e.data.method)).toEqual([
      'read-only-role',
      'read-only-role',
    ]);
    expect((await fx.records(c.caseId, 'verification'))[1]?.data.signals).toMatchObject({
      accountAccessKeysPresent: 0,
      credentialReport: { keys: [] },
    });
    expect((await fx.deps.cases.get(c.caseId)).status).toBe('remediated');
    expect(fx.sim.finding(MANAGEMENT)?.workflowStatus).toBe('RESOLVED');
    expect(fx.sim.calls['iam:DeleteAccessKey'] ?? 0).toBe(0);
    expect((await fx.records(c.caseId, 'runbook-step')).length).toBeGreaterThanOrEqual(runbook.steps.length);
    expect(await fx.evidence.verify({ requireComplete: true })).toMatchObject({ ok: true, problems: [] });
  });

  it('gives up after the last attempt while the key is still there', async () => {
    const fx = removalFixture({
      settings: { verification: { maxAttempts: 2, initialWaitSeconds: 5, maxWaitSeconds: 60 } },
    });
    const c = await decideCase(fx, MANAGEMENT, 'runbook');

    const first = await verifyRemoval(fx.deps, c.caseId, 1);
    const last = await verifyRemoval(fx.deps, c.caseId, 2);

    expect(first).toMatchObject({ gone: false, exhausted: false });
    expect(last).toMatchObject({ gone: false, exhausted: true, waitSeconds: 0 });
    expect((await fx.records(c.caseId, 'verification')).at(-1)?.data.reason).toContain('still reports 1');
  });

  it('starts with password recovery for a standalone account whose root password nobody knows', async () => {
    const fx = removalFixture({ scenario: standaloneScenario });
    const c = await decideCase(fx, '555555555555', 'runbook');

    const runbook = buildRunbook({
      account: c.posture.account,
      removalPaths: c.removalPaths,
      keys: c.posture.keys,
      rootPasswordKnown: fx.sim.rootPasswordKnown('555555555555'),
      now: fx.deps.clock.now(),
    });

    expect(runbook.variant).toBe('password-recovery');
    expect(runbook.steps.map((s) => s.id).slice(0, 3)).toEqual(['prepare', 'recover-password', 'sign-in-as-root']);
  });

  it('refuses automated deletion for a case decided as a runbook', async () => {
    const fx = removalFixture();
    const c = await decideCase(fx, MANAGEMENT, 'runbook');

    await expect(deleteApprovedKeys(fx.deps, c.caseId)).rejects.toThrow(DecisionNotAcceptedError);
    expect(fx.sim.liveKeyIds(MANAGEMENT)).toHaveLength(1);
  });
});
