import { createHash } from 'node:crypto';
import type { Case, SlackMessageRef } from '../../../functions/core/case';
import type { EvidenceEvent, EvidenceRecorderPort, RecordedEvidence } from '../../../functions/ports/evidence-recorder';
import type { NotifierPort } from '../../../functions/ports/notifier';
import type { SweepSummary } from '../../../functions/core/sweep-summary';

export interface RecordedEvent extends EvidenceEvent {
  digest: string;
  sequence: number;
  previousDigest: string | null;
}

/**
 * Test double of the evidence recorder: keeps every event in memory, chained per case by SHA-256
 * over the previous digest and the event, so that tests can check order, types and the digests
 * the case and the finding notes refer to. Stands in until EVIDENCE's EvidenceService is used here.
 */
export class RecordingEvidenceRecorder implements EvidenceRecorderPort {
  readonly events: RecordedEvent[] = [];
  readonly reports: string[] = [];

  async record(event: EvidenceEvent): Promise<RecordedEvidence> {
    const chain = this.forCase(event.caseId);
    const previousDigest = chain.at(-1)?.digest ?? null;
    const sequence = chain.length + 1;
    const digest = createHash('sha256').update(JSON.stringify({ previousDigest, sequence, event })).digest('hex');
    this.events.push({ ...structuredClone(event), digest, sequence, previousDigest });
    return { digest, sequence, location: `memory://evidence/${event.caseId}/${sequence}` };
  }

  async writeReport(caseId: string): Promise<{ html: string; markdown: string }> {
    this.reports.push(caseId);
    return { html: `memory://reports/${caseId}.html`, markdown: `memory://reports/${caseId}.md` };
  }

  forCase(caseId: string): RecordedEvent[] {
    return this.events.filter((e) => e.caseId === caseId);
  }

  ofType(caseId: string, type: EvidenceEvent['type']): RecordedEvent[] {
    return this.forCase(caseId).filter((e) => e.type === type);
  }
}

/** Test double of the Slack notifier: records what would have been posted. */
export class RecordingNotifier implements NotifierPort {
  readonly calls: { method: keyof NotifierPort; caseId: string; detail?: unknown }[] = [];

  async requestApproval(c: Case): Promise<SlackMessageRef> {
    this.calls.push({ method: 'requestApproval', caseId: c.caseId });
    return { channel: 'C-SECURITY', ts: `${this.calls.length}.000100` };
  }

  async remind(c: Case, reminderNumber: number, escalate: boolean): Promise<void> {
    this.calls.push({ method: 'remind', caseId: c.caseId, detail: { reminderNumber, escalate } });
  }

  async remindRunbookStep(
    c: Case,
    step: { id: string; title: string },
    reminderNumber: number,
    escalate: boolean,
  ): Promise<void> {
    this.calls.push({ method: 'remindRunbookStep', caseId: c.caseId, detail: { step, reminderNumber, escalate } });
  }

  async showDecision(c: Case): Promise<void> {
    this.calls.push({ method: 'showDecision', caseId: c.caseId });
  }

  async progress(c: Case, text: string): Promise<void> {
    this.calls.push({ method: 'progress', caseId: c.caseId, detail: text });
  }

  async runbookStep(c: Case, stepId: string): Promise<void> {
    this.calls.push({ method: 'runbookStep', caseId: c.caseId, detail: stepId });
  }

  async outcome(c: Case, evidence: { digest: string; reportLocation?: string }): Promise<void> {
    this.calls.push({ method: 'outcome', caseId: c.caseId, detail: evidence });
  }

  async sweepSummary(summary: SweepSummary): Promise<void> {
    this.calls.push({ method: 'sweepSummary', caseId: summary.sweepId, detail: summary });
  }
}
