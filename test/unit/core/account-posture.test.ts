import { decidePosture, type PostureReading } from '../../../functions/core/account-posture';
import type { Account } from '../../../functions/core/account';

const member: Account = { id: '333333333333', name: 'payments-prod', isManagement: false };
const management: Account = { id: '111111111111', name: 'management', isManagement: true };
const features = { rootCredentialsManagement: true, rootSessions: true };
const at = '2026-11-28T10:00:00.000Z';

function reading(
  signals: PostureReading['signals'],
  method: PostureReading['method'] = 'assume-root-audit',
): PostureReading {
  return { accountId: member.id, method, signals, readAt: at };
}

describe('decidePosture', () => {
  it('is compliant when the summary counts no key and ListAccessKeys lists none', () => {
    const posture = decidePosture(member, reading({ accountAccessKeysPresent: 0, listedKeys: [] }), features);
    expect(posture.status).toBe('COMPLIANT');
    expect(posture.keys).toEqual([]);
  });

  it('treats an inactive key as non-compliant and says it is inactive', () => {
    const posture = decidePosture(
      member,
      reading({ accountAccessKeysPresent: 1, listedKeys: [{ maskedId: 'AKIA****0042', status: 'Inactive' }] }),
      features,
    );
    expect(posture.status).toBe('NON_COMPLIANT');
    expect(posture.reason).toContain('1 inactive');
  });

  it('trusts the live summary over a stale credential report that shows no key', () => {
    const posture = decidePosture(
      management,
      reading({ accountAccessKeysPresent: 1, credentialReport: { generatedAt: at, keys: [] } }, 'read-only-role'),
      features,
    );
    expect(posture.status).toBe('NON_COMPLIANT');
    expect(posture.keys).toHaveLength(1);
    expect(posture.discrepancy).toContain('up to 4 hours');
  });

  it('offers automated deletion only for member accounts with root sessions enabled', () => {
    const m = decidePosture(member, reading({ accountAccessKeysPresent: 0, listedKeys: [] }), features);
    const g = decidePosture(management, reading({ accountAccessKeysPresent: 0 }, 'read-only-role'), features);
    const off = decidePosture(member, reading({ accountAccessKeysPresent: 0 }), {
      rootCredentialsManagement: true,
      rootSessions: false,
    });
    expect(m.removalPaths).toContain('assume-root-delete');
    expect(g.removalPaths).not.toContain('assume-root-delete');
    expect(off.removalPaths).not.toContain('assume-root-delete');
  });
});
