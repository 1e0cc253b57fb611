import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../../..');

function runDemo(args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/rootkey.js'), 'demo', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 110_000,
  });
}

describe('rootkey demo (child process)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rootkey-demo-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the default scenario to the end, exits 0 and leaves evidence that verifies', () => {
    const demo = runDemo(['--data-dir', dir]);
    expect(demo.stdout).toContain('every case ended as the scenario expects');
    expect(demo.stdout).toMatch(/333333333333\s+payments-prod\s+delete\s+remediated\s+remediated/);
    expect(demo.stdout).toMatch(/111111111111\s+management\s+runbook\s+remediated\s+remediated/);
    expect(demo.status).toBe(0);
    expect(
      readdirSync(join(dir, 'evidence', 'reports')).filter((f) => f.endsWith('.html')).length,
    ).toBeGreaterThanOrEqual(4);
    const verify = spawnSync(process.execPath, [join(ROOT, 'bin/rootkey.js'), 'evidence', 'verify', dir], {
      encoding: 'utf8',
    });
    expect(verify.stdout).toContain('INTACT');
    expect(verify.status).toBe(0);
  });

  it('exits 1 when a case does not end as the scenario expects', () => {
    // The payments account is expected to be remediated, but the approver accepts the risk.
    const scenario = {
      accounts: [
        { id: '111111111111', name: 'management', management: true, expect: 'compliant' },
        {
          id: '333333333333',
          name: 'payments-prod',
          rootKeys: [{ id: 'AKIAPAYMENTSROOT0042', status: 'Active', createdAt: '2020-11-02T08:00:00Z' }],
          expect: 'remediated',
          demoDecision: 'accept-risk',
        },
      ],
    };
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    const demo = runDemo(['--data-dir', join(dir, 'data'), '--scenario', file]);
    expect(demo.stdout).toMatch(/FAIL\s+333333333333\s+payments-prod\s+accept-risk\s+risk-accepted\s+remediated/);
    expect(demo.status).toBe(1);
  });

  it('exits 2 for a scenario file that does not exist', () => {
    const demo = runDemo(['--data-dir', dir, '--scenario', join(dir, 'missing.json')]);
    expect(demo.stderr).toContain('does not exist');
    expect(demo.status).toBe(2);
  });
});
