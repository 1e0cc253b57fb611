import { FileBlobStore } from '../functions/adapters/local/file-blob-store';
import { LocalSigner } from '../functions/adapters/local/local-signer';
import type { ClockPort } from '../functions/ports/clock';
import { BlobEvidenceStore } from '../functions/services/blob-evidence-store';
import { EvidenceService } from '../functions/services/evidence-service';

/**
 * An EvidenceService over `<dataDir>/evidence/` signed by the local key in `<dataDir>/keys/`. Wiring,
 * so it lives with the other local composition (services may not import adapters).
 */
export function createLocalEvidence(dataDir: string, options: { clock?: ClockPort } = {}): EvidenceService {
  return new EvidenceService({
    store: new BlobEvidenceStore(FileBlobStore.evidenceOf(dataDir)),
    signer: new LocalSigner(dataDir),
    clock: options.clock,
  });
}
