import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { EvidenceError } from '../../core/errors';
import type { EvidenceSignature } from '../../core/evidence/evidence-record';
import type { TrustedKey } from '../../core/evidence/evidence-signature';
import type { EvidenceSignerPort } from '../../ports/evidence-signer';
import { callAws } from './aws-errors';

export interface KmsSignerOptions {
  client: KMSClient;
  /** Key id, ARN or alias of an asymmetric ECC_NIST_P256 SIGN_VERIFY key. */
  keyId: string;
}

/**
 * Signs evidence digests with an asymmetric KMS key (ECC_NIST_P256, ECDSA_SHA_256). The digest is
 * sent as is with `MessageType: 'DIGEST'` — KMS signs the 32 bytes without hashing them again — so the
 * signature is ECDSA over SHA-256 of the record body, verifiable offline with the public key
 * (`GetPublicKey`) and node:crypto, without kms:Verify. Signatures name the key by the ARN KMS
 * reports, even when configured with an alias, so that rotating the alias never orphans old records.
 */
export class KmsSigner implements EvidenceSignerPort {
  private readonly client: KMSClient;
  private readonly keyId: string;
  private cached?: Promise<TrustedKey>;

  constructor(options: KmsSignerOptions) {
    this.client = options.client;
    this.keyId = options.keyId;
  }

  async sign(digest: string): Promise<EvidenceSignature> {
    if (!/^[0-9a-f]{64}$/.test(digest)) throw new EvidenceError(`Not a SHA-256 hex digest: ${digest.slice(0, 80)}`);
    const output = await callAws({ action: 'kms:Sign', where: `key ${this.keyId}` }, () =>
      this.client.send(
        new SignCommand({
          KeyId: this.keyId,
          Message: Buffer.from(digest, 'hex'),
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
    );
    if (!output.Signature) throw new EvidenceError(`kms:Sign with key ${this.keyId} returned no signature`);
    return {
      algorithm: 'ECDSA_SHA_256',
      keyId: output.KeyId ?? this.keyId,
      value: Buffer.from(output.Signature).toString('base64'),
    };
  }

  async publicKey(): Promise<TrustedKey> {
    this.cached ??= fetchKmsPublicKey(this.client, this.keyId).catch((error: unknown) => {
      this.cached = undefined;
      throw error;
    });
    return this.cached;
  }
}

/**
 * The public half of a KMS signing key, as a trusted key for offline verification. Refuses a key that
 * is not an ECC_NIST_P256 SIGN_VERIFY key allowing ECDSA_SHA_256: signatures from it would not verify.
 */
export async function fetchKmsPublicKey(client: KMSClient, keyId: string): Promise<TrustedKey> {
  const output = await callAws({ action: 'kms:GetPublicKey', where: `key ${keyId}` }, () =>
    client.send(new GetPublicKeyCommand({ KeyId: keyId })),
  );
  if (output.KeySpec !== 'ECC_NIST_P256' || output.KeyUsage !== 'SIGN_VERIFY') {
    throw new EvidenceError(
      `KMS key ${keyId} is ${output.KeySpec ?? 'unknown'}/${output.KeyUsage ?? 'unknown'}; evidence needs an ECC_NIST_P256 SIGN_VERIFY key`,
    );
  }
  if (output.SigningAlgorithms && !output.SigningAlgorithms.includes('ECDSA_SHA_256')) {
    throw new EvidenceError(`KMS key ${keyId} does not allow ECDSA_SHA_256`);
  }
  if (!output.PublicKey) throw new EvidenceError(`kms:GetPublicKey for ${keyId} returned no key`);
  const publicKeyPem = createPublicKey({ key: Buffer.from(output.PublicKey), format: 'der', type: 'spki' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return { keyId: output.KeyId ?? keyId, publicKeyPem, source: `kms:${output.KeyId ?? keyId}` };
}
