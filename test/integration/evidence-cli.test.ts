import { execFile } from 'node:child_process';
import { chmod, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../cli/main';
import type { CliIO } from '../../cli/io';
import { KmsSigner } from '../../functions/adapters/aws/kms-signer';
import { EvidenceService } from '../../functions/services/evidence-service';
import { createLocalEvidence } from '../../local-runner/local-evidence';
import { s3BucketDouble } from '../support/evidence/s3-bucket-double';
import { fakeKmsKey, signDigestLikeKms } from '../support/evidence/fake-kms-ecdsa';
import { ACCOUNTS, caseIdFor } from '../support/evidence/evidence-fixture';
import { useTempDir } from '../support/evidence/temp-dir';
import { s3EvidenceStore } from '../support/evidence/evidence-stores';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const dataDir = useTempDir('rootkey-evidence-cli-');
const remediated = caseIdFor(ACCOUNTS[0], 1);
const accepted = caseIdFor(ACCOUNTS[0], 2);

function captureIO(): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
    env: {},
    out: () => out,
    err: () => err,
  };
}

/** Two cases of one account recorded by the real EvidenceService over files and the local signer. */
async function recordEvidence(dir: string): Promise<void> {
  const evidence = createLocalEvidence(dir);
  const at = '2026-11-28T10:00:00.000Z';
  const record = (caseId: string, type: Parameters<typeof evidence.record>[0]['type'], data: Record<string, unknown>) =>
    evidence.record({ caseId, accountId: ACCOUNTS[0], type, at, data });
  await record(remediated, 'detection', {
    accountName: 'payments-prod',
    keys: [{ maskedId: 'AKIA************0042', status: 'Active' }],
  });
  await record(remediated, 'decision', { userId: 'U01ALICE', userName: 'alice', action: 'delete' });
  await record(remediated, 'action', { api: 'DeleteAccessKey', requestId: 'req-1', outcome: 'success' });
  await record(remediated, 'verification', { attempt: 1, gone: true, signals: { accountAccessKeysPresent: 0 } });
  await record(remediated, 'outcome', { status: 'remediated', summary: 'Deleted and verified.' });
  await record(accepted, 'detection', { accountName: 'payments-prod' });
  await record(accepted, 'decision', {
    userId: 'U02BOB',
    action: 'accept-risk',
    reason: 'vendor needs it',
    expiresAt: '2027-01-01T00:00:00.000Z',
  });
  await record(accepted, 'outcome', { status: 'risk-accepted' });
  await evidence.writeReport(remediated);
}

async function tamper(file: string, edit: (text: string) => string): Promise<void> {
  await chmod(file, 0o644);
  await writeFile(file, edit(await readFile(file, 'utf8')));
}

describe('rootkey evidence verify', () => {
  beforeEach(async () => {
    await recordEvidence(dataDir());
  });

  it('exits 0 on intact evidence and prints what it checked', async () => {
    const io = captureIO();

    const code = await main(['evidence', 'verify', join(dataDir(), 'evidence')], io);

    expect(code).toBe(0);
    expect(io.out()).toContain('INTACT');
    expect(io.out()).toMatch(/cases: +2 \(2 closed, 0 open\)/);
    expect(io.out()).toMatch(/records: +8 \(8 intact\)/);
    expect(io.out()).toMatch(/chains: +2 case chains, 1 account chain, all links OK/);
    expect(io.out()).toMatch(/signatures: +8 OK/);
    expect(io.out()).toMatch(/key: +local-ed25519-[0-9a-f]{16} sha256:[0-9a-f]{64}/);
  });

  it('accepts the data directory itself', async () => {
    expect(await main(['evidence', 'verify', dataDir()], captureIO())).toBe(0);
  });

  it('exits 1 on a changed record and names the file', async () => {
    const file = join(dataDir(), 'evidence', 'cases', accepted, '000002-decision.json');
    await tamper(file, (text) => text.replace('vendor needs it', 'vendor needs it!'));
    const io = captureIO();

    const code = await main(['evidence', 'verify', dataDir()], io);

    expect(code).toBe(1);
    expect(io.out()).toContain('TAMPERED OR BROKEN');
    expect(io.out()).toContain(`cases/${accepted}/000002-decision.json, case ${accepted} #2`);
    expect(io.out()).toContain('[changed]');
  });

  it('exits 1 when the last record of the account is deleted, and names it', async () => {
    await rm(join(dataDir(), 'evidence', 'cases', accepted, '000003-outcome.json'));
    const io = captureIO();

    const code = await main(['evidence', 'verify', dataDir()], io);

    expect(code).toBe(1);
    expect(io.out()).toContain(`cases/${accepted}/000003-outcome.json`);
    expect(io.out()).toContain('[missing]');
  });

  it('exits 1 when records are signed by a key other than the pinned one', async () => {
    const other = useOtherKey();
    await other.create();
    const io = captureIO();

    const code = await main(['evidence', 'verify', dataDir(), '--public-key', other.publicKeyFile()], io);

    expect(code).toBe(1);
    expect(io.out()).toContain('[unknown-key]');
  });

  it('exits 1 with --require-complete while a case is open, and names the case', async () => {
    const open = caseIdFor(ACCOUNTS[1], 3);
    await createLocalEvidence(dataDir()).record({
      caseId: open,
      accountId: ACCOUNTS[1],
      type: 'detection',
      at: '2026-11-28T11:00:00.000Z',
      data: {},
    });
    const lenient = captureIO();
    const strict = captureIO();

    expect(await main(['evidence', 'verify', dataDir()], lenient)).toBe(0);
    expect(await main(['evidence', 'verify', dataDir(), '--require-complete'], strict)).toBe(1);
    expect(lenient.out()).toContain(`open case:  ${open}`);
    expect(strict.out()).toContain(`case ${open}: [incomplete]`);
  });

  it('prints one JSON document with --json', async () => {
    const io = captureIO();

    const code = await main(['evidence', 'verify', dataDir(), '--json'], io);

    expect(code).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({
      schemaVersion: 1,
      ok: true,
      records: 8,
      accountChains: 1,
      problems: [],
    });
  });

  it.each([
    ['no PATH', ['evidence', 'verify'], /missing PATH/],
    ['a PATH that does not exist', ['evidence', 'verify', '/nonexistent/rootkey'], /does not exist/],
    ['an unknown option', ['evidence', 'verify', '.', '--frobnicate'], /Unknown option/],
    ['a malformed expected digest', ['evidence', 'verify', '.', '--expect-digest', 'abc'], /64 hex/],
  ])('exits 2 for %s', async (_label, argv, message) => {
    const io = captureIO();

    const code = await main(argv, io);

    expect(code).toBe(2);
    expect(io.err()).toMatch(message);
  });

  it('exits 2 for a folder without evidence', async () => {
    const io = captureIO();

    const code = await main(['evidence', 'verify', join(dataDir(), 'keys')], io);

    expect(code).toBe(2);
    expect(io.err()).toMatch(/no evidence under/);
  });

  it('runs as a child process: exit 0 intact, exit 1 naming the changed file', async () => {
    const evidenceDir = join(dataDir(), 'evidence');
    const intact = await run(process.execPath, ['bin/rootkey.js', 'evidence', 'verify', evidenceDir], { cwd: ROOT });
    const file = join(evidenceDir, 'cases', remediated, '000003-action.json');
    await tamper(file, (text) => text.replace('req-1', 'req-2'));

    const tampered = await run(process.execPath, ['bin/rootkey.js', 'evidence', 'verify', evidenceDir], {
      cwd: ROOT,
    }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );

    expect(intact.stdout).toContain('INTACT');
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`cases/${remediated}/000003-action.json`);
  }, 60_000);
});

describe('rootkey evidence verify s3://', () => {
  const KEY_ARN = 'arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const fake = fakeKmsKey();
  const kms = mockClient(KMSClient);

  beforeEach(() => {
    kms.reset();
    kms.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({
      KeyId: KEY_ARN,
      Signature: new Uint8Array(signDigestLikeKms(fake, input.Message)),
    }));
    kms.on(GetPublicKeyCommand).resolves({
      KeyId: KEY_ARN,
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_256'],
      PublicKey: fake.publicKeyDer,
    });
  });

  /** Evidence written as in AWS: S3 store (bucket double) and KMS signer (KMS double). */
  async function recordInBucket() {
    const bucket = s3BucketDouble();
    const store = s3EvidenceStore({ client: bucket.client, bucket: 'evidence-bucket', prefix: 'evidence/' });
    const evidence = new EvidenceService({
      store,
      signer: new KmsSigner({ client: new KMSClient({ region: 'us-east-1' }), keyId: 'alias/rootkey-evidence' }),
    });
    for (const type of ['detection', 'outcome'] as const) {
      await evidence.record({
        caseId: remediated,
        accountId: ACCOUNTS[0],
        type,
        at: '2026-11-28T10:00:00.000Z',
        data: {},
      });
    }
    return bucket;
  }

  it('verifies evidence in S3 with the key published in the bucket', async () => {
    await recordInBucket();
    const io = captureIO();

    const code = await main(['evidence', 'verify', 's3://evidence-bucket/evidence/'], io);

    expect(code).toBe(0);
    expect(io.out()).toContain('Evidence at s3://evidence-bucket/evidence/: INTACT');
    expect(io.out()).toContain(`key:        ${KEY_ARN}`);
  });

  it('fetches the KMS public key when none is published, and names a changed object', async () => {
    const bucket = await recordInBucket();
    bucket.objects.delete('evidence/public-key.pem');
    const name = `evidence/cases/${remediated}/000001-detection.json`;
    bucket.objects.set(name, (bucket.objects.get(name) ?? '').replace('"data":{}', '"data":{"x":1}'));
    const io = captureIO();

    const code = await main(['evidence', 'verify', 's3://evidence-bucket/evidence', '--kms-key-id', KEY_ARN], io);

    expect(code).toBe(1);
    expect(kms).toHaveReceivedCommandWith(GetPublicKeyCommand, { KeyId: KEY_ARN });
    expect(io.out()).toContain(`cases/${remediated}/000001-detection.json`);
    expect(io.out()).toContain('[changed]');
  });
});

describe('rootkey evidence report', () => {
  beforeEach(async () => {
    await recordEvidence(dataDir());
  });

  it('prints the Markdown report of a case', async () => {
    const io = captureIO();

    const code = await main(['evidence', 'report', remediated, '--data-dir', dataDir()], io);

    expect(code).toBe(0);
    expect(io.out()).toContain(`# Root access key case ${remediated}`);
    expect(io.out()).toContain('**Intact.**');
    expect(io.out()).toContain('| Outcome | remediated — Deleted and verified. |');
  });

  it('writes the HTML report to a file', async () => {
    const out = join(dataDir(), 'out', 'report.html');
    const io = captureIO();

    const code = await main(
      ['evidence', 'report', accepted, '--data-dir', dataDir(), '--format', 'html', '--out', out],
      io,
    );

    expect(code).toBe(0);
    expect(io.out()).toBe(`Wrote ${out}\n`);
    const html = await readFile(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('vendor needs it');
    expect(html).toContain('2027-01-01T00:00:00.000Z');
  });

  it('exits 2 for an unknown case', async () => {
    const io = captureIO();

    const code = await main(['evidence', 'report', 'RK-999999999999-20261128100000-zzzz', '--data-dir', dataDir()], io);

    expect(code).toBe(2);
    expect(io.err()).toMatch(/no evidence for case RK-999999999999/);
  });

  it('reads with the published public key and never creates a signing key', async () => {
    await rm(join(dataDir(), 'keys'), { recursive: true });
    const io = captureIO();

    const code = await main(['evidence', 'report', remediated, '--data-dir', dataDir()], io);

    expect(code).toBe(0);
    expect(io.out()).toContain('**Intact.**');
    expect(await readdir(dataDir())).not.toContain('keys');
  });

  it('exits 2 for an unknown format', async () => {
    expect(
      await main(['evidence', 'report', remediated, '--data-dir', dataDir(), '--format', 'pdf'], captureIO()),
    ).toBe(2);
  });
});

/** A second local key in a folder of its own, to pin against. */
function useOtherKey() {
  const dir = join(dataDir(), 'other-key');
  return {
    create: () =>
      createLocalEvidence(dir).record({
        caseId: 'RK-other',
        accountId: ACCOUNTS[1],
        type: 'detection',
        at: '2026-11-28T10:00:00.000Z',
        data: {},
      }),
    publicKeyFile: () => join(dir, 'evidence', 'public-key.pem'),
  };
}
