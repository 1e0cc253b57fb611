import { S3BlobStore, type S3BlobStoreOptions } from '../../../functions/adapters/aws/s3-blob-store';
import { FileBlobStore } from '../../../functions/adapters/local/file-blob-store';
import { BlobEvidenceStore } from '../../../functions/services/blob-evidence-store';

/** The evidence store over `<dataDir>/evidence`, as the sandbox and the CLI build it. */
export function fileEvidenceStore(dataDir: string): BlobEvidenceStore {
  return new BlobEvidenceStore(FileBlobStore.evidenceOf(dataDir));
}

/** The evidence store over an S3 prefix, as the Lambda functions build it. */
export function s3EvidenceStore(options: S3BlobStoreOptions): BlobEvidenceStore {
  return new BlobEvidenceStore(new S3BlobStore(options));
}
