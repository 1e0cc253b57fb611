import type { EvidenceSignature } from '../core/evidence/evidence-record';
import type { TrustedKey } from '../core/evidence/evidence-signature';

/**
 * Signs evidence digests with an asymmetric key whose private half never leaves the signer:
 * AWS KMS (ECDSA P-256) in AWS, a local Ed25519 key in the sandbox.
 */
export interface EvidenceSignerPort {
  /** Signs a record digest (64 hex characters, SHA-256 of the record body). */
  sign(digest: string): Promise<EvidenceSignature>;
  /** The public key and the key id signatures name, for verification anywhere without the signer. */
  publicKey(): Promise<TrustedKey>;
}
