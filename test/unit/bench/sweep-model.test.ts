import { DEFAULT_SWEEP_MODEL, sweepCeiling, sweepScenario } from '../../../bench/sweep/organization-sweep';

describe('the sweep benchmark model', () => {
  it('builds an organization with one management account and a root key in every n-th member', () => {
    // Act
    const scenario = sweepScenario({ ...DEFAULT_SWEEP_MODEL, accounts: 250, keyEvery: 100 });

    // Assess
    expect(scenario.accounts).toHaveLength(250);
    expect(scenario.accounts.filter((a) => a.management).map((a) => a.id)).toEqual(['100000000000']);
    expect(scenario.accounts.filter((a) => a.rootKeys.length > 0).map((a) => a.id)).toEqual([
      '100000000100',
      '100000000200',
    ]);
    expect(scenario.limits).toEqual({
      perCaller: DEFAULT_SWEEP_MODEL.perCaller,
      perAccount: DEFAULT_SWEEP_MODEL.perAccount,
      credentialReportMs: DEFAULT_SWEEP_MODEL.credentialReportMs,
    });
  });

  it('derives the account rate the caller limit allows from the caller calls per account', () => {
    expect(sweepCeiling(DEFAULT_SWEEP_MODEL, 1)).toBe(50);
    expect(sweepCeiling(DEFAULT_SWEEP_MODEL, 2)).toBe(25);
  });
});
