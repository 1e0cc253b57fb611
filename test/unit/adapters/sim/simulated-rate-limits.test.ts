import { parseScenario, type Scenario } from '../../../../functions/adapters/sim/scenario';
import {
  SimCredentialReportNotReadyError,
  SimulatedOrganization,
} from '../../../../functions/adapters/sim/simulated-organization';
import { VirtualClock } from '../../../../functions/adapters/sim/virtual-clock';
import { InvalidInputError, TransientAwsError } from '../../../../functions/core/errors';

/** A clock that stands still, so that no bucket refills between the calls of one test. */
const frozen = { now: () => 0 };
const member = (id: string) => ({ id, name: `member-${id.slice(-2)}`, isManagement: false });

function scenario(extra: Record<string, unknown> = {}, memberCount = 3): Scenario {
  return parseScenario({
    accounts: [
      { id: '100000000000', name: 'management', management: true },
      ...Array.from({ length: memberCount }, (_, i) => ({
        id: String(100000000001 + i),
        name: `member-${i}`,
        ...(i === 0 ? { rootKeys: [{ id: 'AKIAMEMBERROOTKEY001', createdAt: '2020-01-01T00:00:00Z' }] } : {}),
      })),
    ],
    ...extra,
  });
}

async function settle(promises: Promise<unknown>[]): Promise<('ok' | 'throttled')[]> {
  const results = await Promise.allSettled(promises);
  return results.map((r) => {
    if (r.status === 'fulfilled') return 'ok';
    if (r.reason instanceof TransientAwsError) return 'throttled';
    throw r.reason;
  });
}

describe('SimulatedOrganization rate limits', () => {
  it('refuses caller calls over the per-caller burst with throttling worded like AWS', async () => {
    // Prepare
    const clock = new VirtualClock();
    const sim = new SimulatedOrganization(scenario({ limits: { perCaller: { ratePerSecond: 1, burst: 2 } } }), {
      now: clock.now,
      sleep: clock.sleep,
    });
    const read = (id: string) => sim.read(member(id), { useAssumeRoot: true });

    // Act
    const outcomes = await settle([read('100000000001'), read('100000000002'), read('100000000003')]);

    // Assess
    expect(outcomes).toEqual(['ok', 'ok', 'throttled']);
    await expect(read('100000000003')).rejects.toThrow(/sts:AssumeRoot .*Throttling: Rate exceeded/);
    expect(sim.throttled['sts:AssumeRoot']).toBe(2);
  });

  it('lets caller calls through again once the bucket has refilled', async () => {
    const clock = new VirtualClock();
    const sim = new SimulatedOrganization(scenario({ limits: { perCaller: { ratePerSecond: 2, burst: 1 } } }), {
      now: clock.now,
      sleep: clock.sleep,
    });
    const read = () => sim.read(member('100000000002'), { useAssumeRoot: true });

    const outcomes = await clock.run(async () => {
      const first = await settle([read(), read()]);
      await clock.sleep(500);
      return [...first, ...(await settle([read()]))];
    });

    expect(outcomes).toEqual(['ok', 'throttled', 'ok']);
  });

  it('counts IAM calls against the target account, not the caller', async () => {
    const sim = new SimulatedOrganization(scenario({ limits: { perAccount: { ratePerSecond: 1, burst: 2 } } }), frozen);
    const read = (id: string) => sim.read(member(id), { useAssumeRoot: true });

    // A compliant read makes two IAM calls (GetAccountSummary, ListAccessKeys): the second read of
    // the same account finds its bucket empty; another account has its own.
    const outcomes = await settle([read('100000000002')]);
    const again = await settle([read('100000000002'), read('100000000003')]);

    expect([...outcomes, ...again]).toEqual(['ok', 'throttled', 'ok']);
    expect(sim.throttled['iam:GetAccountSummary']).toBe(1);
  });

  it('counts the calls made for each account, throttled ones included', async () => {
    const sim = new SimulatedOrganization(scenario({ limits: { perCaller: { ratePerSecond: 1, burst: 1 } } }), frozen);

    await settle([
      sim.read(member('100000000002'), { useAssumeRoot: true }),
      sim.read(member('100000000003'), { useAssumeRoot: true }),
    ]);

    expect(sim.callsByAccount.get('100000000002')).toBe(3);
    expect(sim.callsByAccount.get('100000000003')).toBe(1);
  });

  it('limits nothing when the scenario has no limits', async () => {
    const sim = new SimulatedOrganization(scenario({}, 40));

    const outcomes = await settle(
      Array.from({ length: 40 }, (_, i) => sim.read(member(String(100000000001 + i)), { useAssumeRoot: true })),
    );

    expect(outcomes.every((o) => o === 'ok')).toBe(true);
    expect(sim.throttled).toEqual({});
  });

  it('rejects a limit that could never pass a call', () => {
    expect(() => scenario({ limits: { perCaller: { ratePerSecond: 0, burst: 1 } } })).toThrow(InvalidInputError);
  });
});

describe('SimulatedOrganization credential report calls', () => {
  it('answers STARTED, then INPROGRESS until the report is generated, then COMPLETE', async () => {
    // Prepare
    const clock = new VirtualClock();
    const sim = new SimulatedOrganization(scenario({ limits: { credentialReportMs: 2000 } }), {
      now: clock.now,
      sleep: clock.sleep,
    });

    // Act
    const states = await clock.run(async () => {
      const seen = [await sim.generateCredentialReport('100000000001')];
      await clock.sleep(1000);
      seen.push(await sim.generateCredentialReport('100000000001'));
      await clock.sleep(1000);
      seen.push(await sim.generateCredentialReport('100000000001'));
      return seen;
    });

    // Assess
    expect(states).toEqual(['STARTED', 'INPROGRESS', 'COMPLETE']);
  });

  it('refuses GetCredentialReport before the report exists or while it is generated', async () => {
    const clock = new VirtualClock();
    const sim = new SimulatedOrganization(scenario({ limits: { credentialReportMs: 2000 } }), {
      now: clock.now,
      sleep: clock.sleep,
    });

    await expect(sim.getCredentialReport('100000000001')).rejects.toMatchObject({ name: 'ReportNotPresent' });
    await sim.generateCredentialReport('100000000001');
    await expect(sim.getCredentialReport('100000000001')).rejects.toBeInstanceOf(SimCredentialReportNotReadyError);
  });

  it('lists the root key by slot, without its id, once the report is complete', async () => {
    const sim = new SimulatedOrganization(scenario());

    expect(await sim.generateCredentialReport('100000000001')).toBe('COMPLETE');
    const report = await sim.getCredentialReport('100000000001');

    expect(report.keys).toEqual([
      expect.objectContaining({ status: 'Active', maskedId: expect.stringMatching(/^key 1/) }),
    ]);
    expect(report.keys[0]).not.toHaveProperty('id');
  });

  it('refuses AssumeRole into an account without the read role', async () => {
    const sim = new SimulatedOrganization(
      parseScenario({
        accounts: [
          { id: '100000000000', name: 'management', management: true },
          { id: '100000000001', name: 'no-role', readRole: false },
        ],
      }),
    );

    await expect(sim.assumeRole('100000000001', 'RootKeyReadOnly')).rejects.toMatchObject({
      name: 'AccessDeniedError',
      permission: 'sts:AssumeRole',
    });
  });
});
