import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { EvidenceConflictError, InvalidInputError } from '../../../../functions/core/errors';
import {
  serializeIndexEntry,
  serializeRecord,
  indexEntryFor,
} from '../../../../functions/core/evidence/evidence-record';
import { S3EvidenceStore } from '../../../../functions/adapters/aws/s3-evidence-store';
import { LocalSigner } from '../../../../functions/adapters/local/local-signer';
import { EvidenceService } from '../../../../functions/services/evidence-service';
import { verifyStoredEvidence } from '../../../../functions/services/verify-stored-evidence';
import { ACCOUNTS, buildEvidence, caseIdFor, testSigningKey } from '../../../support/evidence/evidence-fixture';
import { s3BucketDouble } from '../../../support/evidence/s3-bucket-double';
import { useTempDir } from '../../../support/evidence/temp-dir';

const KMS_KEY = 'arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const key = testSigningKey();
const caseId = caseIdFor(ACCOUNTS[0], 1);
const evidence = buildEvidence(
  [
    { caseId, accountId: ACCOUNTS[0], type: 'detection' },
    { caseId, accountId: ACCOUNTS[0], type: 'outcome' },
  ],
  key,
);
const dataDir = useTempDir();

describe('S3EvidenceStore', () => {
  it('creates the index entry, then the record, each only if absent, encrypted with the KMS key', async () => {
    // Prepare
    const bucket = s3BucketDouble();
    const store = new S3EvidenceStore({
      client: bucket.client,
      bucket: 'evidence-bucket',
      prefix: 'evidence',
      kmsKeyId: KMS_KEY,
    });
    const record = evidence.records[0];

    // Act
    const { location } = await store.append(record);

    // Assess
    expect(location).toBe(`s3://evidence-bucket/evidence/cases/${caseId}/000001-detection.json`);
    expect(bucket.s3).toHaveReceivedNthCommandWith(1, PutObjectCommand, {
      Bucket: 'evidence-bucket',
      Key: `evidence/accounts/${ACCOUNTS[0]}/000000001.json`,
      Body: serializeIndexEntry(indexEntryFor(record)),
      IfNoneMatch: '*',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KMS_KEY,
      ChecksumAlgorithm: 'SHA256',
      ContentType: 'application/json',
    });
    expect(bucket.s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'evidence-bucket',
      Key: `evidence/cases/${caseId}/000001-detection.json`,
      Body: serializeRecord(record),
      IfNoneMatch: '*',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KMS_KEY,
      ChecksumAlgorithm: 'SHA256',
    });
    expect(bucket.objects.get(`evidence/cases/${caseId}/000001-detection.json`)).toBe(serializeRecord(record));
  });

  it('turns S3’s 412 for a taken position into EvidenceConflictError and writes no record', async () => {
    const bucket = s3BucketDouble();
    const store = new S3EvidenceStore({ client: bucket.client, bucket: 'evidence-bucket' });
    await store.append(evidence.records[0]);
    bucket.s3.resetHistory();

    await expect(store.append({ ...evidence.records[1], accountSequence: 1 })).rejects.toBeInstanceOf(
      EvidenceConflictError,
    );

    expect(bucket.s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(bucket.objects.has(`cases/${caseId}/000002-outcome.json`)).toBe(false);
  });

  it('reads every page of a listing', async () => {
    const bucket = s3BucketDouble(1);
    const store = new S3EvidenceStore({ client: bucket.client, bucket: 'evidence-bucket', prefix: 'p/' });
    for (const r of evidence.records) await store.append(r);
    bucket.s3.resetHistory();

    const files = await store.listCaseFiles(caseId);

    expect(files).toEqual(evidence.recordFiles);
    expect(bucket.s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 2);
    expect(bucket.s3).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Bucket: 'evidence-bucket',
      Prefix: `p/cases/${caseId}/`,
      ContinuationToken: '1',
    });
  });

  it('keeps verifiable evidence when the evidence service records through it', async () => {
    // Prepare
    const bucket = s3BucketDouble();
    const store = new S3EvidenceStore({ client: bucket.client, bucket: 'evidence-bucket', prefix: 'evidence/' });
    const service = new EvidenceService({ store, signer: new LocalSigner(dataDir()) });
    const other = caseIdFor(ACCOUNTS[0], 2);

    // Act
    for (const [c, type] of [
      [caseId, 'detection'],
      [other, 'detection'],
      [caseId, 'outcome'],
    ] as const) {
      await service.record({ caseId: c, accountId: ACCOUNTS[0], type, at: '2026-11-28T10:00:00.000Z', data: {} });
    }
    const reports = await service.writeReport(caseId);
    const result = await verifyStoredEvidence(store);

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.records).toBe(3);
    expect(result.accountChains).toBe(1);
    expect(bucket.objects.has('evidence/public-key.pem')).toBe(true);
    expect(reports.html).toBe(`s3://evidence-bucket/evidence/reports/${caseId}.html`);
  });

  it('parses s3:// locations and refuses anything else', () => {
    expect(S3EvidenceStore.parseUri('s3://evidence-bucket/org/evidence/')).toEqual({
      bucket: 'evidence-bucket',
      prefix: 'org/evidence/',
    });
    expect(S3EvidenceStore.parseUri('s3://evidence-bucket')).toEqual({ bucket: 'evidence-bucket', prefix: '' });
    expect(() => S3EvidenceStore.parseUri('https://evidence-bucket')).toThrow(InvalidInputError);
  });
});
