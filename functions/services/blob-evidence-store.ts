import { EvidenceConflictError, EvidenceError } from '../core/errors';
import {
  indexEntryFor,
  parseEvidenceIndexEntry,
  parseEvidenceRecord,
  serializeIndexEntry,
  serializeRecord,
  type EvidenceIndexEntry,
  type EvidenceRecord,
} from '../core/evidence/evidence-record';
import {
  INDEX_DIR,
  RECORDS_DIR,
  caseFolder,
  indexFolder,
  indexPath,
  parseIndexPath,
  parseRecordPath,
  recordPath,
  reportPath,
} from '../core/evidence/evidence-layout';
import { formatPublicKeyFile, publicKeyFileNames, type TrustedKey } from '../core/evidence/evidence-signature';
import type { EvidenceFile } from '../core/evidence/verify-evidence';
import type { BlobStorePort } from '../ports/blob-store';
import type { CaseChainHead, EvidenceSnapshot, EvidenceStorePort } from '../ports/evidence-store';
import { mapWithConcurrency } from './map-with-concurrency';

const PUBLIC_KEY_FILE = /^public-key[^/]*\.pem$/;

export interface BlobEvidenceStoreOptions {
  /** Blobs read in parallel when reading many records (default 8). */
  concurrency?: number;
}

/**
 * The one evidence store (layout in `core/evidence/evidence-layout.ts`), over any {@link BlobStorePort}:
 * the file system (`adapters/local/file-blob-store.ts`) or S3 (`adapters/aws/s3-blob-store.ts`).
 *
 * Records, index entries and published keys are created with put-if-absent, so nothing here ever
 * overwrites evidence; only reports (derived documents) are rewritten.
 */
export class BlobEvidenceStore implements EvidenceStorePort {
  readonly location: string;
  private readonly concurrency: number;

  constructor(
    private readonly blobs: BlobStorePort,
    options: BlobEvidenceStoreOptions = {},
  ) {
    this.location = blobs.location;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  }

  async append(record: EvidenceRecord): Promise<{ location: string }> {
    const entry = indexEntryFor(record);
    const folder = caseFolder(record.caseId);
    const sequencePrefix = `${folder}/${String(record.sequence).padStart(6, '0')}-`;
    // Claim the account position and look for a record at this case position together: writers that
    // go through this store never share a case position (the position follows from the account
    // position they claimed), so the listing only catches records written around the store, and it
    // finds them whether it runs before or after the claim.
    const [claimed, names] = await Promise.all([
      this.blobs.create(indexPath(entry), serializeIndexEntry(entry)),
      this.blobs.list(`${folder}/`),
    ]);
    if (!claimed) {
      throw new EvidenceConflictError(
        `Account ${record.accountId} evidence position ${record.accountSequence} was taken by another writer`,
      );
    }
    const taken = names.some(
      (name) => name.startsWith(sequencePrefix) || parseRecordPath(name)?.sequence === record.sequence,
    );
    const file = recordPath(record);
    if (taken || !(await this.blobs.create(file, serializeRecord(record)))) {
      // The index entry is ours, so no other writer should have this case position: the evidence was
      // tampered with or written around the store. Say so rather than overwrite anything.
      throw new EvidenceError(
        `Case ${record.caseId} already has a record #${record.sequence} although account position ${record.accountSequence} was free; ${this.location} was changed outside rootkey`,
      );
    }
    return { location: this.blobs.locate(file) };
  }

  async caseHead(caseId: string): Promise<CaseChainHead | undefined> {
    const newest = (await this.blobs.list(`${caseFolder(caseId)}/`))
      .map((name) => ({ name, parsed: parseRecordPath(name) }))
      .filter((x) => x.parsed?.caseId === caseId)
      .sort((a, b) => (b.parsed?.sequence ?? 0) - (a.parsed?.sequence ?? 0))[0];
    if (!newest) return undefined;
    const parsed = parseEvidenceRecord((await this.blobs.get(newest.name)) ?? '');
    if (!parsed.ok) {
      throw new EvidenceError(
        `The newest record of case ${caseId} (${this.blobs.locate(newest.name)}) is unreadable: ${parsed.issues.join('; ')}`,
      );
    }
    const { accountId, sequence, accountSequence, digest } = parsed.value;
    return { caseId, accountId, sequence, accountSequence, digest };
  }

  async accountHead(accountId: string): Promise<EvidenceIndexEntry | undefined> {
    const positions = await this.indexPositions(accountId);
    if (positions.length === 0) return undefined;
    return this.readIndexEntry(accountId, positions[positions.length - 1]);
  }

  async indexEntries(accountId: string, from: number, to: number): Promise<EvidenceIndexEntry[]> {
    const positions = (await this.indexPositions(accountId)).filter((n) => n >= from && n <= to);
    return mapWithConcurrency(positions, this.concurrency, (n) => this.readIndexEntry(accountId, n));
  }

  async listCaseFiles(caseId: string): Promise<EvidenceFile[]> {
    return this.readAll(await this.blobs.list(`${caseFolder(caseId)}/`));
  }

  async listAccountFiles(accountId: string): Promise<EvidenceFile[]> {
    const entries = await this.indexEntries(accountId, 1, Number.MAX_SAFE_INTEGER);
    return this.readAll(entries.map((e) => recordPath(e)));
  }

  async listCaseIndexFiles(caseId: string, accountId: string): Promise<EvidenceFile[]> {
    const positions = await this.indexPositions(accountId);
    const files = await this.readAll(positions.map((accountSequence) => indexPath({ accountId, accountSequence })));
    return files.filter((f) => {
      const parsed = parseEvidenceIndexEntry(f.content);
      return parsed.ok && parsed.value.caseId === caseId;
    });
  }

  async listPublicKeyFiles(): Promise<EvidenceFile[]> {
    return this.readAll((await this.blobs.list('public-key')).filter((n) => PUBLIC_KEY_FILE.test(n)));
  }

  async publishPublicKey(key: TrustedKey): Promise<void> {
    const content = formatPublicKeyFile(key.keyId, key.publicKeyPem);
    const names = publicKeyFileNames(key.keyId);
    for (const name of names) {
      if (await this.blobs.create(name, content)) return;
      if ((await this.blobs.get(name)) === content) return;
    }
    throw new EvidenceError(`${this.blobs.locate(names[names.length - 1])} already holds another key`);
  }

  async snapshot(): Promise<EvidenceSnapshot> {
    const [records, index, publicKeys, versions] = await Promise.all([
      this.blobs.list(`${RECORDS_DIR}/`).then((names) => this.readAll(names)),
      this.blobs.list(`${INDEX_DIR}/`).then((names) => this.readAll(names)),
      this.listPublicKeyFiles(),
      this.overwritten(),
    ]);
    return { records, index, publicKeys, ...versions };
  }

  /** Reports are derived documents: rewriting one is allowed (in S3 it makes a new, retained version). */
  async writeReport(
    caseId: string,
    report: { markdown: string; html: string },
  ): Promise<{ markdown: string; html: string }> {
    const markdown = reportPath(caseId, 'md');
    const html = reportPath(caseId, 'html');
    await this.blobs.put(markdown, report.markdown);
    await this.blobs.put(html, report.html);
    return { markdown: this.blobs.locate(markdown), html: this.blobs.locate(html) };
  }

  /**
   * Evidence blobs with more than one version, where the store keeps versions (S3): an overwrite keeps
   * the original as a noncurrent version while listings and reads see only the newest, so without this
   * a record written over would verify as long as it was re-signed.
   */
  private async overwritten(): Promise<Pick<EvidenceSnapshot, 'overwritten' | 'versionsUnchecked'>> {
    if (!this.blobs.versionCounts) return {};
    const versions = await this.blobs.versionCounts();
    if ('unchecked' in versions) return { versionsUnchecked: versions.unchecked };
    const overwritten = [...versions.counts]
      .filter(([name, n]) => n > 1 && isCreateOnly(name))
      .map(([name, count]) => ({ name, versions: count }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { overwritten };
  }

  /** Reads blobs in parallel (bounded), in the order given; one that vanished meanwhile is left out. */
  private async readAll(names: string[]): Promise<EvidenceFile[]> {
    const files = await mapWithConcurrency(names, this.concurrency, async (name) => {
      const content = await this.blobs.get(name);
      return content === undefined ? undefined : { name, content };
    });
    return files.filter((f): f is EvidenceFile => f !== undefined);
  }

  private async indexPositions(accountId: string): Promise<number[]> {
    return (await this.blobs.list(`${indexFolder(accountId)}/`))
      .map((name) => parseIndexPath(name))
      .filter((p) => p?.accountId === accountId)
      .map((p) => p?.accountSequence ?? 0)
      .sort((a, b) => a - b);
  }

  private async readIndexEntry(accountId: string, accountSequence: number): Promise<EvidenceIndexEntry> {
    const name = indexPath({ accountId, accountSequence });
    const parsed = parseEvidenceIndexEntry((await this.blobs.get(name)) ?? '');
    if (!parsed.ok) {
      throw new EvidenceError(
        `Evidence index entry ${this.blobs.locate(name)} is unreadable: ${parsed.issues.join('; ')}`,
      );
    }
    return parsed.value;
  }
}

/** Records, index entries and published keys are written once; reports are rewritten by design. */
function isCreateOnly(name: string): boolean {
  return name.startsWith(`${RECORDS_DIR}/`) || name.startsWith(`${INDEX_DIR}/`) || PUBLIC_KEY_FILE.test(name);
}
