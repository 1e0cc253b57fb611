import { deleteApprovedKeys } from '../../../functions/services/remove-keys';
import { verifyRemoval } from '../../../functions/services/verify-removal';
import { updateFinding } from '../../../functions/services/update-finding';
import { recordOutcome } from '../../../functions/services/record-outcome';
import { KeysChangedError, TransientAwsError } from '../../../functions/core/errors';
import { decideCase, removalFixture, removeFixtureDirs } from '../../support/removal/removal-fixture';

const PAYMENTS = '333333333333';
const PAYMENTS_KEY = 'AKIA************0042';

afterAll(removeFixtureDirs);

describe('automated removal through AssumeRoot', () => {
  it('cleans and verifies an automatable member account without anyone touching the console', async () => {
    // Prepare
    const fx = removalFixture();
    const c = await decideCase(fx, PAYMENTS, 'delete');
    expect(c.status).toBe('deleting');
    expect(fx.sim.finding(PAYMENTS)?.workflowStatus).toBe('NOTIFIED');

    // Act
    const deletion = await deleteApprovedKeys(fx.deps, c.caseId);
    const verification = await verifyRemoval(fx.deps, c.caseId, 1);
    await recordOutcome(fx.deps, { caseId: c.caseId, status: 'remediated' });
    const head = (await fx.deps.cases.get(c.caseId)).evidenceHead;
    const finding = await updateFinding(fx.deps, c.caseId, 'RESOLVED');

    // Assess
    expect(deletion).toEqual({ caseId: c.caseId, deletedKeys: [PAYMENTS_KEY] });
    expect(fx.sim.liveKeyIds(PAYMENTS)).toEqual([]);
    expect(verification).toEqual({ caseId: c.caseId, attempt: 1, gone: true, exhausted: false, waitSeconds: 0 });
    const actions = (await fx.records(c.caseId, 'action')).map((e) => e.data);
    expect(actions.map((a) => [a.api, a.outcome])).toEqual([
      ['sts:AssumeRoot', 'success'],
      ['iam:ListAccessKeys', 'success'],
      ['iam:DeleteAccessKey', 'success'],
    ]);
    expect(actions.every((a) => typeof a.requestId === 'string' && a.requestId.length > 0)).toBe(true);
    expect(actions[2]?.keyId).toBe(PAYMENTS_KEY);
    const [verified] = await fx.records(c.caseId, 'verification');
    expect(verified?.data).toMatchObject({
      gone: true,
      method: 'assume-root-audit',
      signals: { accountAccessKeysPresent: 0, listedKeys: [] },
    });
    expect(finding).toEqual({ updated: true });
    expect(fx.sim.finding(PAYMENTS)?.workflowStatus).toBe('RESOLVED');
    expect(fx.sim.finding(PAYMENTS)?.notes.at(-1)).toContain(`sha256:${head}`);
    expect((await fx.deps.cases.get(c.caseId)).status).toBe('remediated');
    // Nobody removed the key by hand: the only deletion was the workflow's AssumeRoot call.
    expect(fx.sim.calls['iam:DeleteAccessKey']).toBe(1);
    expect(JSON.stringify(await fx.records(c.caseId))).not.toContain('AKIAPAYMENTSROOT0042');
    expect(await fx.evidence.verify({ requireComplete: true })).toMatchObject({ ok: true, problems: [] });
  });

  it('polls with a bounded backoff while IAM still shows the deleted key', async () => {
    const fx = removalFixture({ faults: { visibilityDelayMs: 30_000 } });
    const c = await decideCase(fx, PAYMENTS, 'delete');
    await deleteApprovedKeys(fx.deps, c.caseId);

    const first = await verifyRemoval(fx.deps, c.caseId, 1);
    fx.advance(first.waitSeconds);
    const second = await verifyRemoval(fx.deps, c.caseId, 2);
    fx.advance(second.waitSeconds);
    const third = await verifyRemoval(fx.deps, c.caseId, 3);
    fx.advance(third.waitSeconds);
    const fourth = await verifyRemoval(fx.deps, c.caseId, 4);

    expect([first, second, third].map((r) => [r.gone, r.waitSeconds])).toEqual([
      [false, 5],
      [false, 10],
      [false, 20],
    ]);
    expect(fourth).toMatchObject({ gone: true, exhausted: false, waitSeconds: 0 });
    expect((await fx.records(c.caseId, 'verification')).map((e) => e.data.gone)).toEqual([false, false, false, true]);
  });

  it('deletes nothing when a key is created between approval and deletion', async () => {
    // Prepare
    const fx = removalFixture();
    const c = await decideCase(fx, PAYMENTS, 'delete');
    const newKey = fx.sim.createRootKey(PAYMENTS);

    // Act
    const error = await deleteApprovedKeys(fx.deps, c.caseId).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(KeysChangedError);
    expect(fx.sim.liveKeyIds(PAYMENTS).sort()).toEqual([PAYMENTS_KEY, newKey].sort());
    expect(fx.sim.calls['iam:DeleteAccessKey'] ?? 0).toBe(0);
    const refused = (await fx.records(c.caseId, 'action')).at(-1)?.data;
    expect(refused).toMatchObject({ outcome: 'refused', approvedKeys: [PAYMENTS_KEY], deletedKeys: [] });
    expect(refused?.currentKeys).toEqual(expect.arrayContaining([PAYMENTS_KEY, newKey]));
    // The case waits where it was: the workflow takes it back to approval.
    expect((await fx.deps.cases.get(c.caseId)).status).toBe('deleting');
  });

  it('records a deletion that fails and rethrows the error for the workflow to retry', async () => {
    const fx = removalFixture();
    const c = await decideCase(fx, PAYMENTS, 'delete');
    fx.sim.setFaults({ throttleRate: 1 });

    const error = await deleteApprovedKeys(fx.deps, c.caseId).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientAwsError);
    expect((await fx.records(c.caseId, 'action')).at(-1)?.data).toMatchObject({
      outcome: 'failure',
      error: expect.stringContaining('TransientAwsError'),
    });
    expect((await fx.deps.cases.get(c.caseId)).status).toBe('deleting');
    expect(fx.sim.liveKeyIds(PAYMENTS)).toEqual([PAYMENTS_KEY]);
  });

  it('answers a repeated invocation after the deletion without calling AWS again', async () => {
    const fx = removalFixture();
    const c = await decideCase(fx, PAYMENTS, 'delete');
    await deleteApprovedKeys(fx.deps, c.caseId);
    const callsBefore = fx.sim.totalCalls();

    const again = await deleteApprovedKeys(fx.deps, c.caseId);

    expect(again).toEqual({ caseId: c.caseId, deletedKeys: [] });
    expect(fx.sim.totalCalls()).toBe(callsBefore);
  });
});
