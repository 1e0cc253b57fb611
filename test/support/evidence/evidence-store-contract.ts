import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvidenceConflictError, EvidenceError } from '../../../functions/core/errors';
import { indexPath, recordPath } from '../../../functions/core/evidence/evidence-layout';
import {
  indexEntryFor,
  parseEvidenceRecord,
  serializeIndexEntry,
  serializeRecord,
  type EvidenceRecord,
} from '../../../functions/core/evidence/evidence-record';
import { parsePublicKeyFile } from '../../../functions/core/evidence/evidence-signature';
import type { EvidenceFile } from '../../../functions/core/evidence/verify-evidence';
import { LocalSigner } from '../../../functions/adapters/local/local-signer';
import type { EvidenceStorePort } from '../../../functions/ports/evidence-store';
import { EvidenceService } from '../../../functions/services/evidence-service';
import { verifyStoredEvidence } from '../../../functions/services/verify-stored-evidence';
import { ACCOUNTS, buildEvidence, caseIdFor, testSigningKey } from './evidence-fixture';
import { useTempDir } from './temp-dir';

/** One evidence store under test, with raw access to its blobs (as someone writing around rootkey would have). */
export interface EvidenceStoreUnderTest {
  store: EvidenceStorePort;
  /** Where the store says a blob is (`location` of `append`, report locations). */
  locate(name: string): string;
  /** Writes a blob directly, bypassing the store (evidence written earlier, or tampering). */
  seed(name: string, content: string): Promise<void>;
  /** Reads a blob directly, or undefined. */
  raw(name: string): Promise<string | undefined>;
}

/**
 * Evidence folder written by the evidence stores as they were before the blob store (file store,
 * LocalSigner, five records over two accounts and three cases): what a new store must still read and
 * must write again byte for byte.
 */
export const EVIDENCE_WRITTEN_BEFORE = join(__dirname, 'written-before-blob-store', 'evidence');

export function readEvidenceFolder(root: string, folder = ''): EvidenceFile[] {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const name = folder ? `${folder}/${entry.name}` : entry.name;
    return entry.isDirectory()
      ? readEvidenceFolder(root, name)
      : [{ name, content: readFileSync(join(root, name), 'utf8') }];
  });
}

const byName = (a: EvidenceFile, b: EvidenceFile) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The behaviour every evidence store shares (ports/evidence-store.ts), run against each blob store
 * (file system and S3) so that evidence behaves identically locally and in AWS.
 */
export function describeEvidenceStoreContract(name: string, open: () => EvidenceStoreUnderTest): void {
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
  const appendAll = async (store: EvidenceStorePort) => {
    for (const r of evidence.records) await store.append(r);
  };

  describe(`${name} (evidence store contract)`, () => {
    it('writes a record and its index entry as canonical JSON at their layout names', async () => {
      // Prepare
      const { store, locate, raw } = open();
      const record = evidence.records[0];

      // Act
      const { location } = await store.append(record);

      // Assess
      expect(location).toBe(locate(`cases/${one}/000001-detection.json`));
      expect(await raw(recordPath(record))).toBe(serializeRecord(record));
      expect(await raw(indexPath(record))).toBe(serializeIndexEntry(indexEntryFor(record)));
    });

    it('refuses an append whose account position is taken and leaves the existing record as it was', async () => {
      const { store, raw } = open();
      await store.append(evidence.records[0]);
      const rival: EvidenceRecord = { ...evidence.records[1], accountSequence: 1 };

      await expect(store.append(rival)).rejects.toBeInstanceOf(EvidenceConflictError);

      expect(await raw(recordPath(evidence.records[0]))).toBe(serializeRecord(evidence.records[0]));
      expect(await raw(recordPath(rival))).toBeUndefined();
      expect(await store.caseHead(two)).toBeUndefined();
    });

    it('refuses, without overwriting, a record whose case position exists although its account position was free', async () => {
      const { store, seed, raw } = open();
      const record = evidence.records[0];
      await seed(`cases/${one}/000001-outcome.json`, 'written outside rootkey');

      const error = await store.append(record).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(EvidenceError);
      expect(error).not.toBeInstanceOf(EvidenceConflictError); // a retry cannot help: the evidence was changed
      expect((error as Error).message).toContain('changed outside rootkey');
      expect(await raw(recordPath(record))).toBeUndefined();
      expect(await raw(`cases/${one}/000001-outcome.json`)).toBe('written outside rootkey');
    });

    it('knows the heads of case and account chains', async () => {
      const { store } = open();
      await appendAll(store);

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

    it('says which blob is unreadable when the newest record of a case does not parse', async () => {
      const { store, seed } = open();
      await store.append(evidence.records[0]);
      await seed(`cases/${one}/000002-outcome.json`, '{"not":"a record"}');

      await expect(store.caseHead(one)).rejects.toThrow(/000002-outcome\.json\) is unreadable/);
    });

    it('lists a case’s files, an account’s files across its cases, a case’s index entries and everything', async () => {
      const { store } = open();
      await appendAll(store);

      const caseFiles = await store.listCaseFiles(one);
      const accountFiles = await store.listAccountFiles(ACCOUNTS[0]);
      const caseIndex = await store.listCaseIndexFiles(one, ACCOUNTS[0]);
      const snapshot = await store.snapshot();

      expect(caseFiles).toEqual(evidence.recordFiles.filter((f) => f.name.startsWith(`cases/${one}/`)));
      expect(accountFiles.map((f) => f.name)).toEqual([
        `cases/${one}/000001-detection.json`,
        `cases/${two}/000001-detection.json`,
        `cases/${one}/000002-outcome.json`,
      ]);
      expect(caseIndex.map((f) => f.name)).toEqual([
        `accounts/${ACCOUNTS[0]}/000000001.json`,
        `accounts/${ACCOUNTS[0]}/000000003.json`,
      ]);
      expect([...snapshot.records].sort(byName)).toEqual([...evidence.recordFiles].sort(byName));
      expect([...snapshot.index].sort(byName)).toEqual([...evidence.indexFiles].sort(byName));
      expect(snapshot.overwritten ?? []).toEqual([]);
    });

    it('publishes a public key once, a second key beside the first, and refuses a third over another key', async () => {
      const { store, seed } = open();
      const [other, third] = [testSigningKey(), testSigningKey()];

      await store.publishPublicKey(key.trusted);
      await store.publishPublicKey(key.trusted);
      await store.publishPublicKey(other.trusted);
      const files = await store.listPublicKeyFiles();
      await seed(`public-key-${third.trusted.keyId}.pem`, 'another key');

      expect(files.map((f) => f.name)).toEqual([`public-key-${other.trusted.keyId}.pem`, 'public-key.pem'].sort());
      expect(files.find((f) => f.name === 'public-key.pem')?.content).toContain(`Key-Id: ${key.trusted.keyId}`);
      await expect(store.publishPublicKey(third.trusted)).rejects.toThrow(/already holds another key/);
    });

    it('writes a report and rewrites it, returning where each format went', async () => {
      const { store, locate, raw } = open();

      await store.writeReport(one, { markdown: '# old', html: '<p>old</p>' });
      const written = await store.writeReport(one, { markdown: '# new', html: '<p>new</p>' });

      expect(written).toEqual({ markdown: locate(`reports/${one}.md`), html: locate(`reports/${one}.html`) });
      expect(await raw(`reports/${one}.md`)).toBe('# new');
      expect(await raw(`reports/${one}.html`)).toBe('<p>new</p>');
    });

    it('keeps verifiable evidence when the evidence service records through it', async () => {
      // Prepare
      const { store, locate } = open();
      const service = new EvidenceService({ store, signer: new LocalSigner(dataDir()) });

      // Act
      for (const [c, type] of [
        [one, 'detection'],
        [two, 'detection'],
        [one, 'outcome'],
      ] as const) {
        await service.record({ caseId: c, accountId: ACCOUNTS[0], type, at: '2026-11-28T10:00:00.000Z', data: {} });
      }
      const reports = await service.writeReport(one);
      const result = await verifyStoredEvidence(store);

      // Assess
      expect(result.problems).toEqual([]);
      expect(result.records).toBe(3);
      expect(result.accountChains).toBe(1);
      expect((await store.listPublicKeyFiles()).map((f) => f.name)).toEqual(['public-key.pem']);
      expect(reports.html).toBe(locate(`reports/${one}.html`));
    });

    it('reads and verifies evidence written before the blob store, and writes the same records byte for byte', async () => {
      // Prepare
      const before = readEvidenceFolder(EVIDENCE_WRITTEN_BEFORE);
      const old = open();
      for (const file of before) await old.seed(file.name, file.content);
      const fresh = open();
      const records = before
        .filter((f) => f.name.startsWith('cases/'))
        .map((f) => parseEvidenceRecord(f.content))
        .map((parsed) => {
          if (!parsed.ok) throw new Error(`fixture record unreadable: ${parsed.issues.join('; ')}`);
          return parsed.value;
        });
      const publicKey = before.find((f) => f.name === 'public-key.pem');

      // Act
      const verified = await verifyStoredEvidence(old.store);
      for (const r of records) await fresh.store.append(r);
      await fresh.store.publishPublicKey(parsePublicKeyFile(publicKey?.content ?? '', 'public-key.pem'));

      // Assess
      expect(verified.problems).toEqual([]);
      expect(verified.records).toBe(5);
      expect(verified.accountChains).toBe(2);
      const snapshot = await fresh.store.snapshot();
      expect([...snapshot.records, ...snapshot.index, ...snapshot.publicKeys].sort(byName)).toEqual(
        before.sort(byName),
      );
    });
  });
}
