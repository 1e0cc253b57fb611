import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EvidenceConflictError, EvidenceError } from '../../core/errors';
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
import type { EvidenceFile } from '../../core/evidence/verify-evidence';
import { formatPublicKeyFile, publicKeyFileNames, type TrustedKey } from '../../core/evidence/evidence-signature';
import type { CaseChainHead, EvidenceSnapshot, EvidenceStorePort } from '../../ports/evidence-store';

/**
 * Evidence as files under `<dataDir>/evidence/` (layout in `core/evidence/evidence-layout.ts`).
 *
 * Records and index entries are written to a temporary file, flushed, and then hard-linked to their
 * final name: `link` fails when the name exists, so a record is created completely or not at all,
 * and never over an existing one. Files are created read-only (0444) as a guard against casual edits;
 * the verifier, not the file mode, is what detects a change.
 */
export class FileEvidenceStore implements EvidenceStorePort {
  /** The evidence folder (`<dataDir>/evidence`). */
  readonly root: string;
  readonly location: string;

  constructor(dataDir: string, options: { evidenceDir?: string } = {}) {
    this.root = resolve(options.evidenceDir ?? join(dataDir, 'evidence'));
    this.location = this.root;
  }

  /** A store over an evidence folder given directly (`.rootkey/evidence`), as `rootkey evidence verify` gets it. */
  static atEvidenceDir(evidenceDir: string): FileEvidenceStore {
    return new FileEvidenceStore(dirname(evidenceDir), { evidenceDir });
  }

  async append(record: EvidenceRecord): Promise<{ location: string }> {
    const entry = indexEntryFor(record);
    const claimed = await this.createExclusive(indexPath(entry), serializeIndexEntry(entry));
    if (!claimed) {
      throw new EvidenceConflictError(
        `Account ${record.accountId} evidence position ${record.accountSequence} was taken by another writer`,
      );
    }
    const folder = caseFolder(record.caseId);
    const taken = (await this.names(join(this.root, folder))).some(
      (n) => parseRecordPath(`${folder}/${n}`)?.sequence === record.sequence,
    );
    const file = recordPath(record);
    if (taken || !(await this.createExclusive(file, serializeRecord(record)))) {
      // The index entry is ours, so no other writer should have this case position: the folder was
      // tampered with or written around the store. Say so rather than overwrite anything.
      throw new EvidenceError(
        `Case ${record.caseId} already has a record #${record.sequence} although account position ${record.accountSequence} was free; the evidence folder ${this.root} was changed outside rootkey`,
      );
    }
    return { location: join(this.root, file) };
  }

  async caseHead(caseId: string): Promise<CaseChainHead | undefined> {
    const folder = caseFolder(caseId);
    const names = (await this.names(join(this.root, folder)))
      .map((n) => ({ n, parsed: parseRecordPath(`${folder}/${n}`) }))
      .filter((x) => x.parsed !== undefined)
      .sort((a, b) => (b.parsed?.sequence ?? 0) - (a.parsed?.sequence ?? 0));
    if (names.length === 0) return undefined;
    const name = `${folder}/${names[0].n}`;
    const parsed = parseEvidenceRecord(await this.read(name));
    if (!parsed.ok)
      throw new EvidenceError(
        `The newest record of case ${caseId} (${name}) is unreadable: ${parsed.issues.join('; ')}`,
      );
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
    return Promise.all(positions.map((n) => this.readIndexEntry(accountId, n)));
  }

  async listCaseFiles(caseId: string): Promise<EvidenceFile[]> {
    const folder = caseFolder(caseId);
    const names = (await this.names(join(this.root, folder))).sort();
    return Promise.all(names.map((n) => this.file(`${folder}/${n}`)));
  }

  async listAccountFiles(accountId: string): Promise<EvidenceFile[]> {
    const entries = await this.indexEntries(accountId, 1, Number.MAX_SAFE_INTEGER);
    const files = await Promise.all(entries.map((e) => this.fileIfExists(recordPath(e))));
    return files.filter((f): f is EvidenceFile => f !== undefined);
  }

  async listCaseIndexFiles(caseId: string, accountId: string): Promise<EvidenceFile[]> {
    const positions = await this.indexPositions(accountId);
    const files = await Promise.all(positions.map((n) => this.file(indexPath({ accountId, accountSequence: n }))));
    return files.filter((f) => {
      const parsed = parseEvidenceIndexEntry(f.content);
      return parsed.ok && parsed.value.caseId === caseId;
    });
  }

  async listPublicKeyFiles(): Promise<EvidenceFile[]> {
    const names = (await this.names(this.root)).filter((n) => /^public-key.*\.pem$/.test(n)).sort();
    return Promise.all(names.map((n) => this.file(n)));
  }

  async publishPublicKey(key: TrustedKey): Promise<void> {
    const content = formatPublicKeyFile(key.keyId, key.publicKeyPem);
    for (const name of publicKeyFileNames(key.keyId)) {
      if (await this.createExclusive(name, content)) return;
      if ((await this.read(name)) === content) return;
    }
    throw new EvidenceError(`${publicKeyFileNames(key.keyId)[1]} already holds another key`);
  }

  async snapshot(): Promise<EvidenceSnapshot> {
    return {
      records: await this.filesTwoLevelsDown(RECORDS_DIR),
      index: await this.filesTwoLevelsDown(INDEX_DIR),
      publicKeys: await this.listPublicKeyFiles(),
    };
  }

  async writeReport(
    caseId: string,
    report: { markdown: string; html: string },
  ): Promise<{ markdown: string; html: string }> {
    const markdown = await this.replace(reportPath(caseId, 'md'), report.markdown);
    const html = await this.replace(reportPath(caseId, 'html'), report.html);
    return { markdown, html };
  }

  /** Creates `name` with `content` unless it exists; false when it does. */
  private async createExclusive(name: string, content: string): Promise<boolean> {
    const target = join(this.root, name);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `.tmp-${process.pid}-${randomUUID()}`);
    const handle = await open(temp, 'wx', 0o444);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, target);
      return true;
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      if (errorCode(error) !== 'EPERM' && errorCode(error) !== 'ENOTSUP') throw error;
      // A filesystem without hard links: exclusive create directly (not crash-atomic, still never overwrites).
      try {
        await writeFile(target, content, { flag: 'wx', mode: 0o444 });
        return true;
      } catch (inner) {
        if (errorCode(inner) === 'EEXIST') return false;
        throw inner;
      }
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  private async replace(name: string, content: string): Promise<string> {
    const target = join(this.root, name);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `.tmp-${process.pid}-${randomUUID()}`);
    await writeFile(temp, content, 'utf8');
    await rename(temp, target);
    return target;
  }

  private async indexPositions(accountId: string): Promise<number[]> {
    const folder = indexFolder(accountId);
    return (await this.names(join(this.root, folder)))
      .map((n) => parseIndexPath(`${folder}/${n}`)?.accountSequence)
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b);
  }

  private async readIndexEntry(accountId: string, accountSequence: number): Promise<EvidenceIndexEntry> {
    const name = indexPath({ accountId, accountSequence });
    const parsed = parseEvidenceIndexEntry(await this.read(name));
    if (!parsed.ok) throw new EvidenceError(`Evidence index entry ${name} is unreadable: ${parsed.issues.join('; ')}`);
    return parsed.value;
  }

  private async filesTwoLevelsDown(dir: string): Promise<EvidenceFile[]> {
    const files: EvidenceFile[] = [];
    for (const entry of await this.entries(join(this.root, dir))) {
      if (entry.isDirectory()) {
        for (const name of await this.names(join(this.root, dir, entry.name))) {
          files.push(await this.file(`${dir}/${entry.name}/${name}`));
        }
      } else if (entry.isFile()) {
        files.push(await this.file(`${dir}/${entry.name}`));
      }
    }
    return files.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Visible regular file names of a folder (temporary `.tmp-*` files and other dot files left out). */
  private async names(dir: string): Promise<string[]> {
    return (await this.entries(dir)).filter((e) => e.isFile()).map((e) => e.name);
  }

  private async entries(dir: string) {
    try {
      return (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
  }

  private async read(name: string): Promise<string> {
    return readFile(join(this.root, name), 'utf8');
  }

  private async file(name: string): Promise<EvidenceFile> {
    return { name, content: await this.read(name) };
  }

  private async fileIfExists(name: string): Promise<EvidenceFile | undefined> {
    try {
      return await this.file(name);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
