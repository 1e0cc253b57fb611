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
  | { status: 'valid'; keyId: string }
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
 */
export function createSignatureVerifier(keys: readonly TrustedKey[]): SignatureVerifier {
  const byId = new Map<string, KeyObject[]>();
  for (const k of keys) {
    const list = byId.get(k.keyId) ?? [];
    list.push(createPublicKey(k.publicKeyPem));
    byId.set(k.keyId, list);
  }
  return (signature, digest, body) => {
    const candidates = byId.get(signature.keyId);
    if (!candidates) return { status: 'unknown-key', keyId: signature.keyId };
    if (candidates.some((key) => verifyWithKey(signature, digest, body, key))) {
      return { status: 'valid', keyId: signature.keyId };
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
