import {
  ambiguousKeyIds,
  createSignatureVerifier,
  keyIdProblem,
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
  /** Set when the store keeps versions but they could not be listed: overwrites were not looked for. */
  versionsUnchecked?: string;
}

export interface VerifyStoredEvidenceOptions {
  /**
   * Keys to trust, pinned from outside the evidence (`--public-key`, `--kms-key-id`). When absent
   * (and no fingerprint is pinned), the public keys published beside the evidence are trusted: that
   * proves the records unchanged since they were signed by *some* published key, not by which one —
   * whoever can write the folder can publish a key and re-sign — so the verdict says "unpinned".
   */
  trustedKeys?: TrustedKey[];
  /** SHA-256 fingerprints (hex) of the only published keys to trust (`--fingerprint`, a pin file). */
  pinnedFingerprints?: string[];
  requireComplete?: boolean;
  expectedDigests?: string[];
}

/**
 * Parses published public key files. An unreadable one, one whose key id is not derived from its key,
 * and two different keys under one id are problems, not crashes; only honest keys are returned.
 */
export function readTrustedKeys(files: EvidenceFile[]): { keys: TrustedKey[]; problems: EvidenceProblem[] } {
  const keys: TrustedKey[] = [];
  const problems: EvidenceProblem[] = [];
  for (const file of files) {
    let key: TrustedKey;
    try {
      key = parsePublicKeyFile(file.content, file.name);
    } catch (error) {
      problems.push({
        kind: 'unparseable',
        file: file.name,
        message: `unreadable public key: ${(error as Error).message}`,
      });
      continue;
    }
    const lie = keyIdProblem(key);
    if (lie) problems.push({ kind: 'key-id-mismatch', file: file.name, message: `${lie}: not trusted` });
    else keys.push(key);
  }
  for (const [keyId, claimants] of ambiguousKeyIds(keys)) {
    problems.push({
      kind: 'ambiguous-key-id',
      file: claimants.map((k) => k.source).join(', '),
      message: `${claimants.length} different keys are published under key id ${keyId} (${claimants.map((k) => `sha256:${publicKeyFingerprint(k.publicKeyPem)}`).join(', ')}): records naming it cannot be attributed`,
    });
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
  const pins = options.pinnedFingerprints ?? [];
  const candidates = options.trustedKeys ?? published.keys;
  const keys = pins.length ? candidates.filter((k) => pins.includes(publicKeyFingerprint(k.publicKeyPem))) : candidates;
  const pinned = options.trustedKeys !== undefined || pins.length > 0;
  const verification = verifyEvidence({
    records: snapshot.records,
    index: snapshot.index,
    verifySignature: createSignatureVerifier(keys),
    requireComplete: options.requireComplete,
    expectedDigests: options.expectedDigests,
    pinned,
  });
  const problems = [
    ...verification.problems,
    // A published key file that lies about its id is a forgery even when a pin makes it harmless.
    ...published.problems,
    ...(snapshot.overwritten ?? []).map((o): EvidenceProblem => ({
      kind: 'overwritten',
      file: o.name,
      message: `${o.versions} versions of this evidence object exist: it was written over after it was created (only the newest was verified)`,
    })),
    ...(pins.length > 0 && keys.length === 0
      ? [
          {
            kind: 'unknown-key' as const,
            message: `no published key has a pinned fingerprint (${pins.map((p) => `sha256:${p}`).join(', ')})`,
          },
        ]
      : []),
  ];
  return {
    ...verification,
    ok: problems.length === 0,
    problems,
    location,
    versionsUnchecked: snapshot.versionsUnchecked,
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
