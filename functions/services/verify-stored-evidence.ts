import {
  createSignatureVerifier,
  parsePublicKeyFile,
  publicKeyFingerprint,
  type TrustedKey,
} from '../core/evidence/evidence-signature';
import {
  verifyEvidence,
  type EvidenceFile,
  type EvidenceProblem,
  type EvidenceVerification,
} from '../core/evidence/verify-evidence';
import type { EvidenceSnapshot, EvidenceStorePort } from '../ports/evidence-store';

/** A verification plus where it ran and the keys it trusted, so that the output can show their fingerprints. */
export interface StoredEvidenceVerification extends EvidenceVerification {
  location: string;
  trustedKeys: (TrustedKey & { fingerprint: string })[];
}

export interface VerifyStoredEvidenceOptions {
  /**
   * Keys to trust. When absent, the public keys published beside the evidence are trusted: that
   * proves the records unchanged since they were signed by that key, which is why the output prints
   * each key's fingerprint for comparison with a copy kept elsewhere (or pin one with this option).
   */
  trustedKeys?: TrustedKey[];
  requireComplete?: boolean;
  expectedDigests?: string[];
}

/** Parses published public key files; an unreadable one is a problem, not a crash. */
export function readTrustedKeys(files: EvidenceFile[]): { keys: TrustedKey[]; problems: EvidenceProblem[] } {
  const keys: TrustedKey[] = [];
  const problems: EvidenceProblem[] = [];
  for (const file of files) {
    try {
      keys.push(parsePublicKeyFile(file.content, file.name));
    } catch (error) {
      problems.push({
        kind: 'unparseable',
        file: file.name,
        message: `unreadable public key: ${(error as Error).message}`,
      });
    }
  }
  return { keys, problems };
}

/** Verifies a snapshot read from a store (see {@link verifyStoredEvidence}). */
export function verifyEvidenceSnapshot(
  snapshot: EvidenceSnapshot,
  location: string,
  options: VerifyStoredEvidenceOptions = {},
): StoredEvidenceVerification {
  const published = readTrustedKeys(snapshot.publicKeys);
  const keys = options.trustedKeys ?? published.keys;
  const verification = verifyEvidence({
    records: snapshot.records,
    index: snapshot.index,
    verifySignature: createSignatureVerifier(keys),
    requireComplete: options.requireComplete,
    expectedDigests: options.expectedDigests,
  });
  const problems = [...verification.problems, ...(options.trustedKeys ? [] : published.problems)];
  return {
    ...verification,
    ok: problems.length === 0,
    problems,
    location,
    trustedKeys: keys.map((k) => ({ ...k, fingerprint: publicKeyFingerprint(k.publicKeyPem) })),
  };
}

/** Reads everything a store holds and verifies it: digests, both chains, the index and signatures. */
export async function verifyStoredEvidence(
  store: EvidenceStorePort,
  options: VerifyStoredEvidenceOptions = {},
): Promise<StoredEvidenceVerification> {
  return verifyEvidenceSnapshot(await store.snapshot(), store.location, options);
}
