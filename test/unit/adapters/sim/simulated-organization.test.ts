import { parseScenario, type Scenario } from '../../../../functions/adapters/sim/scenario';
import { SimulatedOrganization } from '../../../../functions/adapters/sim/simulated-organization';
import {
  AccessDeniedError,
  InvalidInputError,
  KeysChangedError,
  RootAccessUnavailableError,
  TransientAwsError,
} from '../../../../functions/core/errors';

const management = { id: '111111111111', name: 'management', isManagement: true };
const member = { id: '333333333333', name: 'payments-prod', isManagement: false };

function scenario(overrides: Record<string, unknown> = {}): Scenario {
  return parseScenario({
    accounts: [
      {
        id: '111111111111',
        name: 'management',
        management: true,
        rootKeys: [{ id: 'AKIAMGMTROOTKEY00001', status: 'Inactive', createdAt: '2019-03-14T09:12:00Z' }],
      },
      {
        id: '333333333333',
        name: 'payments-prod',
        rootKeys: [{ id: 'AKIAPAYMENTSROOT0042', createdAt: '2020-11-02T08:00:00Z' }],
      },
    ],
    ...overrides,
  });
}

describe('SimulatedOrganization', () => {
  describe('like AWS, AssumeRoot cannot target the management account', () => {
    it('refuses to delete the management account root key through AssumeRoot', async () => {
      const sim = new SimulatedOrganization(scenario());

      await expect(sim.deleteRootKeys('111111111111', ['AKIA************0001'])).rejects.toThrow(
        RootAccessUnavailableError,
      );
      expect(sim.liveKeyIds('111111111111')).toEqual(['AKIA************0001']);
      expect(sim.calls['sts:AssumeRoot']).toBeUndefined();
    });

    it('refuses to read it through AssumeRoot and asks for a role', async () => {
      const sim = new SimulatedOrganization(scenario());

      const error = (await sim.read(management, { useAssumeRoot: true }).catch((e: unknown) => e)) as AccessDeniedError;

      expect(error).toBeInstanceOf(AccessDeniedError);
      expect(error.permission).toBe('sts:AssumeRoot');
      expect(error.message).toContain('--role-name');
    });

    it('reads it through the role, with no key ids (only the summary and the credential report)', async () => {
      const sim = new SimulatedOrganization(scenario());

      const reading = await sim.read(management, {
        useAssumeRoot: true,
        roleName: 'RootKeyReadOnly',
        includeCredentialReport: true,
      });

      expect(reading.method).toBe('read-only-role');
      expect(reading.signals.accountAccessKeysPresent).toBe(1);
      expect(reading.signals.listedKeys).toBeUndefined();
      expect(reading.signals.credentialReport?.keys[0].id).toBeUndefined();
    });

    it('refuses the role when the account has none', async () => {
      const s = scenario();
      s.accounts[0] = { ...s.accounts[0], readRole: false };
      const sim = new SimulatedOrganization(s);

      await expect(sim.read(management, { useAssumeRoot: true, roleName: 'RootKeyReadOnly' })).rejects.toThrow(
        'sts:AssumeRole is not allowed for arn:aws:iam::111111111111:role/RootKeyReadOnly',
      );
    });
  });

  it('refuses AssumeRoot for member accounts when RootSessions is off', async () => {
    const sim = new SimulatedOrganization(
      scenario({ features: { rootCredentialsManagement: true, rootSessions: false } }),
    );

    await expect(sim.deleteRootKeys('333333333333', ['AKIA************0042'])).rejects.toThrow(/RootSessions/);
    await expect(sim.read(member, { useAssumeRoot: true })).rejects.toThrow(AccessDeniedError);
  });

  describe('visibility delay (eventual consistency)', () => {
    it('keeps showing a deleted key to reads until the delay has passed', async () => {
      // Prepare: a clock the test moves by hand.
      let now = Date.parse('2026-11-28T10:00:00Z');
      const sim = new SimulatedOrganization(scenario({ faults: { visibilityDelayMs: 30_000, seed: 1 } }), {
        now: () => now,
      });

      // Act
      const deleted = await sim.deleteRootKeys('333333333333', ['AKIA************0042']);
      const soon = await sim.read(member, { useAssumeRoot: true });
      now += 30_000;
      const later = await sim.read(member, { useAssumeRoot: true });

      // Assess
      expect(deleted.deletedKeys).toEqual(['AKIA************0042']);
      expect(sim.liveKeyIds('333333333333')).toEqual([]);
      expect(soon.signals.accountAccessKeysPresent).toBe(1);
      expect(later.signals.accountAccessKeysPresent).toBe(0);
      expect(later.signals.listedKeys).toEqual([]);
    });
  });

  describe('keys changed since approval', () => {
    it('deletes nothing when a new key appeared after the approver saw the keys', async () => {
      const sim = new SimulatedOrganization(scenario());
      const newKey = sim.createRootKey('333333333333', { id: 'AKIANEWROOTKEY000099' });

      const error = (await sim
        .deleteRootKeys('333333333333', ['AKIA************0042'])
        .catch((e: unknown) => e)) as KeysChangedError;

      expect(error).toBeInstanceOf(KeysChangedError);
      expect(error.approvedKeyIds).toEqual(['AKIA************0042']);
      expect(error.currentKeyIds).toEqual(['AKIA************0042', newKey].sort());
      expect(sim.liveKeyIds('333333333333')).toHaveLength(2);
      expect(sim.calls['iam:DeleteAccessKey']).toBeUndefined();
    });

    it('refuses a third key, as AWS allows at most two', () => {
      const sim = new SimulatedOrganization(scenario());
      sim.createRootKey('333333333333');

      expect(() => sim.createRootKey('333333333333')).toThrow(InvalidInputError);
    });
  });

  describe('seeded throttling', () => {
    async function faultPattern(seed: number): Promise<boolean[]> {
      const sim = new SimulatedOrganization(scenario({ faults: { throttleRate: 0.5, seed } }));
      const pattern: boolean[] = [];
      for (let i = 0; i < 20; i++) {
        pattern.push(
          await sim.listAccounts().then(
            () => false,
            (e: unknown) => e instanceof TransientAwsError,
          ),
        );
      }
      return pattern;
    }

    it('throttles the same calls run after run for the same seed', async () => {
      const first = await faultPattern(42);
      const second = await faultPattern(42);

      expect(second).toEqual(first);
      expect(first).toContain(true);
      expect(first).toContain(false);
    });

    it('throttles different calls for another seed', async () => {
      expect(await faultPattern(42)).not.toEqual(await faultPattern(43));
    });

    it('counts every call and every injected fault', async () => {
      const sim = new SimulatedOrganization(scenario({ faults: { throttleRate: 1, seed: 3 } }));

      await expect(sim.read(member, { useAssumeRoot: true })).rejects.toThrow(/Simulated throttling: sts:AssumeRoot/);

      expect(sim.calls['sts:AssumeRoot']).toBe(1);
      expect(sim.faultsInjected).toBe(1);
    });
  });
});
