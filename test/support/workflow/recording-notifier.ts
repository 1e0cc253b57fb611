import type { Case, CaseStatus, SlackMessageRef } from '../../../functions/core/case';
import type { SweepSummary } from '../../../functions/core/sweep-summary';
import type { NotifierPort } from '../../../functions/ports/notifier';

/** One message the workflow would have sent, with the case status at that moment. */
export interface NotifierCall {
  method: keyof NotifierPort;
  caseId: string;
  status: CaseStatus;
  detail?: unknown;
}

/**
 * Test double of the Slack notifier for the workflow tests: records every message in order and, as
 * Slack would, answers the approval request with a message reference. `failNext` makes the next
 * call of one method throw, to exercise the failure path.
 */
export class RecordingNotifier implements NotifierPort {
  readonly calls: NotifierCall[] = [];
  /** Every sweep summary posted, in order. */
  readonly sweepSummaries: SweepSummary[] = [];
  private readonly failures = new Map<keyof NotifierPort, Error>();

  failNext(method: keyof NotifierPort, error: Error): void {
    this.failures.set(method, error);
  }

  of(caseId: string, method?: keyof NotifierPort): NotifierCall[] {
    return this.calls.filter((c) => c.caseId === caseId && (!method || c.method === method));
  }

  async requestApproval(c: Case): Promise<SlackMessageRef> {
    this.push('requestApproval', c);
    return { channel: 'C0SECURITY', ts: `1700000000.${String(this.calls.length).padStart(6, '0')}` };
  }

  async remind(c: Case, reminderNumber: number, escalate: boolean): Promise<void> {
    this.push('remind', c, { reminderNumber, escalate });
  }

  async remindRunbookStep(
    c: Case,
    step: { id: string; title: string },
    reminderNumber: number,
    escalate: boolean,
  ): Promise<void> {
    this.push('remindRunbookStep', c, { step, reminderNumber, escalate });
  }

  async showDecision(c: Case): Promise<void> {
    this.push('showDecision', c, c.decision?.action);
  }

  async progress(c: Case, text: string): Promise<void> {
    this.push('progress', c, text);
  }

  async runbookStep(c: Case, stepId: string): Promise<void> {
    this.push('runbookStep', c, stepId);
  }

  async outcome(c: Case, evidence: { digest: string; reportLocation?: string }): Promise<void> {
    this.push('outcome', c, evidence);
  }

  async sweepSummary(summary: SweepSummary): Promise<void> {
    const failure = this.failures.get('sweepSummary');
    if (failure) {
      this.failures.delete('sweepSummary');
      throw failure;
    }
    this.sweepSummaries.push(structuredClone(summary));
  }

  private push(method: keyof NotifierPort, c: Case, detail?: unknown): void {
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      throw failure;
    }
    this.calls.push({ method, caseId: c.caseId, status: c.status, ...(detail !== undefined ? { detail } : {}) });
  }
}
