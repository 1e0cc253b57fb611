import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { EvidenceConflictError, EvidenceError, InvalidInputError } from '../../core/errors';
import {
  indexEntryFor,
  parseEvidenceIndexEntry,
  parseEvidenceRecord,
  serializeIndexEntry,
  serializeRecord,
  type EvidenceIndexEntry,
  type EvidenceRecord,
} from '../../core/evidence/evidence-record';
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
} from '../../core/evidence/evidence-layout';
import { formatPublicKeyFile, publicKeyFileNames, type TrustedKey } from '../../core/evidence/evidence-signature';
import type { EvidenceFile } from '../../core/evidence/verify-evidence';
import type { CaseChainHead, EvidenceSnapshot, EvidenceStorePort } from '../../ports/evidence-store';
import { awsErrorCode, callAws, toRootKeyError } from './aws-errors';

export interface S3EvidenceStoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix of the evidence root (`evidence/`); a trailing slash is added when missing. */
  prefix?: string;
  /** KMS key for SSE-KMS; without it the bucket's default encryption applies. */
  kmsKeyId?: string;
  /** Parallel GetObject calls when reading many records (default 8). */
  concurrency?: number;
}

/**
 * Evidence in S3 (layout in `core/evidence/evidence-layout.ts`). Records and index entries are
 * created with `IfNoneMatch: '*'`, so S3 itself refuses to overwrite one: 412 PreconditionFailed
 * (exists) or 409 ConditionalRequestConflict (a concurrent create) become EvidenceConflictError.
 *
 * Retention is the bucket's: the evidence bucket has Object Lock on with a default retention in
 * COMPLIANCE mode (set by the infra stack), which S3 applies to every object put here, so no request
 * carries lock headers. Object Lock requires an integrity checksum on each put; SHA-256 is sent.
 * Objects are encrypted with SSE-KMS under `kmsKeyId`.
 */
export class S3EvidenceStore implements EvidenceStorePort {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly kmsKeyId?: string;
  private readonly concurrency: number;
  readonly location: string;

  constructor(options: S3EvidenceStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    const prefix = (options.prefix ?? '').replace(/^\/+/, '');
    this.prefix = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
    this.kmsKeyId = options.kmsKeyId;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.location = `s3://${this.bucket}/${this.prefix}`;
  }

  /** Parses `s3://bucket/prefix` into the bucket and prefix options. */
  static parseUri(uri: string): { bucket: string; prefix: string } {
    const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
    if (!match) throw new InvalidInputError(`Not an S3 location: ${uri} (expected s3://bucket/prefix)`);
    return { bucket: match[1], prefix: match[2] ?? '' };
  }

  async append(record: EvidenceRecord): Promise<{ location: string }> {
    const entry = indexEntryFor(record);
    if (!(await this.putExclusive(indexPath(entry), serializeIndexEntry(entry), 'application/json'))) {
      throw new EvidenceConflictError(
        `Account ${record.accountId} evidence position ${record.accountSequence} was taken by another writer`,
      );
    }
    const sequencePrefix = `${RECORDS_DIR}/${record.caseId}/${String(record.sequence).padStart(6, '0')}-`;
    const file = recordPath(record);
    const taken = (await this.listKeys(sequencePrefix)).length > 0;
    if (taken || !(await this.putExclusive(file, serializeRecord(record), 'application/json'))) {
      throw new EvidenceError(
        `Case ${record.caseId} already has a record #${record.sequence} although account position ${record.accountSequence} was free; ${this.location} was written outside rootkey`,
      );
    }
    return { location: `${this.location}${file}` };
  }

  async caseHead(caseId: string): Promise<CaseChainHead | undefined> {
    const newest = (await this.listKeys(`${caseFolder(caseId)}/`))
      .map((name) => ({ name, parsed: parseRecordPath(name) }))
      .filter((x) => x.parsed?.caseId === caseId)
      .sort((a, b) => (b.parsed?.sequence ?? 0) - (a.parsed?.sequence ?? 0))[0];
    if (!newest) return undefined;
    const parsed = parseEvidenceRecord((await this.get(newest.name)) ?? '');
    if (!parsed.ok) {
      throw new EvidenceError(
        `The newest record of case ${caseId} (${newest.name}) is unreadable: ${parsed.issues.join('; ')}`,
      );
    }
    const r = parsed.value;
    return {
      caseId,
      accountId: r.accountId,
      sequence: r.sequence,
      accountSequence: r.accountSequence,
      digest: r.digest,
    };
  }

  async accountHead(accountId: string): Promise<EvidenceIndexEntry | undefined> {
    const positions = await this.indexPositions(accountId);
    if (positions.length === 0) return undefined;
    return this.readIndexEntry(accountId, positions[positions.length - 1]);
  }

  async indexEntries(accountId: string, from: number, to: number): Promise<EvidenceIndexEntry[]> {
    const positions = (await this.indexPositions(accountId)).filter((n) => n >= from && n <= to);
    return this.mapLimit(positions, (n) => this.readIndexEntry(accountId, n));
  }

  async listCaseFiles(caseId: string): Promise<EvidenceFile[]> {
    return this.readAll(await this.listKeys(`${caseFolder(caseId)}/`));
  }

  async listAccountFiles(accountId: string): Promise<EvidenceFile[]> {
    const entries = await this.indexEntries(accountId, 1, Number.MAX_SAFE_INTEGER);
    return this.readAll(entries.map((e) => recordPath(e)));
  }

  async listCaseIndexFiles(caseId: string, accountId: string): Promise<EvidenceFile[]> {
    const files = await this.readAll(await this.listKeys(`${indexFolder(accountId)}/`));
    return files.filter((f) => {
      const parsed = parseEvidenceIndexEntry(f.content);
      return parsed.ok && parsed.value.caseId === caseId;
    });
  }

  async listPublicKeyFiles(): Promise<EvidenceFile[]> {
    const names = (await this.listKeys('public-key')).filter((n) => /^public-key[^/]*\.pem$/.test(n));
    return this.readAll(names);
  }

  async publishPublicKey(key: TrustedKey): Promise<void> {
    const content = formatPublicKeyFile(key.keyId, key.publicKeyPem);
    for (const name of publicKeyFileNames(key.keyId)) {
      if (await this.putExclusive(name, content, 'application/x-pem-file')) return;
      if ((await this.get(name)) === content) return;
    }
    throw new EvidenceError(`${this.location}${publicKeyFileNames(key.keyId)[1]} already holds another key`);
  }

  async snapshot(): Promise<EvidenceSnapshot> {
    const [records, index, publicKeys, versions] = await Promise.all([
      this.listKeys(`${RECORDS_DIR}/`).then((keys) => this.readAll(keys)),
      this.listKeys(`${INDEX_DIR}/`).then((keys) => this.readAll(keys)),
      this.listPublicKeyFiles(),
      this.overwrittenObjects(),
    ]);
    return { records, index, publicKeys, ...versions };
  }

  /**
   * Evidence objects with more than one version (or a delete marker). The bucket is versioned, so
   * an overwrite keeps the original as a noncurrent version while ListObjectsV2/GetObject see only
   * the newest: without this, a record written over would verify as long as it was re-signed.
   * Needs s3:ListBucketVersions; without it the verdict says versions were not checked.
   */
  private async overwrittenObjects(): Promise<Pick<EvidenceSnapshot, 'overwritten' | 'versionsUnchecked'>> {
    const counts = new Map<string, number>();
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectVersionsCommand({
            Bucket: this.bucket,
            Prefix: this.prefix,
            KeyMarker: keyMarker,
            VersionIdMarker: versionIdMarker,
          }),
        );
        for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
          const name = v.Key?.slice(this.prefix.length);
          if (name && isCreateOnly(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
        }
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
      } while (keyMarker);
    } catch (error) {
      if (awsErrorCode(error) === 'AccessDenied') {
        return { versionsUnchecked: `s3:ListBucketVersions denied on ${this.location}` };
      }
      throw toRootKeyError(error, { action: 's3:ListBucketVersions', where: this.location });
    }
    const overwritten = [...counts]
      .filter(([, n]) => n > 1)
      .map(([name, versions]) => ({ name, versions }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { overwritten };
  }

  /** Reports are derived documents: rewriting one makes a new object version, the old one stays retained. */
  async writeReport(
    caseId: string,
    report: { markdown: string; html: string },
  ): Promise<{ markdown: string; html: string }> {
    const markdown = reportPath(caseId, 'md');
    const html = reportPath(caseId, 'html');
    await this.put(markdown, report.markdown, 'text/markdown; charset=utf-8');
    await this.put(html, report.html, 'text/html; charset=utf-8');
    return { markdown: `${this.location}${markdown}`, html: `${this.location}${html}` };
  }

  private putInput(name: string, body: string, contentType: string): PutObjectCommandInput {
    return {
      Bucket: this.bucket,
      Key: `${this.prefix}${name}`,
      Body: body,
      ContentType: contentType,
      ChecksumAlgorithm: 'SHA256',
      ...(this.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.kmsKeyId } : {}),
    };
  }

  /** Creates the object unless the key exists; false when S3 refuses because it does (or is being created). */
  private async putExclusive(name: string, body: string, contentType: string): Promise<boolean> {
    try {
      await this.client.send(new PutObjectCommand({ ...this.putInput(name, body, contentType), IfNoneMatch: '*' }));
      return true;
    } catch (error) {
      const code = awsErrorCode(error);
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (code === 'PreconditionFailed' || code === 'ConditionalRequestConflict' || status === 412 || status === 409) {
        return false;
      }
      throw toRootKeyError(error, { action: 's3:PutObject', where: `${this.location}${name}` });
    }
  }

  private async put(name: string, body: string, contentType: string): Promise<void> {
    await callAws({ action: 's3:PutObject', where: `${this.location}${name}` }, () =>
      this.client.send(new PutObjectCommand(this.putInput(name, body, contentType))),
    );
  }

  private async get(name: string): Promise<string | undefined> {
    try {
      const output = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${name}` }),
      );
      return (await output.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (awsErrorCode(error) === 'NoSuchKey') return undefined;
      throw toRootKeyError(error, { action: 's3:GetObject', where: `${this.location}${name}` });
    }
  }

  /** Names (relative to the evidence root) under `under`, every page of ListObjectsV2, sorted. */
  private async listKeys(under: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await callAws({ action: 's3:ListBucket', where: `${this.location}${under}` }, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}${under}`, ContinuationToken: token }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && !object.Key.endsWith('/')) names.push(object.Key.slice(this.prefix.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return names.sort();
  }

  private async readAll(names: string[]): Promise<EvidenceFile[]> {
    const files = await this.mapLimit(names, async (name) => {
      const content = await this.get(name);
      return content === undefined ? undefined : { name, content };
    });
    return files.filter((f): f is EvidenceFile => f !== undefined);
  }

  private async indexPositions(accountId: string): Promise<number[]> {
    return (await this.listKeys(`${indexFolder(accountId)}/`))
      .map((name) => parseIndexPath(name))
      .filter((p) => p?.accountId === accountId)
      .map((p) => p?.accountSequence ?? 0)
      .sort((a, b) => a - b);
  }

  private async readIndexEntry(accountId: string, accountSequence: number): Promise<EvidenceIndexEntry> {
    const name = indexPath({ accountId, accountSequence });
    const parsed = parseEvidenceIndexEntry((await this.get(name)) ?? '');
    if (!parsed.ok)
      throw new EvidenceError(
        `Evidence index entry ${this.location}${name} is unreadable: ${parsed.issues.join('; ')}`,
      );
    return parsed.value;
  }

  private async mapLimit<T, R>(items: T[], task: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await task(items[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
    return results;
  }
}

/** Records, index entries and published keys are written once; reports are rewritten by design. */
function isCreateOnly(name: string): boolean {
  return name.startsWith(`${RECORDS_DIR}/`) || name.startsWith(`${INDEX_DIR}/`) || /^public-key[^/]*\.pem$/.test(name);
}
