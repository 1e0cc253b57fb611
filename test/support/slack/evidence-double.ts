import type { EvidenceEvent, EvidenceRecorderPort, RecordedEvidence } from '../../../functions/ports/evidence-recorder';

/**
 * Evidence recorder double: keeps events in order with a per-case sequence and a fake digest, so that
 * tests can check what was recorded and that the case's chain head follows.
 */
export class EvidenceRecorderDouble implements EvidenceRecorderPort {
  readonly events: (EvidenceEvent & RecordedEvidence)[] = [];

  async record(event: EvidenceEvent): Promise<RecordedEvidence> {
    // Yield once, like a real store: concurrent callers interleave here.
    await Promise.resolve();
    const sequence = this.events.filter((e) => e.caseId === event.caseId).length + 1;
    const recorded = {
      digest: `digest-${event.caseId}-${sequence}`,
      sequence,
      location: `memory://${event.caseId}/${sequence}`,
    };
    this.events.push({ ...structuredClone(event), ...recorded });
    return recorded;
  }

  async writeReport(caseId: string): Promise<{ html: string; markdown: string }> {
    return { html: `memory://${caseId}.html`, markdown: `memory://${caseId}.md` };
  }

  ofType(type: EvidenceEvent['type']): (EvidenceEvent & RecordedEvidence)[] {
    return this.events.filter((e) => e.type === type);
  }
}
