import { generateKeyPairSync } from 'node:crypto';
import {
  ambiguousKeyIds,
  createSignatureVerifier,
  formatPublicKeyFile,
  keyIdProblem,
  localKeyId,
  normalizeFingerprint,
  parsePublicKeyFile,
  publicKeyFingerprint,
} from '../../../../functions/core/evidence/evidence-signature';
import { buildUnsignedRecord, recordBody } from '../../../../functions/core/evidence/evidence-record';
import { signRecord, testSigningKey } from '../../../support/evidence/evidence-fixture';

const unsigned = buildUnsignedRecord({
  caseId: 'RK-111111111111-20261128100000-ab1z',
  accountId: '111111111111',
  type: 'outcome',
  at: '2026-11-28T10:00:00.000Z',
  recordedAt: '2026-11-28T10:00:00.000Z',
  data: { status: 'remediated' },
  sequence: 1,
  accountSequence: 1,
  previousDigest: null,
  previousAccountDigest: null,
});

describe('evidence signatures', () => {
  it.each(['ed25519', 'ecdsa'] as const)('accepts a %s signature by the trusted key', (kind) => {
    const key = testSigningKey(kind, kind === 'ecdsa' ? 'arn:aws:kms:us-east-1:999999999999:key/abc' : undefined);
    const record = signRecord(key, unsigned);

    const check = createSignatureVerifier([key.trusted])(record.signature, record.digest, recordBody(record));

    expect(check).toEqual({
      status: 'valid',
      keyId: key.trusted.keyId,
      fingerprint: publicKeyFingerprint(key.trusted.publicKeyPem),
    });
  });

  it('trusts no key whose local key id is not derived from it, even when the signature verifies', () => {
    const liar = testSigningKey('ed25519', 'local-ed25519-0000000000000000');
    const record = signRecord(liar, unsigned);

    const check = createSignatureVerifier([liar.trusted])(record.signature, record.digest, recordBody(record));

    expect(check.status).toBe('unknown-key');
    expect(keyIdProblem(liar.trusted)).toMatch(/claims key id local-ed25519-0000000000000000/);
  });

  it('verifies nothing under an id that two different keys claim', () => {
    const arn = 'arn:aws:kms:us-east-1:999999999999:key/abc';
    const genuine = testSigningKey('ecdsa', arn);
    const second = testSigningKey('ecdsa', arn);
    const record = signRecord(genuine, unsigned);

    const check = createSignatureVerifier([genuine.trusted, second.trusted])(
      record.signature,
      record.digest,
      recordBody(record),
    );

    expect(check).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/claimed by 2 different keys/) });
    expect([...ambiguousKeyIds([genuine.trusted, second.trusted]).keys()]).toEqual([arn]);
  });

  it.each([
    ['sha256:' + 'AB'.repeat(32), 'ab'.repeat(32)],
    ['ab'.repeat(32), 'ab'.repeat(32)],
    ['ab:'.repeat(31) + 'ab', 'ab'.repeat(32)],
    ['abc', undefined],
    ['sha256:' + 'g'.repeat(64), undefined],
  ])('normalizes the fingerprint %s', (text, expected) => {
    expect(normalizeFingerprint(text)).toBe(expected);
  });

  it('rejects a signature made by another key that claims the trusted key id', () => {
    const trusted = testSigningKey();
    const impostor = testSigningKey('ed25519', trusted.trusted.keyId);
    const record = signRecord(impostor, unsigned);

    const check = createSignatureVerifier([trusted.trusted])(record.signature, record.digest, recordBody(record));

    expect(check.status).toBe('invalid');
  });

  it('reports a key id that is not trusted, even when some trusted key would verify the bytes', () => {
    const key = testSigningKey();
    const record = signRecord(key, unsigned);

    const check = createSignatureVerifier([key.trusted])(
      { ...record.signature, keyId: 'local-ed25519-0000000000000000' },
      record.digest,
      recordBody(record),
    );

    expect(check).toEqual({ status: 'unknown-key', keyId: 'local-ed25519-0000000000000000' });
  });

  it('rejects an ECDSA signature labelled as Ed25519', () => {
    const key = testSigningKey('ecdsa', 'kms-key');
    const record = signRecord(key, unsigned);

    const check = createSignatureVerifier([key.trusted])(
      { ...record.signature, algorithm: 'ED25519' },
      record.digest,
      recordBody(record),
    );

    expect(check.status).toBe('invalid');
  });

  it('reads back the key id written into a public key file, and derives one when it is absent', () => {
    const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

    const named = parsePublicKeyFile(formatPublicKeyFile('arn:aws:kms:eu-west-1:1:key/k', pem), 'public-key.pem');
    const bare = parsePublicKeyFile(pem, 'other.pem');

    expect(named.keyId).toBe('arn:aws:kms:eu-west-1:1:key/k');
    expect(bare.keyId).toBe(localKeyId(pem));
    expect(bare.keyId).toBe(`local-ed25519-${publicKeyFingerprint(pem).slice(0, 16)}`);
  });

  it('refuses a public key file without a key', () => {
    expect(() => parsePublicKeyFile('Key-Id: x\nnot a key\n', 'public-key.pem')).toThrow(/no PEM public key block/);
  });
});
