import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createSignatureVerifier,
  parsePublicKeyFile,
  publicKeyFingerprint,
} from '../../../../functions/core/evidence/evidence-signature';
import { buildUnsignedRecord, computeDigest, recordBody } from '../../../../functions/core/evidence/evidence-record';
import { LocalSigner, LOCAL_SIGNING_KEY_FILE } from '../../../../functions/adapters/local/local-signer';
import { useTempDir } from '../../../support/evidence/temp-dir';

const dataDir = useTempDir();
const body = buildUnsignedRecord({
  caseId: 'RK-111111111111-20261128100000-ab1z',
  accountId: '111111111111',
  type: 'detection',
  at: '2026-11-28T10:00:00.000Z',
  recordedAt: '2026-11-28T10:00:00.000Z',
  data: {},
  sequence: 1,
  accountSequence: 1,
  previousDigest: null,
  previousAccountDigest: null,
});
const digest = computeDigest(body);

describe('LocalSigner', () => {
  it('creates its key on first use, readable by the owner only, and publishes the public key beside the evidence', async () => {
    const signer = new LocalSigner(dataDir());

    const signature = await signer.sign(digest);

    const keyFile = join(dataDir(), 'keys', LOCAL_SIGNING_KEY_FILE);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir(), 'keys'))).mode & 0o777).toBe(0o700);
    const published = parsePublicKeyFile(
      await readFile(join(dataDir(), 'evidence', 'public-key.pem'), 'utf8'),
      'public-key.pem',
    );
    expect(published.keyId).toBe(signature.keyId);
    expect(createSignatureVerifier([published])(signature, digest, recordBody(body))).toEqual({
      status: 'valid',
      keyId: signature.keyId,
      fingerprint: publicKeyFingerprint(published.publicKeyPem),
    });
  });

  it('signs with the same key across instances and processes', async () => {
    const first = await new LocalSigner(dataDir()).sign(digest);
    const second = await new LocalSigner(dataDir()).sign(digest);

    expect(second.keyId).toBe(first.keyId);
    expect(second.value).toBe(first.value); // Ed25519 is deterministic: same key, same digest, same signature
  });

  it('agrees on one key when two signers start at once', async () => {
    const [a, b] = await Promise.all([new LocalSigner(dataDir()).publicKey(), new LocalSigner(dataDir()).publicKey()]);

    expect(a.keyId).toBe(b.keyId);
  });

  it('keeps the old public key when a new key has to be created', async () => {
    const old = await new LocalSigner(dataDir()).publicKey();
    await rm(join(dataDir(), 'keys'), { recursive: true });

    const fresh = await new LocalSigner(dataDir()).publicKey();

    expect(fresh.keyId).not.toBe(old.keyId);
    expect(await readFile(join(dataDir(), 'evidence', 'public-key.pem'), 'utf8')).toContain(old.keyId);
    expect(await readFile(join(dataDir(), 'evidence', `public-key-${fresh.keyId}.pem`), 'utf8')).toContain(fresh.keyId);
  });

  it('refuses to sign something that is not a SHA-256 digest', async () => {
    await expect(new LocalSigner(dataDir()).sign('not-a-digest')).rejects.toThrow(/Not a SHA-256 hex digest/);
  });
});
