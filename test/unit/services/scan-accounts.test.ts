import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario, parseScenarioText, type Scenario } from '../../../functions/adapters/sim/scenario';
import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import { DEFAULT_SETTINGS } from '../../../functions/services/dependencies';
import { detectAccount, scanAccounts, type AccountScanResult } from '../../../functions/services/scan-accounts';
import type { Account } from '../../../functions/core/account';
import type { PostureReading } from '../../../functions/core/account-posture';
import type { ReadOptions, RootKeyReaderPort } from '../../../functions/ports/root-key-reader';

const scenarioDir = join(__dirname, '../../../functions/adapters/sim/scenarios');
const defaultScenario = (): Scenario => parseScenarioText(readFileSync(join(scenarioDir, 'default.json'), 'utf8'));

function simWith(overrides: Partial<Scenario> = {}): SimulatedOrganization {
  return new SimulatedOrganization({ ...defaultScenario(), ...overrides });
}

function byId(results: AccountScanResult[]): Record<string, AccountScanResult> {
  return Object.fromEntries(results.map((r) => [r.account.id, r]));
}

describe('scanAccounts', () => {
  it('decides every account of the simulated organization, reading each the way AWS allows', async () => {
    // Prepare
    const sim = simWith();

    // Act
    const result = await scanAccounts({ organization: sim, reader: sim, roleName: 'RootKeyReadOnly' });

    // Assess
    const r = byId(result.accounts);
    expect(result.accounts.map((a) => a.account.id)).toEqual([
      '111111111111',
      '222222222222',
      '333333333333',
      '444444444444',
    ]);
    expect(r['111111111111']).toMatchObject({
      posture: { status: 'NON_COMPLIANT', method: 'read-only-role', keys: [{ status: 'Inactive' }] },
    });
    expect(r['333333333333']).toMatchObject({
      posture: { status: 'NON_COMPLIANT', method: 'assume-root-audit', keys: [{ maskedId: 'AKIA************0042' }] },
    });
    expect(r['222222222222']).toMatchObject({ posture: { status: 'COMPLIANT' } });
    expect(result.summary).toEqual({
      accounts: 4,
      compliant: 2,
      nonCompliant: 2,
      errors: 0,
      keys: 2,
      activeKeys: 1,
      inactiveKeys: 1,
    });
    expect(sim.calls['sts:AssumeRoot']).toBe(3);
    expect(sim.calls['sts:AssumeRole']).toBe(1);
  });

  it('carries the request ids of each read into the posture', async () => {
    const sim = simWith();

    const result = await scanAccounts({ organization: sim, reader: sim, roleName: 'RootKeyReadOnly' });

    for (const r of result.accounts) {
      expect('posture' in r && r.posture.requestIds && r.posture.requestIds.length > 0).toBe(true);
    }
  });

  it('reports a failing account with its typed error while the others are scanned', async () => {
    const scenario = defaultScenario();
    scenario.accounts[0] = { ...scenario.accounts[0], readRole: false };
    const sim = new SimulatedOrganization(scenario);

    const result = await scanAccounts({ organization: sim, reader: sim, roleName: 'RootKeyReadOnly' });

    const management = byId(result.accounts)['111111111111'];
    expect(management).toMatchObject({
      stage: 'read',
      error: {
        name: 'AccessDeniedError',
        permission: 'sts:AssumeRole',
        where: 'arn:aws:iam::111111111111:role/RootKeyReadOnly',
        transient: false,
      },
    });
    expect(result.summary).toMatchObject({ errors: 1, nonCompliant: 1, compliant: 2 });
  });

  it('scans only the accounts asked for, and reports an unknown one as a lookup error', async () => {
    const sim = simWith();

    const result = await scanAccounts({
      organization: sim,
      reader: sim,
      accounts: ['333333333333', '999999999999', '333333333333'],
    });

    expect(result.accounts.map((a) => a.account.id)).toEqual(['333333333333', '999999999999']);
    expect(result.accounts[1]).toMatchObject({ stage: 'lookup', error: { name: 'InvalidInputError' } });
    expect(sim.calls['organizations:ListAccounts']).toBeUndefined();
  });

  it('reads member accounts through the role when centralized root access is off, offering no automated removal', async () => {
    const sim = simWith({ features: { rootCredentialsManagement: false, rootSessions: false } });

    const result = await scanAccounts({ organization: sim, reader: sim, roleName: 'RootKeyReadOnly' });

    const payments = byId(result.accounts)['333333333333'];
    expect(payments).toMatchObject({ posture: { status: 'NON_COMPLIANT', method: 'read-only-role' } });
    expect('posture' in payments && payments.posture.removalPaths).toEqual(['root-sign-in', 'password-recovery']);
    expect(sim.calls['sts:AssumeRoot']).toBeUndefined();
  });

  it('marks an account whose reads stay throttled as a transient error', async () => {
    const sim = simWith({
      faults: { throttleRate: 1, serverErrorRate: 0, latencyMs: 0, visibilityDelayMs: 0, seed: 7 },
    });
    // Features read before the faults matter; only the account's own reads are throttled.
    const organization = {
      listAccounts: () => sim.listAccounts(),
      getAccount: (id: string) => sim.getAccount(id),
      rootAccessFeatures: async () => ({ rootCredentialsManagement: true, rootSessions: true }),
    };

    const result = await scanAccounts({ organization, reader: sim, accounts: ['222222222222'] });

    expect(result.accounts[0]).toMatchObject({ stage: 'read', error: { name: 'TransientAwsError', transient: true } });
  });

  it('fails as a whole when the organization itself cannot be read', async () => {
    const sim = simWith({
      faults: { throttleRate: 1, serverErrorRate: 0, latencyMs: 0, visibilityDelayMs: 0, seed: 7 },
    });

    await expect(scanAccounts({ organization: sim, reader: sim })).rejects.toThrow('Simulated throttling');
  });

  it('reports progress from 0 to the total, once per account', async () => {
    const sim = simWith();
    const progress: [number, number][] = [];

    await scanAccounts({
      organization: sim,
      reader: sim,
      roleName: 'RootKeyReadOnly',
      onProgress: (done, total) => progress.push([done, total]),
    });

    expect(progress).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
  });

  it('reads no more accounts at once than the concurrency allows', async () => {
    // Prepare: a reader double that holds every read until released, counting reads in flight.
    const accounts: Account[] = Array.from({ length: 12 }, (_, i) => ({
      id: String(100000000000 + i),
      name: `account-${i}`,
      isManagement: false,
    }));
    let inFlight = 0;
    let maxInFlight = 0;
    const gate: (() => void)[] = [];
    const reader: RootKeyReaderPort = {
      async read(account: Account, _options: ReadOptions): Promise<PostureReading> {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((resolve) => gate.push(resolve));
        inFlight--;
        return {
          accountId: account.id,
          method: 'assume-root-audit',
          signals: { accountAccessKeysPresent: 0, listedKeys: [] },
          readAt: '2026-11-28T10:00:00.000Z',
        };
      },
    };
    const organization = {
      listAccounts: async () => accounts,
      getAccount: async (id: string) => accounts.find((a) => a.id === id) as Account,
      rootAccessFeatures: async () => ({ rootCredentialsManagement: true, rootSessions: true }),
    };

    // Act
    const scanning = scanAccounts({ organization, reader, concurrency: 4 });
    let released = 0;
    while (released < accounts.length) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const next = gate.shift();
      if (next) {
        next();
        released++;
      }
    }
    const result = await scanning;

    // Assess
    expect(maxInFlight).toBe(4);
    expect(result.summary.compliant).toBe(12);
  });
});

describe('detectAccount', () => {
  it("decides one account's posture, reading the management account through settings.readRoleName", async () => {
    const sim = simWith();
    const deps = { organization: sim, reader: sim, settings: { ...DEFAULT_SETTINGS, readRoleName: 'RootKeyReadOnly' } };

    const posture = await detectAccount(deps, '111111111111');

    expect(posture.account).toMatchObject({ id: '111111111111', isManagement: true });
    expect(posture.status).toBe('NON_COMPLIANT');
    expect(posture.method).toBe('read-only-role');
    // The credential report is asked for as supporting evidence on the role path.
    expect(posture.signals.credentialReport?.keys).toHaveLength(1);
    expect(posture.removalPaths).not.toContain('assume-root-delete');
  });

  it('prefers AssumeRoot for a member account', async () => {
    const sim = simWith();

    const posture = await detectAccount({ organization: sim, reader: sim, settings: DEFAULT_SETTINGS }, '333333333333');

    expect(posture.method).toBe('assume-root-audit');
    // The full id stays inside the adapters that call AWS with it; the workflow keeps the masked one.
    expect(posture.keys[0].maskedId).toBe('AKIA************0042');
    expect(JSON.stringify(posture)).not.toContain('AKIAPAYMENTSROOT0042');
    expect(posture.removalPaths).toContain('assume-root-delete');
  });

  it('refuses an account id that is not 12 digits', async () => {
    const sim = simWith();

    await expect(
      detectAccount({ organization: sim, reader: sim, settings: DEFAULT_SETTINGS }, '12345'),
    ).rejects.toThrow("account id '12345' is not 12 digits");
  });

  it('works for a standalone account read through the role', async () => {
    const sim = new SimulatedOrganization(
      parseScenario({ standalone: true, accounts: [{ id: '777777777777', name: 'solo', rootKeys: [] }] }),
    );

    const posture = await detectAccount(
      { organization: sim, reader: sim, settings: { ...DEFAULT_SETTINGS, readRoleName: 'RootKeyReadOnly' } },
      '777777777777',
    );

    expect(posture.status).toBe('COMPLIANT');
    expect(posture.removalPaths).toEqual(['root-sign-in', 'password-recovery']);
  });
});
