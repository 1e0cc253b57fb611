import { openCase, type Case } from '../../../functions/core/case';

/** An open case of account 333333333333 with one active root key that AssumeRoot can delete. */
export function caseFixture(overrides: Partial<Case> = {}): Case {
  const c = openCase({
    posture: {
      account: { id: '333333333333', name: 'payments-prod', isManagement: false },
      status: 'NON_COMPLIANT',
      keys: [{ id: 'AKIAPAYMENTSROOT0042', maskedId: 'AKIA************0042', status: 'Active' }],
      reason: 'ListAccessKeys shows 1 active root access key.',
      method: 'assume-root-audit',
      removalPaths: ['assume-root-delete', 'console-privileged-action', 'root-sign-in', 'password-recovery'],
      signals: { accountAccessKeysPresent: 1 },
      checkedAt: '2026-11-28T10:00:00.000Z',
    },
    trigger: { source: 'manual', accountId: '333333333333', detectedAt: '2026-11-28T10:00:00.000Z' },
    requiredApprovals: 1,
    now: new Date('2026-11-28T10:00:00.000Z'),
    caseId: 'RK-333333333333-20261128100000-ab12',
  });
  return { ...c, ...overrides };
}
