import type { Case } from '../functions/core/case';
import type { Runbook } from '../functions/core/runbook';
import type { ApproverDirectory } from '../functions/ports/approver-directory';
import type { CaseStorePort } from '../functions/ports/case-store';
import type { ClockPort } from '../functions/ports/clock';
import type { EvidenceRecorderPort } from '../functions/ports/evidence-recorder';
import type { WorkflowCallbacksPort, WorkflowStarterPort } from '../functions/ports/workflow-callbacks';
import type { PreventionDeps } from '../functions/services/prevent-recurrence';

/**
 * What the Slack app's listeners work with, injected by whoever runs the app: DynamoDB, S3 evidence and
 * Step Functions in Lambda; the in-memory store, file evidence and the local workflow in the sandbox;
 * doubles in tests.
 */
export interface SlackAppServices {
  cases: CaseStorePort;
  evidence: EvidenceRecorderPort;
  clock: ClockPort;
  /** Answers the workflow task a case waits on (SendTaskSuccess / the local runner). */
  callbacks: WorkflowCallbacksPort;
  /** Who may decide; checked on every click. */
  approvers: ApproverDirectory;
  /** Starts a check for `/rootkey scan`; without it the command says scanning is not available. */
  starter?: WorkflowStarterPort;
  /** The runbook of a case (`runbookForCase` by default). */
  runbookFor?: (c: Case, now: Date) => Runbook;
  /** "Prevent recurrence…" after a remediated case (SCP, root credentials), applied inline on approval (sandbox, serve). */
  prevention?: PreventionDeps;
  /**
   * Starts the Prevention state machine (`{"caseId"}`) once approvers approved an offer (AWS). With
   * it, the Slack app only records votes and never touches Organizations; it wins over `prevention`.
   * Without both, the button says prevention is unavailable.
   */
  preventionStarter?: WorkflowStarterPort;
}
