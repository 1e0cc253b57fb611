import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';
import type { CliIO } from '../../cli/io';
import { ROOTKEY_SCP_CONTENT } from '../../functions/core/guardrails';

function captureIO(prompt?: (q: string) => Promise<string>) {
  let out = '';
  let err = '';
  const questions: string[] = [];
  const io: CliIO = {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk), isTTY: false },
    env: {},
    ...(prompt
      ? {
          prompt: async (q: string) => {
            questions.push(q);
            return prompt(q);
          },
        }
      : {}),
  };
  return { io, stdout: () => out, stderr: () => err, questions };
}

const OU_PROD = 'ou-sim0-prod0001';
const OU_DEV = 'ou-sim0-dev00001';
const noCredentials = { password: false, mfaDevices: 0, signingCertificates: 0 };

/** Management account, two member accounts in Prod and one in Dev; options change SCPs and features. */
function scenarioFile(
  organization: Record<string, unknown> = {},
  features = { rootCredentialsManagement: true, rootSessions: true },
): string {
  const dir = mkdtempSync(join(tmpdir(), 'rootkey-guardrails-'));
  const file = join(dir, 'scenario.json');
  writeFileSync(
    file,
    JSON.stringify({
      features,
      accounts: [
        { id: '111111111111', name: 'management', management: true },
        { id: '333333333333', name: 'payments-prod', parent: OU_PROD, rootCredentials: noCredentials },
        { id: '444444444444', name: 'logging', parent: OU_PROD, rootCredentials: noCredentials },
        { id: '555555555555', name: 'sandbox', parent: OU_DEV, rootCredentials: noCredentials },
      ],
      organization: {
        rootId: 'r-sim0',
        ous: [
          { id: OU_PROD, name: 'Prod' },
          { id: OU_DEV, name: 'Dev' },
        ],
        ...organization,
      },
    }),
  );
  return file;
}

const controlTower = (attachedTo: string[]) => ({
  id: 'p-ctguard01',
  name: 'aws-guardrails-abc',
  content: ROOTKEY_SCP_CONTENT,
  attachedTo,
});

interface GuardrailsDoc {
  status: string;
  exitCode: number;
  uncoveredAccounts: string[];
  uncoveredTargets: string[];
  accounts: { accountId: string; type: string; covered: boolean; rootCredentials?: unknown }[];
  notes: string[];
}

describe('rootkey guardrails (check)', () => {
  it('exits 0 when an equivalent SCP at the root covers every member account and no root credential remains', async () => {
    const c = captureIO();

    const code = await main(
      ['guardrails', '--scenario', scenarioFile({ policies: [controlTower(['r-sim0'])] }), '--json'],
      c.io,
    );

    expect(code).toBe(0);
    const doc = JSON.parse(c.stdout()) as GuardrailsDoc;
    expect(doc.status).toBe('in-place');
    expect(doc.accounts.find((a) => a.type === 'management')?.covered).toBe(false);
    expect(doc.notes[0]).toContain('management account');
  });

  it('exits 3 naming the OU whose accounts are not covered', async () => {
    const c = captureIO();

    const code = await main(
      ['guardrails', '--scenario', scenarioFile({ policies: [controlTower([OU_PROD])] }), '--json'],
      c.io,
    );

    expect(code).toBe(3);
    const doc = JSON.parse(c.stdout()) as GuardrailsDoc;
    expect(doc.uncoveredAccounts).toEqual(['555555555555']);
    expect(doc.uncoveredTargets).toEqual([OU_DEV]);
  });

  it('exits 3 when SCPs are disabled and when a centralized root access feature is off', async () => {
    const disabled = captureIO();
    expect(await main(['guardrails', '--scenario', scenarioFile({ scpsEnabled: false })], disabled.io)).toBe(3);
    expect(disabled.stdout()).toContain('Service control policies: NOT enabled');

    const featureOff = captureIO();
    const file = scenarioFile(
      { policies: [controlTower(['r-sim0'])] },
      { rootCredentialsManagement: false, rootSessions: true },
    );
    expect(await main(['guardrails', '--scenario', file], featureOff.io)).toBe(3);
    expect(featureOff.stdout()).toContain('RootCredentialsManagement is off');
  });

  it('reports member accounts that still have root credentials in the default sandbox (exit 3)', async () => {
    const c = captureIO();

    const code = await main(['guardrails', '--sandbox', '--json'], c.io);

    expect(code).toBe(3);
    const doc = JSON.parse(c.stdout()) as GuardrailsDoc & { accountsWithRootCredentials: string[] };
    expect(doc.accountsWithRootCredentials).toEqual(['222222222222', '333333333333', '444444444444']);
    expect(doc.accounts.find((a) => a.accountId === '333333333333')?.rootCredentials).toEqual({
      password: true,
      mfaDevices: 1,
      signingCertificates: 0,
    });
  });

  it('exits 2 for an unknown flag', async () => {
    const c = captureIO();
    expect(await main(['guardrails', '--sandbx'], c.io)).toBe(2);
  });
});

describe('rootkey guardrails apply', () => {
  it('prints the plan and asks; "no" changes nothing (exit 1)', async () => {
    const c = captureIO(async () => 'no');

    const code = await main(['guardrails', 'apply', '--scenario', scenarioFile()], c.io);

    expect(code).toBe(1);
    expect(c.questions).toHaveLength(1);
    expect(c.stdout()).toContain('organizations:CreatePolicy');
    expect(c.stdout()).toContain('"TargetId":"r-sim0"');
    expect(c.stdout()).toContain('Nothing was changed.');
    expect(c.stdout()).not.toContain('Created rootkey-deny-root-access-keys (');
  });

  it('applies after "yes", and with --yes without asking', async () => {
    const asked = captureIO(async () => 'yes');
    expect(await main(['guardrails', 'apply', '--scenario', scenarioFile()], asked.io)).toBe(0);
    expect(asked.stdout()).toContain('Created rootkey-deny-root-access-keys');

    const noAsk = captureIO(async () => {
      throw new Error('must not ask');
    });
    expect(
      await main(['guardrails', 'apply', '--scenario', scenarioFile(), '--attach-to', OU_DEV, '--yes'], noAsk.io),
    ).toBe(0);
    expect(noAsk.questions).toHaveLength(0);
    expect(noAsk.stdout()).toContain(`Attached it to ${OU_DEV}: 1 member account(s)`);
    expect(noAsk.stdout()).toContain('Still not covered afterwards: 333333333333, 444444444444');
  });

  it('refuses without a terminal and without --yes, changing nothing', async () => {
    const c = captureIO();

    expect(await main(['guardrails', 'apply', '--scenario', scenarioFile()], c.io)).toBe(1);
    expect(c.stderr()).toContain('Re-run with --yes');
  });

  it('has nothing to do when an equivalent policy already covers everyone (exit 0)', async () => {
    const c = captureIO();
    expect(
      await main(
        ['guardrails', 'apply', '--scenario', scenarioFile({ policies: [controlTower(['r-sim0'])] }), '--yes'],
        c.io,
      ),
    ).toBe(0);
    expect(c.stdout()).toContain('Nothing to do.');
  });

  it('refuses clearly when SCPs are disabled, at the policy quota, and when the caller cannot manage policies', async () => {
    const disabled = captureIO();
    expect(
      await main(['guardrails', 'apply', '--scenario', scenarioFile({ scpsEnabled: false }), '--yes'], disabled.io),
    ).toBe(1);
    expect(disabled.stderr()).toContain('Service control policies are not enabled');

    const quota = captureIO();
    expect(await main(['guardrails', 'apply', '--scenario', scenarioFile({ maxScps: 1 }), '--yes'], quota.io)).toBe(1);
    expect(quota.stderr()).toMatch(/quota/);

    const readOnly = captureIO();
    expect(
      await main(['guardrails', 'apply', '--scenario', scenarioFile({ readOnlyCaller: true }), '--yes'], readOnly.io),
    ).toBe(1);
    expect(readOnly.stderr()).toContain('organizations:CreatePolicy is not allowed');
    expect(readOnly.stderr()).toContain('delegated administrator');
  });

  it('exits 2 for an --attach-to that is neither a root nor an OU id, and 1 for an OU that does not exist', async () => {
    const bad = captureIO();
    expect(await main(['guardrails', 'apply', '--sandbox', '--attach-to', '333333333333'], bad.io)).toBe(2);
    expect(bad.stderr()).toContain('--attach-to must be the root id');

    const unknown = captureIO();
    expect(
      await main(
        ['guardrails', 'apply', '--scenario', scenarioFile(), '--attach-to', 'ou-sim0-missing01', '--yes'],
        unknown.io,
      ),
    ).toBe(1);
    expect(unknown.stderr()).toContain('neither the root nor an OU');
  });
});

describe('rootkey scan --json: root credential posture', () => {
  it('adds rootCredentials for member accounts read through AssumeRoot, not for the management account, schema unchanged', async () => {
    const c = captureIO();

    await main(['scan', '--sandbox', '--json'], c.io);

    const doc = JSON.parse(c.stdout()) as {
      schemaVersion: number;
      accounts: { accountId: string; rootCredentials?: unknown }[];
    };
    expect(doc.schemaVersion).toBe(1);
    expect(doc.accounts.find((a) => a.accountId === '333333333333')?.rootCredentials).toEqual({
      password: true,
      mfaDevices: 1,
      signingCertificates: 0,
    });
    expect(doc.accounts.find((a) => a.accountId === '111111111111')).not.toHaveProperty('rootCredentials');
  });
});
