import { findingNote, FINDING_NOTE_MAX_LENGTH, truncateNote } from '../../../functions/core/finding-notes';
import { openCase, type Case } from '../../../functions/core/case';
import { decidePosture } from '../../../functions/core/account-posture';

const now = new Date('2026-11-28T10:00:00Z');
const account = { id: '333333333333', name: 'payments-prod', isManagement: false };

function aCase(overrides: Partial<Case> = {}): Case {
  const posture = decidePosture(
    account,
    {
      accountId: account.id,
      method: 'assume-root-audit',
      signals: { accountAccessKeysPresent: 1, listedKeys: [{ maskedId: 'AKIA************0042', status: 'Active' }] },
      readAt: now.toISOString(),
    },
    { rootCredentialsManagement: true, rootSessions: true },
  );
  const c = openCase({
    posture,
    trigger: { source: 'manual', accountId: account.id, detectedAt: now.toISOString() },
    requiredApprovals: 1,
    now,
    caseId: 'RK-333333333333-20261128100000-abcd',
  });
  return { ...c, ...overrides };
}

describe('findingNote', () => {
  it('names the evidence digest when resolved', () => {
    const note = findingNote(aCase({ evidenceHead: 'ab'.repeat(32) }), 'RESOLVED');
    expect(note).toContain(`sha256:${'ab'.repeat(32)}`);
    expect(note).toContain('RK-333333333333-20261128100000-abcd');
  });

  it('says that nothing was removed when the check found no key', () => {
    const c = aCase({ evidenceHead: 'cd'.repeat(32) });
    const compliant = { ...c, posture: { ...c.posture, status: 'COMPLIANT' as const, keys: [] } };
    const note = findingNote(compliant, 'RESOLVED');
    expect(note).toContain('no root access key exists');
    expect(note).not.toContain('removed');
    expect(note).toContain(`sha256:${'cd'.repeat(32)}`);
  });

  it('gives who accepted the risk, the reason and the expiry when suppressed', () => {
    const note = findingNote(
      aCase({
        decision: {
          action: 'accept-risk',
          approvers: [{ userId: 'U1', userName: 'alice', action: 'accept-risk', at: now.toISOString() }],
          decidedAt: now.toISOString(),
          reason: 'Legacy billing export, replaced in Q1',
          expiresAt: '2027-02-26T00:00:00.000Z',
          approvedKeys: ['AKIA************0042'],
        },
      }),
      'SUPPRESSED',
    );
    expect(note).toContain('risk accepted by alice until 2027-02-26T00:00:00.000Z');
    expect(note).toContain('Reason: Legacy billing export, replaced in Q1');
  });

  it('stays within 512 characters whatever the approver wrote', () => {
    const note = findingNote(
      aCase({
        decision: {
          action: 'accept-risk',
          approvers: [{ userId: 'U1', action: 'accept-risk', at: now.toISOString() }],
          decidedAt: now.toISOString(),
          reason: 'x'.repeat(2000),
          expiresAt: '2027-02-26T00:00:00.000Z',
          approvedKeys: [],
        },
      }),
      'SUPPRESSED',
    );
    expect(note.length).toBe(FINDING_NOTE_MAX_LENGTH);
    expect(note).toContain('until 2027-02-26');
    expect(note.endsWith('…')).toBe(true);
  });

  it('leaves short notes untouched', () => {
    expect(truncateNote('short')).toBe('short');
  });
});
