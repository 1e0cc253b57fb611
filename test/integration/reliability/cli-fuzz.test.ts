import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import type { CliIO } from '../../../cli/io';
import { main } from '../../../cli/main';
import { createLocalEvidence } from '../../../local-runner/local-evidence';
import { hostileString } from '../../support/reliability/json-mutations';
import { describeCounts, ReliabilityRecorder } from '../../support/reliability/reliability-results';

/**
 * The `rootkey` CLI in-process (`main(argv, io)`) under fuzzed arguments: known and unknown commands,
 * flags and values (hostile strings, account ids, numbers, paths to good and bad scenario files, an
 * evidence folder). It must always resolve with a documented exit code (0 ok, 1 runtime error,
 * 2 usage error, 3 root key found), explain every error on stderr, treat an unknown flag as a usage
 * error (2), never reject or leave an unhandled rejection, and never change a file.
 */

jest.setTimeout(120_000);

const RUNS = 300;
const recorder = new ReliabilityRecorder('cli-fuzz', 'test/integration/reliability/cli-fuzz.test.ts');
const KNOWN_FLAGS: Record<string, string[]> = {
  scan: ['--account', '--org', '--role-name', '--sandbox', '--scenario', '--json', '--concurrency', '--help', '-h'],
  runbook: ['--account', '--format', '--variant', '--sandbox', '--scenario', '--role-name', '--help', '-h'],
  evidence: [
    '--public-key',
    '--require-complete',
    '--expect-digest',
    '--json',
    '--data-dir',
    '--format',
    '--help',
    '-h',
  ],
  sandbox: ['--data-dir', '--scenario', '--help', '-h'],
  demo: ['--data-dir', '--scenario', '--help', '-h'],
};
const COMMANDS = Object.keys(KNOWN_FLAGS);

let workDir: string;
let originalCwd: string;
const savedEnv: Record<string, string | undefined> = {};
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

/** Everything under `dir`, as relative path → SHA-256 (folders included, as "dir"). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) {
        out[relative(dir, full)] = 'dir';
        walk(full);
      } else out[relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

beforeAll(async () => {
  // Prepare a working folder with files the fuzzer can point at, and make it the current directory
  // so that anything written to a relative path would show up in it.
  workDir = mkdtempSync(join(tmpdir(), 'rootkey-cli-fuzz-'));
  const scenarios = resolve(__dirname, '../../../functions/adapters/sim/scenarios');
  copyFileSync(join(scenarios, 'default.json'), join(workDir, 'good-scenario.json'));
  writeFileSync(join(workDir, 'bad-scenario.json'), JSON.stringify({ accounts: [{ id: '12', rootKeys: 'x' }] }));
  writeFileSync(join(workDir, 'not-json.json'), '{"accounts": [');
  mkdirSync(join(workDir, 'a-folder'));
  const evidence = createLocalEvidence(join(workDir, 'data'));
  const at = new Date().toISOString();
  await evidence.record({
    caseId: 'RK-333333333333-20261128100000-ab12',
    accountId: '333333333333',
    type: 'outcome',
    at,
    data: { status: 'compliant', summary: 'fixture' },
  });
  originalCwd = process.cwd();
  process.chdir(workDir);
  // No AWS call may leave this process: no credentials, no instance metadata, an endpoint that refuses.
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_EC2_METADATA_DISABLED',
    'AWS_CONFIG_FILE',
    'AWS_SHARED_CREDENTIALS_FILE',
    'AWS_ENDPOINT_URL',
    'AWS_REGION',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
  ]) {
    savedEnv[name] = process.env[name];
    delete process.env[name];
  }
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_CONFIG_FILE = join(workDir, 'no-aws-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(workDir, 'no-aws-credentials');
  process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
  process.env.AWS_REGION = 'us-east-1';
  process.on('unhandledRejection', onUnhandled);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  process.chdir(originalCwd);
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(workDir, { recursive: true, force: true });
  await recorder.flush();
});

const value = fc.oneof(
  hostileString.filter((s) => !s.startsWith('s3://')),
  fc.constantFrom(
    '333333333333',
    '111111111111',
    '12345',
    'RootKeyReadOnly',
    'md',
    'json',
    'html',
    'root-sign-in',
    '0',
    '8',
    '65',
    '-1',
    'verify',
    'report',
    'good-scenario.json',
    'bad-scenario.json',
    'not-json.json',
    'a-folder',
    'data',
    'data/evidence',
    'missing.json',
    'RK-333333333333-20261128100000-ab12',
  ),
);

/** Names every object has (`constructor`, `__proto__`, `toString`): the known gap below, kept out of the main run. */
const inheritedName = (name: string) => name in Object.prototype;

/** Anything: a command (known, help, or not) followed by flags and values in any order. */
const anyArgv = fc.tuple(
  fc.oneof(
    fc.constantFrom(...COMMANDS, 'help', '--help', '-h', ''),
    hostileString.filter((s) => !inheritedName(s)),
  ),
  fc.array(
    fc.oneof(
      fc.constantFrom(...new Set(Object.values(KNOWN_FLAGS).flat())),
      fc.constant('--sandbox'),
      hostileString.map((s) => `--${s}`),
      value,
    ),
    { maxLength: 6 },
  ),
);

/** Closer to real use: a known command, its own flags, each with a plausible or hostile value. */
const commandArgv = fc.constantFrom(...COMMANDS).chain((command) =>
  fc.tuple(
    fc.constant(command),
    fc
      .array(fc.tuple(fc.constantFrom(...KNOWN_FLAGS[command]!, '--sandbox'), value), { maxLength: 3 })
      .map((pairs) => [...(command === 'evidence' ? ['verify'] : []), ...pairs.flat()]),
  ),
);

const argv = fc.oneof(anyArgv, commandArgv);

/** Whether `args` holds a flag the command does not know (a usage error, exit 2). */
function hasUnknownFlag(command: string, args: string[]): boolean {
  if (!Object.hasOwn(KNOWN_FLAGS, command)) return false;
  const known = KNOWN_FLAGS[command]!;
  // After `--`, util.parseArgs treats everything as positional.
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some(
    (a) => a.startsWith('-') && a !== '-' && !known.includes(a.split('=')[0]!) && !/^-\d/.test(a),
  );
}

describe('the rootkey CLI under fuzzed arguments', () => {
  it('always exits with a documented code, explains every error, and changes no file', async () => {
    // Prepare
    const before = tree(workDir);
    const exits: Record<string, number> = {};
    const problems: string[] = [];
    let runs = 0;
    let unknownFlagRuns = 0;
    // Act
    await fc.assert(
      fc.asyncProperty(argv, async ([command, rest]) => {
        // sandbox and demo run until stopped when their flags are right: force a usage error for them.
        const args = ['sandbox', 'demo'].includes(command) ? [...rest, '--not-a-flag'] : rest;
        let out = '';
        let err = '';
        const io: CliIO = {
          stdout: { write: (chunk: string) => (out += chunk) },
          stderr: { write: (chunk: string) => (err += chunk) },
          env: { ROOTKEY_READ_ROLE_NAME: 'RootKeyReadOnly' },
          signal: AbortSignal.abort(),
        };
        runs += 1;
        let code: number;
        try {
          code = await main([command, ...args], io);
        } catch (error) {
          problems.push(`main rejected for ${JSON.stringify([command, ...args])}: ${(error as Error).message}`);
          return;
        }
        exits[String(code)] = (exits[String(code)] ?? 0) + 1;
        if (![0, 1, 2, 3].includes(code)) problems.push(`exit ${code} for ${JSON.stringify([command, ...args])}`);
        if ((code === 1 || code === 2) && err.trim() === '' && !(code === 2 && out.trim() !== '')) {
          problems.push(`exit ${code} without a message for ${JSON.stringify([command, ...args])}`);
        }
        if (!Object.hasOwn(KNOWN_FLAGS, command) && !['', 'help', '--help', '-h'].includes(command) && code !== 2) {
          problems.push(
            `unknown command not a usage error (exit ${code}) for ${JSON.stringify(command)}: ${err.slice(0, 200)}`,
          );
        }
        if (hasUnknownFlag(command, args)) {
          unknownFlagRuns += 1;
          if (code !== 2)
            problems.push(
              `unknown flag not a usage error (exit ${code}) for ${JSON.stringify([command, ...args])}: ${err.slice(0, 200)}`,
            );
        }
      }),
      { numRuns: RUNS, seed: 20261128 },
    );
    // Let any stray promise settle before counting unhandled rejections.
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Assess
    const after = tree(workDir);
    const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
    recorder.add({
      id: 'bad-input.cli-arguments',
      section: 'bad-input',
      title: 'CLI arguments (`main(argv, io)` in-process)',
      injected: `${runs} fuzzed argument vectors: known and unknown commands, flags and values, paths to good and bad files`,
      outcome: `exit codes ${describeCounts(Object.fromEntries(Object.entries(exits).map(([k, n]) => [`×${k}`, n])))}; ${unknownFlagRuns} with an unknown flag, all exit 2 expected; ${problems.length} problems; ${unhandled.length} unhandled rejections; ${changed.length} files changed`,
      counts: {
        inputs: runs,
        ...Object.fromEntries(Object.entries(exits).map(([k, n]) => [`exit${k}`, n])),
        unknownFlagRuns,
        problems: problems.length,
        unhandledRejections: unhandled.length,
        filesChanged: changed.length,
      },
      holds: problems.length === 0 && unhandled.length === 0 && changed.length === 0,
    });
    expect(problems).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(changed).toEqual([]);
  });

  // Found by this suite: a plain `COMMANDS[name]` lookup found Object.prototype's properties.
  it('treats a command named like an inherited object property as unknown (exit 2)', async () => {
    const codes: Record<string, number> = {};
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      let err = '';
      const io: CliIO = { stdout: { write: () => true }, stderr: { write: (c: string) => (err += c) }, env: {} };
      codes[name] = await main([name], io);
      expect(err).toContain('unknown command');
    }
    expect(codes).toEqual({ constructor: 2, __proto__: 2, toString: 2, hasOwnProperty: 2 });
  });
});
