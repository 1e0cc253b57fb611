import {
  backoffSeconds,
  decideVerification,
  isLastAttempt,
  keysForEvidence,
  totalWaitBoundSeconds,
} from '../../../functions/core/verification';
import type { PostureReading, PostureSignals } from '../../../functions/core/account-posture';
import type { RootKey } from '../../../functions/core/root-key';

const key: RootKey = { id: 'AKIAPAYMENTSROOT0042', maskedId: 'AKIA************0042', status: 'Active' };
const schedule = { maxAttempts: 6, initialWaitSeconds: 5, maxWaitSeconds: 120 };

function reading(signals: PostureSignals, method: PostureReading['method'] = 'assume-root-audit'): PostureReading {
  return { accountId: '333333333333', method, signals, readAt: '2026-11-28T10:00:00.000Z' };
}

describe('decideVerification', () => {
  it('proves the key gone when the summary counts 0 and ListAccessKeys lists nothing', () => {
    const verdict = decideVerification(reading({ accountAccessKeysPresent: 0, listedKeys: [] }));
    expect(verdict.gone).toBe(true);
    expect(verdict.reason).toContain('AccountAccessKeysPresent is 0 and ListAccessKeys lists no root access key');
  });

  it('keeps the key present while the summary still counts it', () => {
    const verdict = decideVerification(reading({ accountAccessKeysPresent: 1, listedKeys: [key] }));
    expect(verdict.gone).toBe(false);
    expect(verdict.listedKeys).toEqual(['AKIA************0042']);
  });

  it('is not gone when the summary says 0 but ListAccessKeys still lists a key (eventual consistency)', () => {
    const verdict = decideVerification(reading({ accountAccessKeysPresent: 0, listedKeys: [key] }));
    expect(verdict.gone).toBe(false);
    expect(verdict.reason).toContain('not consistent yet');
  });

  it('never proves removal from the credential report alone', () => {
    const verdict = decideVerification(
      reading({ credentialReport: { generatedAt: '2026-11-28T09:00:00Z', keys: [] } }, 'read-only-role'),
    );
    expect(verdict.gone).toBe(false);
    expect(verdict.reason).toContain('not read');
  });

  it('accepts the summary alone on the role path and keeps a stale report as a discrepancy', () => {
    const verdict = decideVerification(
      reading(
        { accountAccessKeysPresent: 0, credentialReport: { generatedAt: '2026-11-28T07:00:00Z', keys: [key] } },
        'read-only-role',
      ),
    );
    expect(verdict.gone).toBe(true);
    expect(verdict.discrepancy).toContain('up to 4 hours');
    expect(verdict.credentialReport?.keys).toEqual(['AKIA************0042']);
  });
});

describe('backoffSeconds', () => {
  it('doubles from the initial wait', () => {
    expect([1, 2, 3, 4].map((a) => backoffSeconds(a, schedule))).toEqual([5, 10, 20, 40]);
  });

  it('never waits longer than the cap, however many attempts', () => {
    expect(backoffSeconds(6, schedule)).toBe(120);
    expect(backoffSeconds(10_000, schedule)).toBe(120);
  });

  it('rejects attempt numbers below 1', () => {
    expect(() => backoffSeconds(0, schedule)).toThrow(RangeError);
  });

  it('bounds the whole polling', () => {
    expect(totalWaitBoundSeconds(schedule)).toBe(5 + 10 + 20 + 40 + 80);
    expect(isLastAttempt(5, schedule)).toBe(false);
    expect(isLastAttempt(6, schedule)).toBe(true);
  });
});

describe('keysForEvidence', () => {
  it('drops the full access key id', () => {
    expect(keysForEvidence([key])).toEqual([{ maskedId: 'AKIA************0042', status: 'Active' }]);
  });
});
