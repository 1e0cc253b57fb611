import { isAccountId } from '../account';
import { InvalidInputError } from '../errors';
import {
  EVIDENCE_EVENT_TYPES,
  SAFE_CASE_ID,
  type EvidenceEventType,
  type EvidenceIndexEntry,
  type EvidenceRecord,
} from './evidence-record';

/**
 * Where evidence lives, relative to the evidence root (a folder, or an S3 prefix):
 *
 * ```
 * cases/<caseId>/<sequence, 6 digits>-<type>.json       one record, canonical JSON
 * accounts/<accountId>/<accountSequence, 9 digits>.json  index entry claiming that account chain position
 * reports/<caseId>.md|.html                               human-readable report (derived, rewritable)
 * public-key.pem                                          the signing key's public half (local signer)
 * ```
 *
 * Why an account index: the two chains of a record (per case and per account) need one point
 * where concurrent writers collide. The account position is that point — every record has one, and
 * an exclusive create of `accounts/<id>/<n>.json` lets exactly one writer take position n. The case
 * file is written right after; its name carries the type so that a folder listing reads like a
 * timeline. The index also names every record that should exist, so a deleted record file is found
 * and named even when it was the last one of its chains.
 */
export const RECORDS_DIR = 'cases';
export const INDEX_DIR = 'accounts';
export const REPORTS_DIR = 'reports';
export const PUBLIC_KEY_FILE = 'public-key.pem';

/**
 * The folder of a case's records. Every path built from a case id goes through here (or through
 * {@link reportPath}), so that `../x`, `a/b` or an absolute path can never leave the evidence root.
 */
export function caseFolder(caseId: string): string {
  return `${RECORDS_DIR}/${safeCaseId(caseId)}`;
}

export function recordPath(record: Pick<EvidenceRecord, 'caseId' | 'sequence' | 'type'>): string {
  return `${caseFolder(record.caseId)}/${String(record.sequence).padStart(6, '0')}-${record.type}.json`;
}

export function indexFolder(accountId: string): string {
  if (typeof accountId !== 'string' || !isAccountId(accountId)) {
    throw new InvalidInputError(`Not an account id: ${String(accountId).slice(0, 40)}`, ['accountId: 12 digits']);
  }
  return `${INDEX_DIR}/${accountId}`;
}

export function indexPath(entry: Pick<EvidenceIndexEntry, 'accountId' | 'accountSequence'>): string {
  return `${indexFolder(entry.accountId)}/${String(entry.accountSequence).padStart(9, '0')}.json`;
}

export function reportPath(caseId: string, format: 'md' | 'html'): string {
  return `${REPORTS_DIR}/${safeCaseId(caseId)}.${format}`;
}

function safeCaseId(caseId: string): string {
  if (typeof caseId !== 'string' || !SAFE_CASE_ID.test(caseId)) {
    throw new InvalidInputError(`Not a case id: ${String(caseId).slice(0, 140)}`, [
      'caseId: letters, digits, ".", "_", "-" only, starting with a letter or digit, up to 128 characters',
    ]);
  }
  return caseId;
}

const RECORD_PATH = /^cases\/([^/]+)\/(\d{6,})-([a-z-]+)\.json$/;
const INDEX_PATH = /^accounts\/(\d{12})\/(\d{9,})\.json$/;

/** What a record file's name says about the record it should hold; undefined when the name is not a record path. */
export function parseRecordPath(
  name: string,
): { caseId: string; sequence: number; type: EvidenceEventType } | undefined {
  const match = RECORD_PATH.exec(name);
  if (!match) return undefined;
  const type = match[3] as EvidenceEventType;
  if (!EVIDENCE_EVENT_TYPES.includes(type)) return undefined;
  return { caseId: match[1], sequence: Number(match[2]), type };
}

export function parseIndexPath(name: string): { accountId: string; accountSequence: number } | undefined {
  const match = INDEX_PATH.exec(name);
  return match ? { accountId: match[1], accountSequence: Number(match[2]) } : undefined;
}
