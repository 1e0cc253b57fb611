import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import {
  buildUnsignedRecord,
  computeDigest,
  indexEntryFor,
  recordBody,
  serializeIndexEntry,
  serializeRecord,
  type EvidenceRecord,
} from '../../../functions/core/evidence/evidence-record';
import { indexPath, recordPath } from '../../../functions/core/evidence/evidence-layout';
import {
  createSignatureVerifier,
  localKeyId,
  type SignatureVerifier,
  type TrustedKey,
} from '../../../functions/core/evidence/evidence-signature';
import type { EvidenceFile } from '../../../functions/core/evidence/verify-evidence';
import type { EvidenceEventType } from '../../../functions/ports/evidence-recorder';

/** A signing key for tests: the private half signs, the trusted half goes to the verifier. */
export interface TestSigningKey {
  privateKey: KeyObject;
  trusted: TrustedKey;
  algorithm: 'ED25519' | 'ECDSA_SHA_256';
}

export function testSigningKey(kind: 'ed25519' | 'ecdsa' = 'ed25519', keyId?: string): TestSigningKey {
  const pair = kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    privateKey: pair.privateKey,
    trusted: { keyId: keyId ?? localKeyId(publicKeyPem), publicKeyPem, source: 'test key' },
    algorithm: kind === 'ed25519' ? 'ED25519' : 'ECDSA_SHA_256',
  };
}

/** Signs a record body the way the real signers do (LocalSigner: Ed25519 over the digest; KMS: ECDSA over the digest). */
export function signRecord(
  key: TestSigningKey,
  unsigned: Omit<EvidenceRecord, 'digest' | 'signature'>,
): EvidenceRecord {
  const digest = computeDigest(unsigned);
  const value =
    key.algorithm === 'ED25519'
      ? sign(null, Buffer.from(digest, 'hex'), key.privateKey)
      : sign('sha256', Buffer.from(recordBody(unsigned), 'utf8'), key.privateKey);
  return {
    ...unsigned,
    digest,
    signature: { algorithm: key.algorithm, keyId: key.trusted.keyId, value: value.toString('base64') },
  };
}

export interface FixtureEvent {
  caseId: string;
  accountId: string;
  type: EvidenceEventType;
  data?: Record<string, unknown>;
}

export interface BuiltEvidence {
  records: EvidenceRecord[];
  recordFiles: EvidenceFile[];
  indexFiles: EvidenceFile[];
  verifier: SignatureVerifier;
}

/**
 * Builds evidence for a sequence of events exactly as the EvidenceService chains it (positions and
 * predecessor digests per case and per account), purely in memory, for unit tests of the verifier.
 */
export function buildEvidence(events: FixtureEvent[], key: TestSigningKey): BuiltEvidence {
  const caseHeads = new Map<string, EvidenceRecord>();
  const accountHeads = new Map<string, EvidenceRecord>();
  const records: EvidenceRecord[] = [];
  const start = Date.parse('2026-11-28T10:00:00.000Z');
  events.forEach((event, i) => {
    const caseHead = caseHeads.get(event.caseId);
    const accountHead = accountHeads.get(event.accountId);
    const at = new Date(start + i * 1000).toISOString();
    const unsigned = buildUnsignedRecord({
      caseId: event.caseId,
      accountId: event.accountId,
      type: event.type,
      at,
      recordedAt: at,
      data: event.data ?? { note: `event ${i} for Zoë`, step: i },
      sequence: (caseHead?.sequence ?? 0) + 1,
      accountSequence: (accountHead?.accountSequence ?? 0) + 1,
      previousDigest: caseHead?.digest ?? null,
      previousAccountDigest: accountHead?.digest ?? null,
    });
    const record = signRecord(key, unsigned);
    caseHeads.set(event.caseId, record);
    accountHeads.set(event.accountId, record);
    records.push(record);
  });
  return {
    records,
    recordFiles: records.map((r) => ({ name: recordPath(r), content: serializeRecord(r) })),
    indexFiles: records.map((r) => ({ name: indexPath(r), content: serializeIndexEntry(indexEntryFor(r)) })),
    verifier: createSignatureVerifier([key.trusted]),
  };
}

export const ACCOUNTS = ['111111111111', '222222222222'] as const;

/** Case ids in the production format, one per (account, n). */
export function caseIdFor(accountId: string, n: number): string {
  return `RK-${accountId}-2026112810000${n}-ab${n}z`;
}
