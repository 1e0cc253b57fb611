import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../../cli/main';
import type { CliIO } from '../../../cli/io';

const ROOT = join(__dirname, '../../..');

function captureIO(env: NodeJS.ProcessEnv = {}): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
    env,
    out: () => out,
    err: () => err,
  };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main(['runbook', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('rootkey runbook', () => {
  it('prints the generic runbook with every variant when no account is given', async () => {
    const { code, out } = await run([]);

    expect(code).toBe(0);
    expect(out).toContain(
      '## Remove the root access keys of an account: Privileged action from the management account',
    );
    expect(out).toContain('## Remove the root access keys of an account: Root user sign-in');
    expect(out).toContain(
      '## Remove the root access keys of an account: Root password recovery, then root user sign-in',
    );
    expect(out).not.toMatch(/IAM\s*→\s*Users/);
  });

  it('picks root sign-in for the management account and lists its key, masked, as JSON', async () => {
    const { code, out } = await run(['--account', '111111111111', '--sandbox', '--format', 'json']);

    expect(code).toBe(0);
    const doc = JSON.parse(out) as {
      schemaVersion: number;
      generic: boolean;
      account: { type: string; status: string; keys: { maskedId: string; status: string }[] };
      runbooks: { variant: string; accountId: string; steps: { id: string }[] }[];
    };
    expect(doc.schemaVersion).toBe(1);
    expect(doc.generic).toBe(false);
    expect(doc.account).toMatchObject({ type: 'management', status: 'NON_COMPLIANT' });
    // Read through the role: the credential report gives status and dates, never the key id.
    expect(doc.account.keys).toEqual([expect.objectContaining({ status: 'Inactive' })]);
    expect(doc.runbooks[0]).toMatchObject({ variant: 'root-sign-in', accountId: '111111111111' });
    expect(out).not.toContain('AKIAMGMTROOTKEY00001');
  });

  it('picks the privileged action for a member account reached by centralized root access', async () => {
    const { code, out } = await run(['--account', '333333333333', '--sandbox']);

    expect(code).toBe(0);
    expect(out).toContain('> Status: NON-COMPLIANT.');
    expect(out).toContain('Take privileged action, then Delete root user credentials');
    expect(out).toContain('--target-principal 333333333333');
  });

  it('starts with password recovery when the scenario says nobody knows the root password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootkey-runbook-'));
    try {
      const file = join(dir, 'scenario.json');
      writeFileSync(
        file,
        JSON.stringify({
          standalone: true,
          accounts: [
            {
              id: '555555555555',
              name: 'lonely',
              rootPasswordKnown: false,
              rootKeys: [{ id: 'AKIALONELYROOTKEY001', createdAt: '2024-01-01T00:00:00Z' }],
            },
          ],
        }),
      );

      const { code, out } = await run(['--account', '555555555555', '--scenario', file, '--format', 'json']);

      expect(code).toBe(0);
      expect((JSON.parse(out) as { runbooks: { variant: string }[] }).runbooks[0]?.variant).toBe('password-recovery');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('still prints the runbook for a compliant account but says there is nothing to remove', async () => {
    const { code, out, err } = await run(['--account', '222222222222', '--sandbox']);

    expect(code).toBe(0);
    expect(err).toContain('has no root access key');
    expect(out).toContain('> Status: COMPLIANT.');
  });

  it.each([
    [['--account', '12345'], "account id '12345' is not 12 digits"],
    [['--format', 'xml'], "--format must be 'md' or 'json'"],
    [['--variant', 'iam-console'], '--variant must be one of'],
    [['--acount', '111111111111'], "Unknown option '--acount'"],
    [['--account', '111111111111', '--sandbox', '--variant', 'console-privileged-action'], 'not available'],
    [['--account', '999999999999', '--sandbox'], 'not in the simulated organization'],
  ])('exits 2 on bad input %j', async (args, message) => {
    const { code, err } = await run(args);

    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('exits 1 on a runtime error, naming what AWS refused', async () => {
    // The management account cannot be read without a role: no AssumeRoot, no role → refused.
    const dir = mkdtempSync(join(tmpdir(), 'rootkey-runbook-'));
    try {
      const file = join(dir, 'scenario.json');
      writeFileSync(
        file,
        JSON.stringify({
          accounts: [
            { id: '111111111111', name: 'management', management: true, readRole: false },
            { id: '333333333333', name: 'member' },
          ],
        }),
      );

      const { code, err } = await run(['--account', '111111111111', '--scenario', file]);

      expect(code).toBe(1);
      expect(err).toContain('AccessDeniedError');
      expect(err).toContain('sts:AssumeRole');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs as a real child process', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bin/rootkey.js'), 'runbook', '--format', 'json', '--variant', 'root-sign-in'],
      { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' } },
    );

    const doc = JSON.parse(stdout) as { generic: boolean; runbooks: { variant: string }[] };
    expect(doc.generic).toBe(true);
    expect(doc.runbooks.map((r) => r.variant)).toEqual(['root-sign-in']);
  }, 30_000);
});
