import { acceptanceExpiry } from '../../../functions/core/risk-acceptance';
import { InvalidInputError } from '../../../functions/core/errors';

const decidedAt = '2026-11-28T10:00:00.000Z';

describe('acceptanceExpiry', () => {
  it('returns the expiry of a risk accepted for 90 days', () => {
    const expiry = acceptanceExpiry({ action: 'accept-risk', decidedAt, expiresAt: '2027-02-26T10:00:00.000Z' });
    expect(expiry.toISOString()).toBe('2027-02-26T10:00:00.000Z');
  });

  it('accepts exactly 365 days', () => {
    expect(
      acceptanceExpiry({ action: 'accept-risk', decidedAt, expiresAt: '2027-11-28T10:00:00.000Z' }),
    ).toBeInstanceOf(Date);
  });

  it('refuses more than 365 days', () => {
    expect(() => acceptanceExpiry({ action: 'accept-risk', decidedAt, expiresAt: '2027-11-28T10:00:01.000Z' })).toThrow(
      /more than 365 days/,
    );
  });

  it('refuses an expiry in the past relative to now', () => {
    expect(() =>
      acceptanceExpiry(
        { action: 'accept-risk', decidedAt, expiresAt: '2026-12-01T00:00:00.000Z' },
        new Date('2026-12-02T00:00:00Z'),
      ),
    ).toThrow(/not in the future/);
  });

  it('refuses a missing or unparseable expiry', () => {
    expect(() => acceptanceExpiry({ action: 'accept-risk', decidedAt })).toThrow(InvalidInputError);
    expect(() => acceptanceExpiry({ action: 'accept-risk', decidedAt, expiresAt: 'next year' })).toThrow(/not a date/);
  });

  it('refuses decisions that are not a risk acceptance', () => {
    expect(() => acceptanceExpiry({ action: 'delete', decidedAt, expiresAt: '2027-01-01T00:00:00Z' })).toThrow(
      InvalidInputError,
    );
  });
});
