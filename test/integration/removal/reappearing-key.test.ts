import { deleteApprovedKeys } from '../../../functions/services/remove-keys';
import { verifyRemoval } from '../../../functions/services/verify-removal';
import { recordOutcome } from '../../../functions/services/record-outcome';
import { updateFinding } from '../../../functions/services/update-finding';
import { detectForTrigger } from '../../../functions/services/detect-for-trigger';
import { openCaseForTrigger } from '../../../functions/services/open-case';
import { DecisionNotAcceptedError } from '../../../functions/core/errors';
import { decideCase, removalFixture, removeFixtureDirs } from '../../support/removal/removal-fixture';

const PAYMENTS = '333333333333';

afterAll(removeFixtureDirs);

describe('a root key that reappears after remediation', () => {
  it('opens a new case, because the remediated one is closed', async () => {
    // Prepare: remove, verify and close the first case.
    const fx = removalFixture();
    const first = await decideCase(fx, PAYMENTS, 'delete');
    await deleteApprovedKeys(fx.deps, first.caseId);
    await verifyRemoval(fx.deps, first.caseId, 1);
    await recordOutcome(fx.deps, { caseId: first.caseId, status: 'remediated' });
    await updateFinding(fx.deps, first.caseId, 'RESOLVED');
    fx.advance(86_400);

    // Act: somebody signs in as root and creates a key again; CloudTrail triggers a check.
    const newKey = fx.sim.createRootKey(PAYMENTS);
    const trigger = {
      source: 'cloudtrail' as const,
      accountId: PAYMENTS,
      detectedAt: fx.deps.clock.now().toISOString(),
    };
    const detection = await detectForTrigger(fx.deps, trigger);
    if (!('posture' in detection)) throw new Error('the closed case must not count as open');
    const opened = await openCaseForTrigger(fx.deps, { trigger, posture: detection.posture });

    // Assess
    expect(opened.duplicate).toBe(false);
    expect(opened.caseId).not.toBe(first.caseId);
    expect(detection.posture.keys.map((k) => k.maskedId)).toEqual([newKey]);
    expect((await fx.deps.cases.get(first.caseId)).status).toBe('remediated');
    expect((await fx.deps.cases.findOpenByAccount(PAYMENTS))?.caseId).toBe(opened.caseId);
    // The closed case is not verified again; the new case carries the new key.
    await expect(verifyRemoval(fx.deps, first.caseId, 1)).rejects.toThrow(DecisionNotAcceptedError);
  });
});
