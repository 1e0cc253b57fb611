import type { Case, SlackMessageRef } from '../core/case';
import type { SweepSummary } from '../core/sweep-summary';

/** Messages the workflow sends to people (Slack in production and in the sandbox). */
export interface NotifierPort {
  /** Posts the approval request with its buttons; returns where it was posted. */
  requestApproval(c: Case): Promise<SlackMessageRef>;
  /** Reminder in the thread; `escalate` also mentions the escalation target. */
  remind(c: Case, reminderNumber: number, escalate: boolean): Promise<void>;
  /**
   * Reminder in the thread that a runbook step still waits for its confirmation; `escalate` also
   * mentions the escalation target, as the approval's escalating reminder does.
   */
  remindRunbookStep(
    c: Case,
    step: { id: string; title: string },
    reminderNumber: number,
    escalate: boolean,
  ): Promise<void>;
  /** Replaces the request's buttons by who decided what and when. */
  showDecision(c: Case): Promise<void>;
  /** A line of progress in the request's thread. */
  progress(c: Case, text: string): Promise<void>;
  /** Posts the next runbook step (instructions + confirm / verify-now buttons) in the thread. */
  runbookStep(c: Case, stepId: string): Promise<void>;
  /** Final result in the thread, with the evidence digest and where to read the report. */
  outcome(c: Case, evidence: { digest: string; reportLocation?: string }): Promise<void>;
  /** The one channel message of an organization sweep: accounts, compliant, cases opened, errors. */
  sweepSummary(summary: SweepSummary): Promise<void>;
}
