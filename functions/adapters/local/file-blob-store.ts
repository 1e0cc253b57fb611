import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { BlobStorePort } from '../../ports/blob-store';

/**
 * Blobs as files under one folder (the evidence folder, `<dataDir>/evidence`).
 *
 * `create` writes a temporary file, flushes it, and hard-links it to its final name: `link` fails
 * with EEXIST when the name exists, so a blob is created completely or not at all, and never over an
 * existing one. Created files are read-only (0444) as a guard against casual edits; the evidence
 * verifier, not the file mode, is what detects a change. Names starting with `.` (temporary files)
 * are never listed.
 */
export class FileBlobStore implements BlobStorePort {
  /** The folder, absolute. */
  readonly root: string;
  readonly location: string;

  constructor(folder: string) {
    this.root = resolve(folder);
    this.location = this.root;
  }

  /** The evidence folder of a data directory: `<dataDir>/evidence`. */
  static evidenceOf(dataDir: string): FileBlobStore {
    return new FileBlobStore(join(dataDir, 'evidence'));
  }

  locate(name: string): string {
    return join(this.root, name);
  }

  async create(name: string, content: string): Promise<boolean> {
    const target = this.locate(name);
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

  /** Writes a temporary file and renames it over the name, so a reader sees the old or the new content. */
  async put(name: string, content: string): Promise<void> {
    const target = this.locate(name);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `.tmp-${process.pid}-${randomUUID()}`);
    await writeFile(temp, content, 'utf8');
    await rename(temp, target);
  }

  async get(name: string): Promise<string | undefined> {
    try {
      return await readFile(this.locate(name), 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      for (const entry of await this.entries(folder)) {
        const name = `${folder}${entry.name}`;
        if (entry.isFile() && name.startsWith(prefix)) names.push(name);
        // Descend only into folders that can hold a matching name (`cases/` for `cases/x/`, not `accounts/`).
        if (entry.isDirectory() && (`${name}/`.startsWith(prefix) || prefix.startsWith(`${name}/`))) {
          await walk(`${name}/`);
        }
      }
    };
    await walk(prefix.slice(0, prefix.lastIndexOf('/') + 1));
    return names.sort();
  }

  /** Regular files and folders of `folder` (relative, `''` or ending in `/`); dot files left out. */
  private async entries(folder: string) {
    try {
      return (await readdir(join(this.root, folder), { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return [];
      throw error;
    }
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
