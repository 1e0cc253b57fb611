import type { EvidenceIndexEntry, EvidenceRecord } from '../core/evidence/evidence-record';
import type { TrustedKey } from '../core/evidence/evidence-signature';
import type { EvidenceFile } from '../core/evidence/verify-evidence';

/** The newest record of a case's chain. */
export interface CaseChainHead {
  caseId: string;
  accountId: string;
  sequence: number;
  accountSequence: number;
  digest: string;
}

/** Everything a verifier reads: record files, account index entries, published public key files. */
export interface EvidenceSnapshot {
  records: EvidenceFile[];
  index: EvidenceFile[];
  publicKeys: EvidenceFile[];
  /**
   * Evidence objects the store holds more than one version of (S3 versioning), with the count; the
   * rest of the snapshot is the newest versions. Absent when the store keeps no versions (files).
   */
  overwritten?: { name: string; versions: number }[];
  /** Why versions could not be checked (permission missing), when a versioned store could not list them. */
  versionsUnchecked?: string;
}

/**
 * Append-only storage of evidence records (layout in `core/evidence/evidence-layout.ts`).
 *
 * `append` never overwrites: it first claims the record's account chain position (the index entry)
 * with an exclusive create, then writes the record file, also exclusively. When the position is
 * taken it throws EvidenceConflictError and writes nothing, so the caller re-reads the heads and
 * tries again.
 */
export interface EvidenceStorePort {
  /** Where the evidence lives, for people: a folder path or `s3://bucket/prefix/`. */
  readonly location: string;
  /** Appends one sealed record; returns where the record file is. */
  append(record: EvidenceRecord): Promise<{ location: string }>;
  /** The newest record file of a case, or undefined for a new case. */
  caseHead(caseId: string): Promise<CaseChainHead | undefined>;
  /** The newest index entry of an account (the account chain's head), or undefined. */
  accountHead(accountId: string): Promise<EvidenceIndexEntry | undefined>;
  /** The account's index entries with `from <= accountSequence <= to`, ascending; absent ones are skipped. */
  indexEntries(accountId: string, from: number, to: number): Promise<EvidenceIndexEntry[]>;
  /** A case's record files, in sequence order. */
  listCaseFiles(caseId: string): Promise<EvidenceFile[]>;
  /** The record files of all cases of an account, in account-sequence order (through the index). */
  listAccountFiles(accountId: string): Promise<EvidenceFile[]>;
  /** A case's index entry files (for verifying one case). */
  listCaseIndexFiles(caseId: string, accountId: string): Promise<EvidenceFile[]>;
  /** Published public key files (`public-key*.pem`), each naming its key id. */
  listPublicKeyFiles(): Promise<EvidenceFile[]>;
  /**
   * Publishes the signing key's public half beside the evidence so that the evidence verifies on its
   * own: `public-key.pem`, or `public-key-<keyId>.pem` when another key holds that name. Idempotent.
   */
  publishPublicKey(key: TrustedKey): Promise<void>;
  /** Everything, for `rootkey evidence verify`. */
  snapshot(): Promise<EvidenceSnapshot>;
  /** Writes (or rewrites) the case report; returns where each format went. */
  writeReport(caseId: string, report: { markdown: string; html: string }): Promise<{ markdown: string; html: string }>;
}
