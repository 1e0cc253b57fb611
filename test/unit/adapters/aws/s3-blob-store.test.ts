import {
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { S3BlobStore } from '../../../../functions/adapters/aws/s3-blob-store';
import { EvidenceConflictError, InvalidInputError } from '../../../../functions/core/errors';
import {
  indexEntryFor,
  serializeIndexEntry,
  serializeRecord,
} from '../../../../functions/core/evidence/evidence-record';
import { BlobEvidenceStore } from '../../../../functions/services/blob-evidence-store';
import { describeEvidenceStoreContract } from '../../../support/evidence/evidence-store-contract';
import { ACCOUNTS, buildEvidence, caseIdFor, testSigningKey } from '../../../support/evidence/evidence-fixture';
import { s3BucketDouble } from '../../../support/evidence/s3-bucket-double';

const KMS_KEY = 'arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';
let bucket: ReturnType<typeof s3BucketDouble>;
let opened = 0;
beforeEach(() => {
  bucket = s3BucketDouble();
});
afterEach(() => bucket.s3.restore());

// aws-sdk-client-mock mocks every S3Client, so the stores a test opens share one bucket, each under its own prefix.
describeEvidenceStoreContract('S3', () => {
  const prefix = `evidence-${++opened}/`;
  return {
    store: new BlobEvidenceStore(new S3BlobStore({ client: bucket.client, bucket: 'evidence-bucket', prefix })),
    locate: (name) => `s3://evidence-bucket/${prefix}${name}`,
    seed: async (name, content) => {
      bucket.objects.set(`${prefix}${name}`, content);
      bucket.versions.set(`${prefix}${name}`, 1);
    },
    raw: async (name) => bucket.objects.get(`${prefix}${name}`),
  };
});

describe('S3BlobStore', () => {
  const caseId = caseIdFor(ACCOUNTS[0], 1);
  const evidence = buildEvidence(
    [
      { caseId, accountId: ACCOUNTS[0], type: 'detection' },
      { caseId, accountId: ACCOUNTS[0], type: 'outcome' },
    ],
    testSigningKey(),
  );

  it('creates the index entry, then the record, each only if absent, encrypted with the KMS key', async () => {
    // Prepare
    const store = new BlobEvidenceStore(
      new S3BlobStore({ client: bucket.client, bucket: 'evidence-bucket', prefix: 'evidence', kmsKeyId: KMS_KEY }),
    );
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
      ContentType: 'application/json',
    });
  });

  it('turns S3’s 412 for a taken position into EvidenceConflictError and sends no record', async () => {
    const store = new BlobEvidenceStore(new S3BlobStore({ client: bucket.client, bucket: 'evidence-bucket' }));
    await store.append(evidence.records[0]);
    bucket.s3.resetHistory();

    await expect(store.append({ ...evidence.records[1], accountSequence: 1 })).rejects.toBeInstanceOf(
      EvidenceConflictError,
    );

    expect(bucket.s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(bucket.objects.has(`cases/${caseId}/000002-outcome.json`)).toBe(false);
  });

  it('treats 409 ConditionalRequestConflict (a concurrent create of the key) as the name taken', async () => {
    const blobs = new S3BlobStore({ client: bucket.client, bucket: 'evidence-bucket' });
    bucket.s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'ConditionalRequestConflict',
        $fault: 'client',
        $metadata: { httpStatusCode: 409 },
        message: 'A conflicting operation occurred',
      }),
    );

    expect(await blobs.create('accounts/111111111111/000000001.json', '{}')).toBe(false);
  });

  it('writes reports unconditionally with their content types', async () => {
    const store = new BlobEvidenceStore(new S3BlobStore({ client: bucket.client, bucket: 'evidence-bucket' }));

    await store.writeReport(caseId, { markdown: '# r', html: '<p>r</p>' });

    expect(bucket.s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Key: `reports/${caseId}.md`,
      ContentType: 'text/markdown; charset=utf-8',
    });
    expect(bucket.s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Key: `reports/${caseId}.html`,
      ContentType: 'text/html; charset=utf-8',
    });
    expect(bucket.s3.commandCalls(PutObjectCommand).every((c) => c.args[0].input.IfNoneMatch === undefined)).toBe(true);
  });

  it('reads every page of a listing', async () => {
    bucket = s3BucketDouble(1);
    const store = new BlobEvidenceStore(
      new S3BlobStore({ client: bucket.client, bucket: 'evidence-bucket', prefix: 'p/' }),
    );
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

  it('names evidence objects written over (more than one version), but not rewritten reports', async () => {
    const store = new BlobEvidenceStore(new S3BlobStore({ client: bucket.client, bucket: 'evidence-bucket' }));
    await store.append(evidence.records[0]);
    await store.writeReport(caseId, { markdown: '1', html: '1' });
    await store.writeReport(caseId, { markdown: '2', html: '2' });
    const name = `cases/${caseId}/000001-detection.json`;
    bucket.versions.set(name, 2);

    expect((await store.snapshot()).overwritten).toEqual([{ name, versions: 2 }]);
  });

  it('says versions were not checked when s3:ListBucketVersions is denied', async () => {
    const store = new BlobEvidenceStore(new S3BlobStore({ client: bucket.client, bucket: 'evidence-bucket' }));
    bucket.s3.on(ListObjectVersionsCommand).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'Access Denied',
      }),
    );

    const snapshot = await store.snapshot();

    expect(snapshot.versionsUnchecked).toBe('s3:ListBucketVersions denied on s3://evidence-bucket/');
    expect(snapshot.overwritten).toBeUndefined();
  });

  it('parses s3:// locations and refuses anything else', () => {
    expect(S3BlobStore.parseUri('s3://evidence-bucket/org/evidence/')).toEqual({
      bucket: 'evidence-bucket',
      prefix: 'org/evidence/',
    });
    expect(S3BlobStore.parseUri('s3://evidence-bucket')).toEqual({ bucket: 'evidence-bucket', prefix: '' });
    expect(() => S3BlobStore.parseUri('https://evidence-bucket')).toThrow(InvalidInputError);
  });
});
