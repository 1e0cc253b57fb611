import { generateKeyPairSync, sign } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import type { CliIO } from '../../../cli/io';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { KmsSigner } from '../../../functions/adapters/aws/kms-signer';
import { LocalSigner } from '../../../functions/adapters/local/local-signer';
import {
  formatPublicKeyFile,
  localKeyId,
  publicKeyFingerprint,
  type TrustedKey,
} from '../../../functions/core/evidence/evidence-signature';
import type { EvidenceSignerPort } from '../../../functions/ports/evidence-signer';
import { EvidenceService } from '../../../functions/services/evidence-service';
import { createLocalEvidence } from '../../../local-runner/local-evidence';
import { ReliabilityRecorder } from '../../support/reliability/reliability-results';
import { s3BucketDouble } from '../../support/evidence/s3-bucket-double';
import { fakeKmsKey, signDigestLikeKms } from '../../support/evidence/fake-kms-ecdsa';
import { useTempDir } from '../../support/evidence/temp-dir';
import { fileEvidenceStore, s3EvidenceStore } from '../../support/evidence/evidence-stores';

/**
 * Forged evidence, tried as an attacker with write access to the evidence folder would: add a key
 * file, re-sign, replace the key, plant records that canonical JSON cannot hold, edit the index,
 * and ask for a report outside the folder. Each probe must be named by `rootkey evidence verify`
 * (exit 1, or a verdict that says the key is unpinned), never crash it, and never read outside.
 */

jest.setTimeout(60_000);

const recorder = new ReliabilityRecorder('evidence-forgery', 'test/integration/reliability/evidence-forgery.test.ts');
afterAll(async () => {
  await recorder.flush();
});

const dataDir = useTempDir('rootkey-evidence-forgery-');
const VICTIM = '333333333333';
const OTHER = '111111111111';
const victimCase = `RK-${VICTIM}-20261128100000-abcd`;
const otherCase = `RK-${OTHER}-20261128100000-efgh`;
const AT = '2026-11-28T10:00:00.000Z';

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

type Evidence = Pick<EvidenceService, 'record'>;

/** A case as rootkey records it: detection, request, decision by `decider`, action, verification, outcome. */
async function recordCase(evidence: Evidence, caseId: string, accountId: string, decider: string): Promise<void> {
  const record = (type: Parameters<Evidence['record']>[0]['type'], data: Record<string, unknown>) =>
    evidence.record({ caseId, accountId, type, at: AT, data });
  await record('detection', { accountName: 'payments-prod', keys: [{ maskedId: 'AKIA************0042' }] });
  await record('decision', { userId: `U0${decider.toUpperCase()}`, userName: decider, action: 'delete' });
  await record('action', { api: 'DeleteAccessKey', requestId: 'req-1', outcome: 'success' });
  await record('verification', { attempt: 1, gone: true });
  await record('outcome', { status: 'remediated', summary: 'Deleted and verified.' });
}

async function recordGenuine(dir: string): Promise<TrustedKey> {
  const evidence = createLocalEvidence(dir);
  await recordCase(evidence, otherCase, OTHER, 'alice');
  await recordCase(evidence, victimCase, VICTIM, 'alice');
  return new LocalSigner(dir).publicKey();
}

/** A key the attacker holds, signing under whatever key id they choose. */
function attackerSigner(
  keyIdFor: (publicKeyPem: string) => string,
  publishAs?: TrustedKey,
): EvidenceSignerPort & {
  publicKeyPem: string;
} {
  const pair = generateKeyPairSync('ed25519');
  const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyId = keyIdFor(publicKeyPem);
  return {
    publicKeyPem,
    sign: async (digest) => ({
      algorithm: 'ED25519',
      keyId,
      value: sign(null, Buffer.from(digest, 'hex'), pair.privateKey).toString('base64'),
    }),
    publicKey: async () => publishAs ?? { keyId, publicKeyPem, source: 'attacker' },
  };
}

/** Removes the victim account's records and index entries (the folder is writable, the files are not). */
async function eraseAccount(evidenceDir: string, accountId: string, caseId: string): Promise<void> {
  await rm(join(evidenceDir, 'cases', caseId), { recursive: true, force: true });
  await rm(join(evidenceDir, 'accounts', accountId), { recursive: true, force: true });
}

async function verify(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main(['evidence', 'verify', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

async function report(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main(['evidence', 'report', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

/** Runs `work`, turning a thrown error into a result so that a crash is counted, not fatal. */
async function probe<T>(work: () => Promise<T>): Promise<T | { crashed: Error }> {
  try {
    return await work();
  } catch (error) {
    return { crashed: error as Error };
  }
}

async function rewriteFile(file: string, edit: (text: string) => string): Promise<void> {
  await chmod(file, 0o644);
  await writeFile(file, edit(await readFile(file, 'utf8')));
}

describe('forged evidence', () => {
  it('names a second key file under the genuine key id and the records it re-signed (exit 1)', async () => {
    const evidenceDir = join(dataDir(), 'evidence');
    const genuine = await recordGenuine(dataDir());
    // Mallory signs under the genuine key id and publishes her key beside the genuine one.
    const mallory = attackerSigner(() => genuine.keyId, genuine);
    await eraseAccount(evidenceDir, VICTIM, victimCase);
    await recordCase(
      new EvidenceService({ store: fileEvidenceStore(dataDir()), signer: mallory }),
      victimCase,
      VICTIM,
      'mallory',
    );
    await writeFile(
      join(evidenceDir, 'public-key-backup.pem'),
      formatPublicKeyFile(genuine.keyId, mallory.publicKeyPem),
    );

    const plain = await verify([evidenceDir, '--require-complete']);
    const pinned = await verify([
      evidenceDir,
      '--require-complete',
      '--fingerprint',
      publicKeyFingerprint(genuine.publicKeyPem),
    ]);
    const caseReport = await report([victimCase, '--data-dir', dataDir()]);

    const detected = [plain.code, pinned.code].filter((c) => c === 1).length;
    const reportFlags = caseReport.out.includes('**NOT INTACT.**');
    recorder.add({
      id: 'forgery.evidence-second-key-same-id',
      section: 'forgery',
      title: 'Evidence re-signed with a second key published under the genuine key id',
      injected: `account ${VICTIM}'s records rewritten so that "mallory" decided, re-signed; public-key-backup.pem added with the same Key-Id`,
      outcome: `verify exit ${plain.code} (unpinned), ${pinned.code} (pinned by fingerprint); report ${reportFlags ? 'NOT INTACT' : 'Intact'}`,
      counts: { probes: 3, detected: detected + (reportFlags ? 1 : 0), missed: 2 - detected + (reportFlags ? 0 : 1) },
      holds: detected === 2 && reportFlags,
    });
    expect(plain.code).toBe(1);
    expect(plain.out).toContain('public-key-backup.pem');
    expect(plain.out).toMatch(/\[key-id-mismatch\]/);
    expect(pinned.code).toBe(1);
    expect(pinned.out).toContain(`cases/${victimCase}/000002-decision.json`);
    expect(reportFlags).toBe(true);
  });

  it('says the key is unpinned when the only key was replaced and everything re-signed, and fails with the pin', async () => {
    const evidenceDir = join(dataDir(), 'evidence');
    const genuine = await recordGenuine(dataDir());
    const mallory = attackerSigner(localKeyId);
    const mFingerprint = publicKeyFingerprint(mallory.publicKeyPem);
    await eraseAccount(evidenceDir, VICTIM, victimCase);
    await eraseAccount(evidenceDir, OTHER, otherCase);
    await rm(join(evidenceDir, 'public-key.pem'));
    await rm(join(evidenceDir, 'reports'), { recursive: true, force: true });
    const forged = new EvidenceService({ store: fileEvidenceStore(dataDir()), signer: mallory });
    await recordCase(forged, otherCase, OTHER, 'alice');
    await recordCase(forged, victimCase, VICTIM, 'mallory');
    const pinFile = join(dataDir(), '..', `rootkey-pin-${process.pid}-${Date.now()}.txt`);
    await writeFile(
      pinFile,
      `# evidence signing key of payments-prod\nsha256:${publicKeyFingerprint(genuine.publicKeyPem)}\n`,
    );

    const unpinned = await verify([evidenceDir, '--require-complete']);
    const byFingerprint = await verify([
      evidenceDir,
      '--fingerprint',
      `sha256:${publicKeyFingerprint(genuine.publicKeyPem)}`,
    ]);
    const byPinFile = await verify([evidenceDir, '--fingerprint', pinFile]);
    const caseReport = await report([victimCase, '--data-dir', dataDir()]);
    await rm(pinFile, { force: true });

    const verdict = unpinned.out.split('\n')[0];
    const saysUnpinned = /unpinned/i.test(verdict) && verdict.includes(mFingerprint) && /10 records/.test(verdict);
    const reportSaysUnpinned = /unpinned/i.test(caseReport.out) && caseReport.out.includes(mFingerprint);
    recorder.add({
      id: 'forgery.evidence-key-replaced',
      section: 'forgery',
      title: 'The only evidence key replaced and every record re-signed',
      injected:
        'public-key.pem replaced by the attacker key (id derived from it), every record re-written and re-signed',
      outcome: `unpinned verify: exit ${unpinned.code}, verdict ${saysUnpinned ? 'says unpinned and names the signing fingerprint' : 'says nothing of the pin'}; pinned: exit ${byFingerprint.code} (fingerprint), ${byPinFile.code} (pin file)`,
      counts: {
        probes: 4,
        detected: [byFingerprint.code === 1, byPinFile.code === 1, saysUnpinned, reportSaysUnpinned].filter(Boolean)
          .length,
      },
      holds: byFingerprint.code === 1 && byPinFile.code === 1 && saysUnpinned && reportSaysUnpinned,
    });
    expect(unpinned.code).toBe(0);
    expect(saysUnpinned).toBe(true);
    expect(reportSaysUnpinned).toBe(true);
    expect(byFingerprint.code).toBe(1);
    expect(byFingerprint.out).toContain('[unknown-key]');
    expect(byPinFile.code).toBe(1);
  });

  it('lists a key file whose Key-Id is not derived from its key', async () => {
    const evidenceDir = join(dataDir(), 'evidence');
    await recordGenuine(dataDir());
    await rewriteFile(join(evidenceDir, 'public-key.pem'), (text) =>
      text.replace(/^Key-Id: .*$/m, 'Key-Id: local-ed25519-0000000000000000'),
    );

    const result = await verify([evidenceDir]);

    recorder.add({
      id: 'forgery.evidence-key-id-not-derived',
      section: 'forgery',
      title: 'A public key file whose Key-Id is not derived from its key',
      injected: 'Key-Id line of public-key.pem edited',
      outcome: `verify exit ${result.code}`,
      counts: { probes: 1, detected: result.code === 1 ? 1 : 0 },
      holds: result.code === 1 && result.out.includes('[key-id-mismatch]'),
    });
    expect(result.code).toBe(1);
    expect(result.out).toContain('public-key.pem');
    expect(result.out).toContain('[key-id-mismatch]');
  });

  it.each([
    [
      '-0 in a record',
      (t: string) => t.replace('"attempt":1', '"attempt":1,"z":-0'),
      'cases',
      '000004-verification.json',
    ],
    [
      'a lone surrogate in a record',
      (t: string) => t.replace('Deleted and verified.', 'Deleted\\ud800'),
      'cases',
      '000005-outcome.json',
    ],
  ])(
    'lists %s as a problem and keeps checking the rest, never crashing verify or report',
    async (_label, edit, dir, name) => {
      const evidenceDir = join(dataDir(), 'evidence');
      await recordGenuine(dataDir());
      const file =
        dir === 'cases' ? join(evidenceDir, 'cases', victimCase, name) : join(evidenceDir, 'accounts', VICTIM, name);
      await rewriteFile(file, edit);

      const verified = await probe(() => verify([evidenceDir]));
      const reported = await probe(() => report([victimCase, '--data-dir', dataDir()]));

      const crashed = [verified, reported].filter((r) => 'crashed' in r).length;
      const listed = !('crashed' in verified) && verified.code === 1 && verified.out.includes(name);
      recorder.add({
        id: `forgery.evidence-uncanonical-${_label.replace(/[^a-z0-9]+/gi, '-')}`,
        section: 'forgery',
        title: `Malformed evidence: ${_label}`,
        injected: `${dir}/…/${name} edited to hold a value canonical JSON refuses`,
        outcome: `verify ${'crashed' in verified ? `crashed: ${verified.crashed.message}` : `exit ${verified.code}`}; report ${'crashed' in reported ? 'crashed' : `exit ${reported.code}`}`,
        counts: { probes: 2, crashes: crashed, listed: listed ? 1 : 0 },
        holds: crashed === 0 && listed,
      });
      expect(crashed).toBe(0);
      expect(listed).toBe(true);
      if (!('crashed' in verified)) expect(verified.out).toMatch(/records: +10 /);
    },
  );

  it('cross-checks the case id, sequence and type of every index entry', async () => {
    const evidenceDir = join(dataDir(), 'evidence');
    await recordGenuine(dataDir());
    const entry = join(evidenceDir, 'accounts', VICTIM, '000000002.json');
    await rewriteFile(entry, (t) => t.replace('"type":"decision"', '"type":"detection"'));
    const entry3 = join(evidenceDir, 'accounts', VICTIM, '000000003.json');
    await rewriteFile(entry3, (t) => t.replace('"sequence":3', '"sequence":4'));

    const result = await verify([evidenceDir]);

    const named = [entry, entry3].filter((f) => result.out.includes(f.slice(evidenceDir.length + 1))).length;
    recorder.add({
      id: 'forgery.evidence-index-fields',
      section: 'forgery',
      title: 'Index entries that name the right digest but the wrong case position or type',
      injected: 'type and sequence of two account index entries edited (canonical JSON kept)',
      outcome: `verify exit ${result.code}, ${named} of 2 entries named`,
      counts: { probes: 2, detected: named },
      holds: result.code === 1 && named === 2,
    });
    expect(result.code).toBe(1);
    expect(named).toBe(2);
    expect(result.out).toContain('[index-mismatch]');
  });

  it('refuses a case id that leaves the evidence folder, and reads nothing there', async () => {
    await recordGenuine(dataDir());
    // A look-alike evidence folder outside `evidence/`: what `../` would reach.
    const outside = join(dataDir(), 'outside');
    await mkdir(join(outside, 'cases'), { recursive: true });
    const victimFiles = await readdir(join(dataDir(), 'evidence', 'cases', victimCase));
    await mkdir(join(dataDir(), 'evidence', 'cases', '..', '..', 'outside', 'x'), { recursive: true });
    for (const f of victimFiles) {
      await writeFile(
        join(outside, 'x', f),
        await readFile(join(dataDir(), 'evidence', 'cases', victimCase, f), 'utf8'),
      );
    }

    const ids = ['../../outside/x', '../cases/' + victimCase, '/etc', 'a/b', '..', '.hidden'];
    const results = await Promise.all(ids.map((id) => probe(() => report([id, '--data-dir', dataDir()]))));
    const refused = results.filter((r) => !('crashed' in r) && r.code === 2 && /case id/i.test(r.err)).length;

    recorder.add({
      id: 'forgery.evidence-report-path-traversal',
      section: 'forgery',
      title: 'Report for a case id that is a path',
      injected: ids.join(', '),
      outcome: `${refused} of ${ids.length} refused with exit 2 naming the case id`,
      counts: { probes: ids.length, refused, accepted: ids.length - refused },
      holds: refused === ids.length,
    });
    expect(refused).toBe(ids.length);
  });

  it('names an evidence object in S3 that was written over (more than one version), though its newest version verifies', async () => {
    const KEY_ARN = 'arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const fake = fakeKmsKey();
    const kms = mockClient(KMSClient);
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
    const bucket = s3BucketDouble();
    const store = s3EvidenceStore({ client: bucket.client, bucket: 'evidence-bucket', prefix: 'evidence/' });
    const signer = new KmsSigner({ client: new KMSClient({ region: 'us-east-1' }), keyId: 'alias/rootkey-evidence' });
    await recordCase(new EvidenceService({ store, signer }), victimCase, VICTIM, 'alice');
    // A task role (they may all PutObject) writes over the decision: S3 keeps the first version.
    const name = `evidence/cases/${victimCase}/000002-decision.json`;
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await bucket.client.send(
      new PutObjectCommand({ Bucket: 'evidence-bucket', Key: name, Body: bucket.objects.get(name) ?? '' }),
    );

    const result = await probe(() => verify(['s3://evidence-bucket/evidence/', '--kms-key-id', KEY_ARN]));
    kms.restore();
    bucket.s3.restore();

    const flagged = !('crashed' in result) && result.code === 1 && result.out.includes('[overwritten]');
    recorder.add({
      id: 'forgery.evidence-s3-overwrite',
      section: 'forgery',
      title: 'An S3 evidence object written over (a second version)',
      injected: 'PutObject without If-None-Match over a decision record (same bytes: its newest version verifies)',
      outcome: 'crashed' in result ? `verify crashed: ${result.crashed.message}` : `verify exit ${result.code}`,
      counts: { probes: 1, detected: flagged ? 1 : 0 },
      holds: flagged,
    });
    expect(flagged).toBe(true);
    if (!('crashed' in result)) expect(result.out).toContain(`cases/${victimCase}/000002-decision.json`);
  });
});
