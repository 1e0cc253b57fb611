import { updateFinding } from '../../../functions/services/update-finding';
import { DecisionNotAcceptedError } from '../../../functions/core/errors';
import { decideCase, removalFixture, removeFixtureDirs } from '../../support/removal/removal-fixture';

const PAYMENTS = '333333333333';

afterAll(removeFixtureDirs);

describe('Security Hub IAM.4 finding updates', () => {
  it('marks the finding NOTIFIED when approval is requested', async () => {
    const fx = removalFixture();

    const c = await decideCase(fx, PAYMENTS, 'delete');

    expect(fx.sim.finding(PAYMENTS)?.workflowStatus).toBe('NOTIFIED');
    expect(fx.sim.finding(PAYMENTS)?.notes[0]).toContain(c.caseId);
    expect((await fx.records(c.caseId, 'finding-update'))[0]?.data).toMatchObject({
      status: 'NOTIFIED',
      updated: true,
      source: 'lookup',
    });
  });

  it('suppresses the finding with the reason and expiry of an accepted risk', async () => {
    // Prepare
    const fx = removalFixture();
    const c = await decideCase(fx, PAYMENTS, 'accept-risk', {
      reason: 'Legacy payment batch still signs with it; replaced in February',
      expiresAt: '2027-02-28T00:00:00.000Z',
    });

    // Act
    const result = await updateFinding(fx.deps, c.caseId, 'SUPPRESSED');

    // Assess
    expect(result).toEqual({ updated: true });
    const finding = fx.sim.finding(PAYMENTS);
    expect(finding?.workflowStatus).toBe('SUPPRESSED');
    expect(finding?.notes.at(-1)).toContain('risk accepted by alice until 2027-02-28T00:00:00.000Z');
    expect(finding?.notes.at(-1)).toContain('Legacy payment batch');
    expect(fx.sim.liveKeyIds(PAYMENTS)).toHaveLength(1);
  });

  it('refuses to suppress a finding without an accepted risk or rejection', async () => {
    const fx = removalFixture();
    const c = await decideCase(fx, PAYMENTS, 'delete');

    await expect(updateFinding(fx.deps, c.caseId, 'SUPPRESSED')).rejects.toThrow(DecisionNotAcceptedError);
    expect(fx.sim.finding(PAYMENTS)?.workflowStatus).toBe('NOTIFIED');
  });

  it('reports no update, with evidence, for an account without a finding', async () => {
    const fx = removalFixture();
    const c = await decideCase(fx, PAYMENTS, 'delete');
    fx.deps.findings = { ...fx.sim, findRootKeyFinding: async () => undefined } as unknown as typeof fx.deps.findings;

    const result = await updateFinding(fx.deps, c.caseId, 'RESOLVED');

    expect(result).toEqual({ updated: false });
    expect((await fx.records(c.caseId, 'finding-update')).at(-1)?.data).toMatchObject({ updated: false });
  });
});
