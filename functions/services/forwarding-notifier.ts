import type { Case, SlackMessageRef } from '../core/case';
import type { SweepSummary } from '../core/sweep-summary';
import type { NotifierPort } from '../ports/notifier';

/**
 * A notifier that passes every message to another one. Subclasses override the one message they add
 * behaviour to (e.g. the outcome, after which prevention is offered), so that a message added to
 * {@link NotifierPort} is forwarded by every wrapper without touching them.
 */
export class ForwardingNotifier<Inner extends NotifierPort = NotifierPort> implements NotifierPort {
  constructor(protected readonly inner: Inner) {}

  requestApproval(c: Case): Promise<SlackMessageRef> {
    return this.inner.requestApproval(c);
  }

  remind(c: Case, reminderNumber: number, escalate: boolean): Promise<void> {
    return this.inner.remind(c, reminderNumber, escalate);
  }

  remindRunbookStep(
    c: Case,
    step: { id: string; title: string },
    reminderNumber: number,
    escalate: boolean,
  ): Promise<void> {
    return this.inner.remindRunbookStep(c, step, reminderNumber, escalate);
  }

  showDecision(c: Case): Promise<void> {
    return this.inner.showDecision(c);
  }

  progress(c: Case, text: string): Promise<void> {
    return this.inner.progress(c, text);
  }

  runbookStep(c: Case, stepId: string): Promise<void> {
    return this.inner.runbookStep(c, stepId);
  }

  outcome(c: Case, evidence: { digest: string; reportLocation?: string }): Promise<void> {
    return this.inner.outcome(c, evidence);
  }

  sweepSummary(summary: SweepSummary): Promise<void> {
    return this.inner.sweepSummary(summary);
  }
}
