import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EvidenceConflictError } from '../../../../functions/core/errors';
import { serializeRecord } from '../../../../functions/core/evidence/evidence-record';
import { FileEvidenceStore } from '../../../../functions/adapters/local/file-evidence-store';
import { ACCOUNTS, buildEvidence, caseIdFor, testSigningKey } from '../../../support/evidence/evidence-fixture';
import { useTempDir } from '../../../support/evidence/temp-dir';

const dataDir = useTempDir();
const key = testSigningKey();
const [one, two] = [caseIdFor(ACCOUNTS[0], 1), caseIdFor(ACCOUNTS[0], 2)];
const evidence = buildEvidence(
  [
    { caseId: one, accountId: ACCOUNTS[0], type: 'detection' },
    { caseId: two, accountId: ACCOUNTS[0], type: 'detection' },
    { caseId: one, accountId: ACCOUNTS[0], type: 'outcome' },
  ],
  key,
);

describe('FileEvidenceStore', () => {
  it('writes each record and its index entry as read-only canonical files under <dataDir>/evidence', async () => {
    const store = new FileEvidenceStore(dataDir());

    const { location } = await store.append(evidence.records[0]);

    expect(location).toBe(join(dataDir(), 'evidence', 'cases', one, '000001-detection.json'));
    expect(await readFile(location, 'utf8')).toBe(serializeRecord(evidence.records[0]));
    expect((await stat(location)).mode & 0o777).toBe(0o444);
    expect(await readdir(join(dataDir(), 'evidence', 'accounts', ACCOUNTS[0]))).toEqual(['000000001.json']);
    expect(await readdir(join(dataDir(), 'evidence', 'cases', one))).toEqual(['000001-detection.json']); // no temp files left
  });

  it('refuses an append whose account position is taken and leaves the existing record as it was', async () => {
    const store = new FileEvidenceStore(dataDir());
    await store.append(evidence.records[0]);
    const rival = { ...evidence.records[1] }; // another record claiming account position 1
    rival.accountSequence = 1;

    await expect(store.append(rival)).rejects.toBeInstanceOf(EvidenceConflictError);

    expect(await readFile(join(dataDir(), 'evidence', 'cases', one, '000001-detection.json'), 'utf8')).toBe(
      serializeRecord(evidence.records[0]),
    );
    await expect(readdir(join(dataDir(), 'evidence', 'cases', two))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('knows the heads of case and account chains', async () => {
    const store = new FileEvidenceStore(dataDir());
    for (const r of evidence.records) await store.append(r);

    expect(await store.caseHead(one)).toEqual({
      caseId: one,
      accountId: ACCOUNTS[0],
      sequence: 2,
      accountSequence: 3,
      digest: evidence.records[2].digest,
    });
    expect(await store.accountHead(ACCOUNTS[0])).toMatchObject({ accountSequence: 3, caseId: one, sequence: 2 });
    expect(await store.caseHead(caseIdFor(ACCOUNTS[1], 1))).toBeUndefined();
    expect(await store.accountHead(ACCOUNTS[1])).toBeUndefined();
    expect((await store.indexEntries(ACCOUNTS[0], 2, 3)).map((e) => e.caseId)).toEqual([two, one]);
  });

  it('lists a case’s files, an account’s files across its cases, and everything for verification', async () => {
    const store = new FileEvidenceStore(dataDir());
    for (const r of evidence.records) await store.append(r);

    const caseFiles = await store.listCaseFiles(one);
    const accountFiles = await store.listAccountFiles(ACCOUNTS[0]);
    const caseIndex = await store.listCaseIndexFiles(one, ACCOUNTS[0]);
    const snapshot = await store.snapshot();

    expect(caseFiles.map((f) => f.name)).toEqual([
      `cases/${one}/000001-detection.json`,
      `cases/${one}/000002-outcome.json`,
    ]);
    expect(accountFiles.map((f) => f.name)).toEqual([
      `cases/${one}/000001-detection.json`,
      `cases/${two}/000001-detection.json`,
      `cases/${one}/000002-outcome.json`,
    ]);
    expect(caseIndex.map((f) => f.name)).toEqual([
      `accounts/${ACCOUNTS[0]}/000000001.json`,
      `accounts/${ACCOUNTS[0]}/000000003.json`,
    ]);
    expect(snapshot.records).toEqual(expect.arrayContaining(evidence.recordFiles));
    expect(snapshot.index).toEqual(expect.arrayContaining(evidence.indexFiles));
  });

  it('publishes a public key once, and a second key beside the first instead of over it', async () => {
    const store = new FileEvidenceStore(dataDir());
    const other = testSigningKey();

    await store.publishPublicKey(key.trusted);
    await store.publishPublicKey(key.trusted);
    await store.publishPublicKey(other.trusted);

    const files = await store.listPublicKeyFiles();
    expect(files.map((f) => f.name)).toEqual(['public-key-' + other.trusted.keyId + '.pem', 'public-key.pem'].sort());
    expect(files.find((f) => f.name === 'public-key.pem')?.content).toContain(`Key-Id: ${key.trusted.keyId}`);
  });

  it('reads an evidence folder given directly', async () => {
    await new FileEvidenceStore(dataDir()).append(evidence.records[0]);

    const store = FileEvidenceStore.atEvidenceDir(join(dataDir(), 'evidence'));

    expect((await store.snapshot()).records).toHaveLength(1);
  });
});
