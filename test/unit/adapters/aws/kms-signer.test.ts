import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { EvidenceError } from '../../../../functions/core/errors';
import { KmsSigner, fetchKmsPublicKey } from '../../../../functions/adapters/aws/kms-signer';
import { EvidenceService } from '../../../../functions/services/evidence-service';
import { verifyStoredEvidence } from '../../../../functions/services/verify-stored-evidence';
import { fakeKmsKey, signDigestLikeKms } from '../../../support/evidence/fake-kms-ecdsa';
import { ACCOUNTS, caseIdFor } from '../../../support/evidence/evidence-fixture';
import { useTempDir } from '../../../support/evidence/temp-dir';
import { fileEvidenceStore } from '../../../support/evidence/evidence-stores';

const KEY_ARN = 'arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ALIAS = 'alias/rootkey-evidence';
const kms = mockClient(KMSClient);
const dataDir = useTempDir();
const fake = fakeKmsKey();

beforeEach(() => {
  kms.reset();
  // KMS double: ECDSA over the digest exactly as given (MessageType DIGEST), answering with the key ARN.
  kms.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({
    KeyId: KEY_ARN,
    Signature: new Uint8Array(signDigestLikeKms(fake, input.Message)),
    SigningAlgorithm: 'ECDSA_SHA_256',
  }));
  kms.on(GetPublicKeyCommand).resolves({
    KeyId: KEY_ARN,
    KeySpec: 'ECC_NIST_P256',
    KeyUsage: 'SIGN_VERIFY',
    SigningAlgorithms: ['ECDSA_SHA_256'],
    PublicKey: fake.publicKeyDer,
  });
});

describe('KmsSigner', () => {
  it('checks that the KMS double really is P-256 arithmetic', () => {
    const jwk = fake.publicKey.export({ format: 'jwk' });

    expect(fake.derivedPublicPoint).toEqual({ x: jwk.x, y: jwk.y });
  });

  it('asks KMS to sign the digest itself with ECDSA_SHA_256 and names the key by its ARN', async () => {
    const signer = new KmsSigner({ client: new KMSClient({ region: 'us-east-1' }), keyId: ALIAS });
    const digest = 'ab'.repeat(32);

    const signature = await signer.sign(digest);

    expect(kms).toHaveReceivedCommandWith(SignCommand, {
      KeyId: ALIAS,
      Message: Buffer.from(digest, 'hex'),
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
    expect(signature).toEqual({ algorithm: 'ECDSA_SHA_256', keyId: KEY_ARN, value: expect.any(String) });
  });

  it('produces evidence that verifies offline with the public key from kms:GetPublicKey', async () => {
    // Prepare
    const client = new KMSClient({ region: 'us-east-1' });
    const evidence = new EvidenceService({
      store: fileEvidenceStore(dataDir()),
      signer: new KmsSigner({ client, keyId: ALIAS }),
    });
    const caseId = caseIdFor(ACCOUNTS[0], 1);

    // Act
    await evidence.record({
      caseId,
      accountId: ACCOUNTS[0],
      type: 'detection',
      at: '2026-11-28T10:00:00.000Z',
      data: {},
    });
    await evidence.record({
      caseId,
      accountId: ACCOUNTS[0],
      type: 'outcome',
      at: '2026-11-28T10:01:00.000Z',
      data: { status: 'compliant' },
    });
    const withKms = await verifyStoredEvidence(fileEvidenceStore(dataDir()), {
      trustedKeys: [await fetchKmsPublicKey(client, KEY_ARN)],
    });
    const withPublished = await verifyStoredEvidence(fileEvidenceStore(dataDir()));

    // Assess
    expect(withKms.problems).toEqual([]);
    expect(withKms.signaturesValid).toBe(2);
    expect(withPublished.ok).toBe(true);
    expect(withPublished.trustedKeys.map((k) => k.keyId)).toEqual([KEY_ARN]);
  });

  it('caches the public key', async () => {
    const signer = new KmsSigner({ client: new KMSClient({ region: 'us-east-1' }), keyId: ALIAS });

    await signer.publicKey();
    await signer.publicKey();

    expect(kms).toHaveReceivedCommandTimes(GetPublicKeyCommand, 1);
  });

  it.each([
    ['an RSA key', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }],
    ['an encryption key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' }],
    [
      'a key without ECDSA_SHA_256',
      { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_384'] },
    ],
  ] as const)('refuses %s as an evidence key', async (_label, output) => {
    kms.on(GetPublicKeyCommand).resolves({ KeyId: KEY_ARN, PublicKey: fake.publicKeyDer, ...output } as never);

    await expect(fetchKmsPublicKey(new KMSClient({ region: 'us-east-1' }), KEY_ARN)).rejects.toBeInstanceOf(
      EvidenceError,
    );
  });
});
