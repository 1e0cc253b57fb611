import { parseScenario } from '../../../functions/adapters/sim/scenario';
import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import { VirtualClock } from '../../../functions/adapters/sim/virtual-clock';
import { AdaptiveRateLimiter } from '../../../functions/services/adaptive-rate-limiter';
import { scanAccounts } from '../../../functions/services/scan-accounts';

/** 60 member accounts (one with a root key) behind a caller limit of 5 STS calls a second. */
function throttledOrganization(clock: VirtualClock): SimulatedOrganization {
  return new SimulatedOrganization(
    parseScenario({
      accounts: [
        { id: '100000000000', name: 'management', management: true },
        ...Array.from({ length: 60 }, (_, i) => ({
          id: String(100000000001 + i),
          name: `member-${i}`,
          ...(i === 30 ? { rootKeys: [{ id: 'AKIAMEMBERROOTKEY030', createdAt: '2020-01-01T00:00:00Z' }] } : {}),
        })),
      ],
      limits: { perCaller: { ratePerSecond: 5, burst: 5 } },
      faults: { latencyMs: 50 },
    }),
    { now: clock.now, sleep: clock.sleep },
  );
}

describe('scanAccounts under API rate limits', () => {
  it('without pacing, reports the accounts whose reads were throttled as transient errors', async () => {
    // Prepare
    const clock = new VirtualClock();
    const sim = throttledOrganization(clock);

    // Act
    const result = await clock.run(() =>
      scanAccounts({ organization: sim, reader: sim, roleName: 'RootKeyReadOnly', concurrency: 16 }),
    );

    // Assess
    expect(result.summary.errors).toBeGreaterThan(0);
    expect(result.accounts.find((a) => 'error' in a)).toMatchObject({
      error: { name: 'TransientAwsError', transient: true },
    });
  });

  it('with pacing, reads every account, finds the root key and slows down to the limit', async () => {
    const clock = new VirtualClock();
    const sim = throttledOrganization(clock);
    const limiter = new AdaptiveRateLimiter({ now: clock.now, sleep: clock.sleep });

    const result = await clock.run(() =>
      scanAccounts({
        organization: sim,
        reader: sim,
        roleName: 'RootKeyReadOnly',
        concurrency: 16,
        pacing: { limiter, now: clock.now, sleep: clock.sleep, random: () => 0.5 },
      }),
    );

    expect(result.summary).toMatchObject({ accounts: 61, errors: 0, nonCompliant: 1 });
    expect(limiter.stats.decreases).toBeGreaterThan(0);
    expect(sim.calls['sts:AssumeRoot']).toBeGreaterThan(60);
  });

  it('with pacing, still reports an account whose reads fail for good', async () => {
    const clock = new VirtualClock();
    const sim = new SimulatedOrganization(
      parseScenario({
        accounts: [
          { id: '100000000000', name: 'management', management: true, readRole: false },
          { id: '100000000001', name: 'member' },
        ],
      }),
      { now: clock.now, sleep: clock.sleep },
    );

    const result = await clock.run(() =>
      scanAccounts({
        organization: sim,
        reader: sim,
        roleName: 'RootKeyReadOnly',
        pacing: { now: clock.now, sleep: clock.sleep },
      }),
    );

    expect(result.accounts[0]).toMatchObject({ stage: 'read', error: { name: 'AccessDeniedError' } });
    expect(sim.calls['sts:AssumeRole']).toBe(1);
  });
});
