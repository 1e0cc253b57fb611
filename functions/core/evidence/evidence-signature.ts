import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { EvidenceSignature, SignatureAlgorithm } from './evidence-record';

/** A public key the verifier trusts, with the key id records name it by. */
export interface TrustedKey {
  keyId: string;
  publicKeyPem: string;
  /** Where it came from (file path, KMS key, s3 object), for the verify output. */
  source: string;
}

export type SignatureCheck =
  | { status: 'valid'; keyId: string; fingerprint: string }
  | { status: 'invalid'; keyId: string; reason: string }
  | { status: 'unknown-key'; keyId: string };

/**
 * Checks one record's signature. `digest` is the record's SHA-256 (hex) and `body` the canonical
 * text it was computed over: ECDSA verification in Node hashes its input itself, so it needs the body.
 */
export type SignatureVerifier = (signature: EvidenceSignature, digest: string, body: string) => SignatureCheck;

const KEY_ID_LINE = /^Key-Id:[ \t]*(\S+)[ \t]*$/m;
const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/;

/** SHA-256 (hex) of the key's DER SubjectPublicKeyInfo: what an auditor compares out of band. */
export function publicKeyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(extractPem(publicKeyPem)).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/** Key id of a locally generated key: its algorithm and the start of its fingerprint. */
export function localKeyId(publicKeyPem: string): string {
  const key = createPublicKey(extractPem(publicKeyPem));
  return `local-${key.asymmetricKeyType ?? 'key'}-${publicKeyFingerprint(publicKeyPem).slice(0, 16)}`;
}

const LOCAL_KEY_ID = /^local-/;

/**
 * Why a key may not be trusted under the id it claims, or undefined when it may. A local key id is
 * derived from the key (algorithm + fingerprint), so a file that names another id lies about its key.
 * A KMS key id (an ARN) cannot be derived from the key; KMS binds the two when `--kms-key-id` fetches it.
 */
export function keyIdProblem(key: TrustedKey): string | undefined {
  if (!LOCAL_KEY_ID.test(key.keyId)) return undefined;
  const derived = localKeyId(key.publicKeyPem);
  return derived === key.keyId
    ? undefined
    : `claims key id ${key.keyId}, but the key it holds (sha256:${publicKeyFingerprint(key.publicKeyPem)}) has id ${derived}`;
}

/** Key ids claimed by more than one distinct key: a record naming such an id could be signed by either. */
export function ambiguousKeyIds(keys: readonly TrustedKey[]): Map<string, TrustedKey[]> {
  const byId = new Map<string, Map<string, TrustedKey>>();
  for (const k of keys) {
    const distinct = byId.get(k.keyId) ?? new Map<string, TrustedKey>();
    if (!distinct.has(publicKeyFingerprint(k.publicKeyPem))) distinct.set(publicKeyFingerprint(k.publicKeyPem), k);
    byId.set(k.keyId, distinct);
  }
  const result = new Map<string, TrustedKey[]>();
  for (const [id, distinct] of byId) if (distinct.size > 1) result.set(id, [...distinct.values()]);
  return result;
}

/** A fingerprint as people write it (`sha256:AB12…`, `ab12…`), normalized to lower-case hex; undefined when it is none. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text
    .trim()
    .replace(/^sha256:/i, '')
    .replace(/:/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/**
 * A public key file: RFC 7468 allows explanatory text before the PEM block, which is where the key
 * id goes (`Key-Id: arn:aws:kms:…`), so one file says both which key and which id it answers to.
 */
export function formatPublicKeyFile(keyId: string, publicKeyPem: string): string {
  return `Key-Id: ${keyId}\n${extractPem(publicKeyPem).trim()}\n`;
}

/** Reads a public key file; without a `Key-Id:` line the id is derived as for a local key. */
export function parsePublicKeyFile(content: string, source: string): TrustedKey {
  const pem = extractPem(content);
  createPublicKey(pem); // throws on a malformed key, naming nothing secret
  const keyId = KEY_ID_LINE.exec(content.slice(0, content.indexOf('-----BEGIN')))?.[1] ?? localKeyId(pem);
  return { keyId, publicKeyPem: pem, source };
}

function extractPem(content: string): string {
  const match = PEM_BLOCK.exec(content);
  if (!match) throw new Error('no PEM public key block (-----BEGIN PUBLIC KEY-----) found');
  return match[0];
}

const EXPECTED_KEY_TYPE: Record<SignatureAlgorithm, string> = { ED25519: 'ed25519', ECDSA_SHA_256: 'ec' };

/**
 * Verifies a signature with one key: Ed25519 over the 32 digest bytes, or ECDSA P-256/SHA-256 over
 * the body (which is ECDSA over the digest, exactly what KMS signs with `MessageType: 'DIGEST'`).
 */
export function verifyWithKey(signature: EvidenceSignature, digest: string, body: string, key: KeyObject): boolean {
  if (key.asymmetricKeyType !== EXPECTED_KEY_TYPE[signature.algorithm]) return false;
  const value = Buffer.from(signature.value, 'base64');
  try {
    return signature.algorithm === 'ED25519'
      ? verify(null, Buffer.from(digest, 'hex'), key, value)
      : verify('sha256', Buffer.from(body, 'utf8'), { key, dsaEncoding: 'der' }, value);
  } catch {
    return false; // malformed DER and the like: simply not a valid signature
  }
}

/**
 * A verifier over a fixed set of trusted keys. The record's `keyId` picks the key: the signature
 * block is outside the digest, so accepting "any trusted key" would let the key id be edited unseen.
 * One id names one key: a key whose local id is not derived from it is not trusted at all, and an
 * id claimed by two different keys verifies nothing (either could have signed; callers list both).
 */
export function createSignatureVerifier(keys: readonly TrustedKey[]): SignatureVerifier {
  const honest = keys.filter((k) => keyIdProblem(k) === undefined);
  const ambiguous = ambiguousKeyIds(honest);
  const byId = new Map<string, { key: KeyObject; fingerprint: string }>();
  for (const k of honest) {
    if (!ambiguous.has(k.keyId)) {
      byId.set(k.keyId, { key: createPublicKey(k.publicKeyPem), fingerprint: publicKeyFingerprint(k.publicKeyPem) });
    }
  }
  return (signature, digest, body) => {
    const claimants = ambiguous.get(signature.keyId);
    if (claimants) {
      return {
        status: 'invalid',
        keyId: signature.keyId,
        reason: `key id ${signature.keyId} is claimed by ${claimants.length} different keys (${claimants.map((k) => `sha256:${publicKeyFingerprint(k.publicKeyPem)}`).join(', ')}): the signer cannot be told apart`,
      };
    }
    const candidate = byId.get(signature.keyId);
    if (!candidate) return { status: 'unknown-key', keyId: signature.keyId };
    if (verifyWithKey(signature, digest, body, candidate.key)) {
      return { status: 'valid', keyId: signature.keyId, fingerprint: candidate.fingerprint };
    }
    return {
      status: 'invalid',
      keyId: signature.keyId,
      reason: `the ${signature.algorithm} signature does not verify with trusted key ${signature.keyId}`,
    };
  };
}

/** File names a public key may be published under, in order of preference (key ids made file-safe). */
export function publicKeyFileNames(keyId: string): string[] {
  return ['public-key.pem', `public-key-${keyId.replace(/[^A-Za-z0-9._-]/g, '_')}.pem`];
}
