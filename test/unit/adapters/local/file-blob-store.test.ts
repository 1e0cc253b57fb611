import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileBlobStore } from '../../../../functions/adapters/local/file-blob-store';
import { BlobEvidenceStore } from '../../../../functions/services/blob-evidence-store';
import { describeEvidenceStoreContract } from '../../../support/evidence/evidence-store-contract';
import { ACCOUNTS, buildEvidence, caseIdFor, testSigningKey } from '../../../support/evidence/evidence-fixture';
import { useTempDir } from '../../../support/evidence/temp-dir';

const dir = useTempDir('rootkey-blobs-');
let opened = 0;

describeEvidenceStoreContract('files', () => {
  const blobs = new FileBlobStore(join(dir(), `store-${++opened}`, 'evidence'));
  return {
    store: new BlobEvidenceStore(blobs),
    locate: (name) => join(blobs.root, name),
    seed: async (name, content) => {
      await mkdir(join(blobs.root, name, '..'), { recursive: true });
      await writeFile(join(blobs.root, name), content);
    },
    raw: (name) => readFile(join(blobs.root, name), 'utf8').catch(() => undefined),
  };
});

describe('FileBlobStore', () => {
  const caseId = caseIdFor(ACCOUNTS[0], 1);
  const [record] = buildEvidence([{ caseId, accountId: ACCOUNTS[0], type: 'detection' }], testSigningKey()).records;

  it('creates evidence as read-only files under <dataDir>/evidence and leaves no temporary file', async () => {
    const store = new BlobEvidenceStore(FileBlobStore.evidenceOf(dir()));

    const { location } = await store.append(record);

    expect(location).toBe(join(dir(), 'evidence', 'cases', caseId, '000001-detection.json'));
    expect((await stat(location)).mode & 0o777).toBe(0o444);
    expect(await readdir(join(dir(), 'evidence', 'accounts', ACCOUNTS[0]))).toEqual(['000000001.json']);
    expect(await readdir(join(dir(), 'evidence', 'cases', caseId))).toEqual(['000001-detection.json']);
  });

  it('creates a name once: a second create of it reports the name taken and keeps the first content', async () => {
    const blobs = new FileBlobStore(dir());

    const first = await blobs.create('a/b.json', 'first');
    const second = await blobs.create('a/b.json', 'second');

    expect([first, second]).toEqual([true, false]);
    expect(await blobs.get('a/b.json')).toBe('first');
  });

  it('lets exactly one of many concurrent creates of a name win', async () => {
    const blobs = new FileBlobStore(dir());

    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => blobs.create('x.json', `writer ${i}`)));

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await blobs.get('x.json')).toBe(`writer ${results.indexOf(true)}`);
  });

  it('lists names by prefix at any depth, sorted, without dot files or folders that cannot match', async () => {
    const blobs = new FileBlobStore(dir());
    for (const name of ['cases/b/2.json', 'cases/a/1.json', 'cases/a/.tmp-1', 'public-key.pem', 'public-key-x.pem']) {
      await mkdir(join(dir(), name, '..'), { recursive: true });
      await writeFile(join(dir(), name), name);
    }
    await mkdir(join(dir(), 'public-key-folder.pem'), { recursive: true });

    expect(await blobs.list('cases/')).toEqual(['cases/a/1.json', 'cases/b/2.json']);
    expect(await blobs.list('cases/a/')).toEqual(['cases/a/1.json']);
    expect(await blobs.list('public-key')).toEqual(['public-key-x.pem', 'public-key.pem']);
    expect(await blobs.list('accounts/')).toEqual([]);
    expect(await blobs.get('cases/missing.json')).toBeUndefined();
  });
});
