import { credentialReportKeyLabel } from '../../functions/core/credential-report';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';
import type { CliIO } from '../../cli/io';
import { parseScenarioText } from '../../functions/adapters/sim/scenario';
import { maskAccessKeyId } from '../../functions/core/root-key';

const root = join(__dirname, '../..');
const scenarios = join(root, 'functions/adapters/sim/scenarios');
const defaultScenario = parseScenarioText(readFileSync(join(scenarios, 'default.json'), 'utf8'));

interface Captured {
  io: CliIO;
  stdout: () => string;
  stderr: () => string;
}

function captureIO(options: { stderrIsTTY?: boolean; env?: NodeJS.ProcessEnv } = {}): Captured {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (chunk: string) => (out += chunk) },
      stderr: { write: (chunk: string) => (err += chunk), isTTY: options.stderrIsTTY ?? false },
      env: options.env ?? {},
    },
    stdout: () => out,
    stderr: () => err,
  };
}

interface ScanDocument {
  schemaVersion: number;
  source: string;
  exitCode: number;
  summary: { accounts: number; compliant: number; nonCompliant: number; errors: number };
  accounts: {
    accountId: string;
    accountName: string;
    type: string;
    status: string;
    method?: string;
    keys: { maskedId: string; status: string; lastUsed?: { service?: string; region?: string } }[];
    removalPaths?: string[];
    error?: { name: string; message: string; permission?: string; hint?: string };
  }[];
}

/** What the default scenario says each account holds, as the scan must report it. */
function assessDefaultScenario(doc: ScanDocument): void {
  expect(doc.schemaVersion).toBe(1);
  expect(doc.source).toBe('sandbox');
  expect(doc.accounts.map((a) => a.accountId)).toEqual(defaultScenario.accounts.map((a) => a.id));
  for (const spec of defaultScenario.accounts) {
    const reported = doc.accounts.find((a) => a.accountId === spec.id);
    expect(reported).toBeDefined();
    expect(reported?.accountName).toBe(spec.name);
    expect(reported?.type).toBe(spec.management ? 'management' : 'member');
    expect(reported?.status).toBe(spec.rootKeys.length > 0 ? 'NON_COMPLIANT' : 'COMPLIANT');
    expect(reported?.keys.map((k) => [k.maskedId, k.status])).toEqual(
      // The role path reads the credential report, which names key slots, never key ids.
      spec.rootKeys.map((k, i) => [
        spec.management ? credentialReportKeyLabel(i + 1) : maskAccessKeyId(k.id),
        k.status,
      ]),
    );
    expect(reported?.method).toBe(spec.management ? 'read-only-role' : 'assume-root-audit');
  }
  const payments = doc.accounts.find((a) => a.accountId === '333333333333');
  expect(payments?.keys[0].lastUsed).toMatchObject({ service: 'ec2', region: 'eu-west-1' });
  expect(payments?.removalPaths).toContain('assume-root-delete');
  expect(doc.summary).toMatchObject({ accounts: 4, compliant: 2, nonCompliant: 2, errors: 0 });
}

function writeScenario(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'rootkey-scan-'));
  const file = join(dir, 'scenario.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('rootkey scan (in-process)', () => {
  it('reports every simulated account correctly as JSON and exits 3 because root keys exist', async () => {
    // Prepare
    const c = captureIO();

    // Act
    const code = await main(['scan', '--sandbox', '--json'], c.io);

    // Assess
    expect(code).toBe(3);
    const doc = JSON.parse(c.stdout()) as ScanDocument;
    assessDefaultScenario(doc);
    expect(doc.exitCode).toBe(3);
    // Full key ids never leave the process.
    expect(c.stdout()).not.toContain('AKIAPAYMENTSROOT0042');
    expect(c.stdout()).not.toContain('AKIAMGMTROOTKEY00001');
  });

  it('exits 0 for the all-compliant scenario and says so in the summary line', async () => {
    const c = captureIO();

    const code = await main(['scan', '--sandbox', '--scenario', join(scenarios, 'all-compliant.json')], c.io);

    expect(code).toBe(0);
    expect(c.stdout()).toContain('3 accounts scanned: 3 compliant, 0 non-compliant, 0 errors.');
  });

  it('prints a table with status, masked key, last use and removal paths', async () => {
    const c = captureIO();

    const code = await main(['scan', '--sandbox'], c.io);

    expect(code).toBe(3);
    const lines = c.stdout().split('\n');
    const payments = lines.findIndex((l) => l.startsWith('333333333333'));
    expect(lines[0]).toMatch(/^ACCOUNT\s+NAME\s+TYPE\s+STATUS\s+METHOD\s+REMOVAL PATHS$/);
    expect(lines[payments]).toMatch(/payments-prod\s+member\s+NON-COMPLIANT\s+assume-root-audit\s+assume-root-delete/);
    expect(lines[payments + 1]).toMatch(
      /key AKIA\*+0042\s+Active\s+created 2020-11-02\s+last used 2026-11-20 ec2 eu-west-1/,
    );
    expect(c.stdout()).toMatch(
      /111111111111\s+management\s+management\s+NON-COMPLIANT\s+read-only-role\s+root-sign-in/,
    );
    expect(c.stdout()).toContain(
      '4 accounts scanned: 2 compliant, 2 non-compliant (2 root keys: 1 active, 1 inactive), 0 errors.',
    );
  });

  it('scans only the accounts named with --account', async () => {
    const c = captureIO();

    const code = await main(
      ['scan', '--sandbox', '--json', '--account', '222222222222', '--account', '444444444444'],
      c.io,
    );

    expect(code).toBe(0);
    const doc = JSON.parse(c.stdout()) as ScanDocument;
    expect(doc.accounts.map((a) => a.accountId)).toEqual(['222222222222', '444444444444']);
  });

  it('exits 2 for an account id that is not 12 digits, naming it', async () => {
    const c = captureIO();

    const code = await main(['scan', '--sandbox', '--account', '12345'], c.io);

    expect(code).toBe(2);
    expect(c.stderr()).toContain("account id '12345' is not 12 digits");
    expect(c.stdout()).toBe('');
  });

  it('exits 2 for an account that is not in the organization, as rootkey runbook does', async () => {
    const scan = captureIO();
    const runbook = captureIO();

    const scanCode = await main(['scan', '--sandbox', '--account', '999999999999'], scan.io);
    const runbookCode = await main(['runbook', '--sandbox', '--account', '999999999999'], runbook.io);

    expect(scanCode).toBe(2);
    expect(runbookCode).toBe(2);
    expect(scan.stdout()).toContain('999999999999');
    expect(scan.stdout()).toContain('not in the simulated organization');
  });

  it('exits 2 for an unknown flag', async () => {
    const c = captureIO();

    const code = await main(['scan', '--sandbox', '--acount', '222222222222'], c.io);

    expect(code).toBe(2);
    expect(c.stderr()).toContain("Unknown option '--acount'");
  });

  it.each([
    [['--org', '--account', '222222222222'], '--org and --account cannot be combined'],
    [['--concurrency', '0'], '--concurrency must be a whole number from 1 to 64'],
    [['--concurrency', 'many'], '--concurrency must be a whole number from 1 to 64'],
    [['--role-name', 'bad name!'], '--role-name: a role name is 1-64 characters'],
  ])('exits 2 for %j', async (flags, message) => {
    const c = captureIO();

    const code = await main(['scan', '--sandbox', ...flags], c.io);

    expect(code).toBe(2);
    expect(c.stderr()).toContain(message);
  });

  it('exits 2 with a clear message for a scenario file that is not a valid scenario', async () => {
    const notJson = writeScenario('{ nope');
    const invalid = writeScenario({ accounts: [{ id: '123', name: 'x' }] });
    const a = captureIO();
    const b = captureIO();
    const missing = captureIO();

    expect(await main(['scan', '--scenario', notJson], a.io)).toBe(2);
    expect(await main(['scan', '--scenario', invalid], b.io)).toBe(2);
    expect(await main(['scan', '--scenario', join(tmpdir(), 'no-such-scenario.json')], missing.io)).toBe(2);

    expect(a.stderr()).toContain('not JSON');
    expect(b.stderr()).toContain('accounts.0.id: an account id is 12 digits');
    expect(missing.stderr()).toContain('cannot read scenario file');
  });

  it('prints its help, saying that without --account every account of the organization is scanned', async () => {
    const c = captureIO();

    const code = await main(['scan', '--help'], c.io);

    expect(code).toBe(0);
    expect(c.stdout()).toContain('Usage: rootkey scan');
    expect(c.stdout()).toMatch(
      /--org\s+Scan every ACTIVE account of the organization\. This is also what happens\s+when no --account is given/,
    );
  });

  describe('accounts that cannot be read', () => {
    it('reports the error for that account with the missing permission, and still exits 3 for the key found elsewhere', async () => {
      const s = JSON.parse(readFileSync(join(scenarios, 'default.json'), 'utf8')) as {
        accounts: { readRole?: boolean }[];
      };
      s.accounts[0].readRole = false;
      const c = captureIO();

      const code = await main(['scan', '--scenario', writeScenario(s), '--json'], c.io);

      expect(code).toBe(3);
      const doc = JSON.parse(c.stdout()) as ScanDocument;
      const management = doc.accounts.find((a) => a.accountId === '111111111111');
      expect(management?.status).toBe('ERROR');
      expect(management?.error).toMatchObject({ name: 'AccessDeniedError', permission: 'sts:AssumeRole' });
      expect(management?.error?.hint).toContain('create the read role');
      expect(doc.summary.errors).toBe(1);
    });

    it('exits 1 when some accounts failed and none had a key, naming the fix in the table', async () => {
      const s = {
        features: { rootCredentialsManagement: false, rootSessions: false },
        accounts: [
          { id: '111111111111', name: 'management', management: true, readRole: false },
          { id: '222222222222', name: 'security-tooling' },
        ],
      };
      const c = captureIO();

      const code = await main(['scan', '--scenario', writeScenario(s)], c.io);

      expect(code).toBe(1);
      expect(c.stdout()).toMatch(/111111111111\s+management\s+management\s+ERROR/);
      expect(c.stdout()).toContain('error: AccessDeniedError: Access denied: sts:AssumeRole is not allowed for');
      expect(c.stdout()).toContain('Centralized root access is off');
    });
  });

  describe('progress', () => {
    const manyAccounts = {
      accounts: Array.from({ length: 8 }, (_, i) => ({
        id: String(100000000000 + i),
        name: `account-${i}`,
        ...(i === 0 ? { management: true } : {}),
      })),
    };

    it('shows a progress bar on stderr when stderr is a terminal and there are more than a few accounts', async () => {
      const c = captureIO({ stderrIsTTY: true });

      await main(['scan', '--scenario', writeScenario(manyAccounts), '--json'], c.io);

      expect(c.stderr()).toContain('8/8 accounts');
      expect(() => JSON.parse(c.stdout()) as unknown).not.toThrow();
    });

    it('keeps stderr quiet when it is not a terminal', async () => {
      const c = captureIO({ stderrIsTTY: false });

      await main(['scan', '--scenario', writeScenario(manyAccounts), '--json'], c.io);

      expect(c.stderr()).toBe('');
    });
  });
});

describe('rootkey scan (child process)', () => {
  function run(
    args: string[],
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(root, 'bin/rootkey.js'), ...args],
        { cwd: root, env, timeout: 60_000 },
        (error, stdout, stderr) => {
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
        },
      );
    });
  }

  it('node bin/rootkey.js scan --sandbox --json exits 3 and reports every simulated account correctly', async () => {
    const { code, stdout } = await run(['scan', '--sandbox', '--json']);

    expect(code).toBe(3);
    assessDefaultScenario(JSON.parse(stdout) as ScanDocument);
  });

  it('exits 1 naming the fix when no AWS credentials can be found', async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: mkdtempSync(join(tmpdir(), 'rootkey-home-')),
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };

    const { code, stderr } = await run(['scan'], env);

    expect(code).toBe(1);
    expect(stderr).toContain('No AWS credentials found');
    expect(stderr).toContain('--sandbox');
  });
});
