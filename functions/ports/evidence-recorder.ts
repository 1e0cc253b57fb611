import type { EvidenceEventType } from '../core/evidence/evidence-record';

export type { EvidenceEventType };

/** What a caller hands in; the recorder adds schema version, sequence, chain links, digest and signature. */
export interface EvidenceEvent {
  caseId: string;
  accountId: string;
  type: EvidenceEventType;
  at: string;
  /** Event-specific, JSON-serializable detail (who, what, signals, request ids…). Never secrets or task tokens. */
  data: Record<string, unknown>;
}

export interface RecordedEvidence {
  digest: string;
  sequence: number;
  /** Where the record lives (file path or s3:// URI). */
  location: string;
}

/** Appends hash-chained, signed evidence records (per case and per account). */
export interface EvidenceRecorderPort {
  record(event: EvidenceEvent): Promise<RecordedEvidence>;
  /** Writes (or rewrites) the human-readable report for a case; returns its location. */
  writeReport(caseId: string): Promise<{ html: string; markdown: string }>;
}
