import type { OrganizationPort } from '../ports/organization';
import type { RootKeyReaderPort } from '../ports/root-key-reader';
import type { RootKeyRemoverPort } from '../ports/root-key-remover';
import type { CaseStorePort } from '../ports/case-store';
import type { EvidenceRecorderPort } from '../ports/evidence-recorder';
import type { NotifierPort } from '../ports/notifier';
import type { FindingsPort } from '../ports/findings';
import type { ClockPort } from '../ports/clock';

/** Settings that shape decisions (read from env at the edge, defaults here). */
export interface WorkflowSettings {
  /** Distinct approvers needed for a decision (four-eyes when 2). */
  requiredApprovals: number;
  /** Role assumed where AssumeRoot cannot apply (management/standalone account). */
  readRoleName?: string;
  /** Reminders before a pending approval expires; the last one escalates. */
  maxReminders: number;
  /** Bounded verification polling. */
  verification: { maxAttempts: number; initialWaitSeconds: number; maxWaitSeconds: number };
}

export const DEFAULT_SETTINGS: WorkflowSettings = {
  requiredApprovals: 1,
  maxReminders: 2,
  verification: { maxAttempts: 6, initialWaitSeconds: 5, maxWaitSeconds: 120 },
};

/** Everything a service needs, injected: AWS adapters in Lambda, the simulated organization locally. */
export interface Deps {
  organization: OrganizationPort;
  reader: RootKeyReaderPort;
  remover: RootKeyRemoverPort;
  cases: CaseStorePort;
  evidence: EvidenceRecorderPort;
  notifier: NotifierPort;
  findings: FindingsPort;
  clock: ClockPort;
  settings: WorkflowSettings;
}
