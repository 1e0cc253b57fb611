import type { GuardrailOffer } from './guardrail-offer';
import type { AccountPosture } from './account-posture';
import type { Trigger } from './trigger';
import type { RemovalPath } from './removal-paths';
import { DecisionNotAcceptedError } from './errors';

/** Lifecycle of a case. Terminal ones close it; only one non-terminal case exists per account. */
export type CaseStatus =
  | 'detected'
  | 'awaiting-approval'
  | 'deleting'
  | 'runbook'
  | 'verifying'
  | 'remediated'
  | 'risk-accepted'
  | 'rejected'
  | 'expired'
  | 'failed'
  | 'compliant';

export const TERMINAL_STATUSES: readonly CaseStatus[] = [
  'remediated',
  'risk-accepted',
  'rejected',
  'expired',
  'failed',
  'compliant',
];

export function isTerminal(status: CaseStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The actions an approver can choose. */
export type DecisionAction = 'delete' | 'runbook' | 'accept-risk' | 'reject';

export interface Approver {
  userId: string;
  userName?: string;
}

/** One approver's click, recorded as given. */
export interface ApprovalVote extends Approver {
  action: DecisionAction;
  at: string;
  reason?: string;
  /** ISO date; required for accept-risk. */
  expiresAt?: string;
}

/** The decision that reached the workflow. */
export interface Decision {
  action: DecisionAction;
  approvers: ApprovalVote[];
  decidedAt: string;
  reason?: string;
  expiresAt?: string;
  /** Key ids (masked) the approvers saw: deletion stops if the account's keys differ. */
  approvedKeys: string[];
}

export interface SlackMessageRef {
  channel: string;
  ts: string;
}

export interface RunbookProgress {
  variant: string;
  /** Step ids confirmed so far, in order. */
  completed: { stepId: string; by: string; at: string }[];
}

/** One case = one account with a root key, from detection to its evidence. */
export interface Case {
  caseId: string;
  accountId: string;
  accountName: string;
  status: CaseStatus;
  openedAt: string;
  updatedAt: string;
  closedAt?: string;
  trigger: Trigger;
  posture: AccountPosture;
  /** Removal paths available when the case opened (narrowed when AssumeRoot is refused later). */
  removalPaths: RemovalPath[];
  requiredApprovals: number;
  approval?: {
    requestedAt: string;
    reminders: number;
    escalated: boolean;
    message?: SlackMessageRef;
    votes: ApprovalVote[];
    /** Set when the last wait timed out after every reminder: the request expires, no click is kept any more. */
    expiredAt?: string;
  };
  decision?: Decision;
  /**
   * Slack was down when the decision was to replace the request's buttons: the decision stands, and
   * the outcome message shows it (re-renders the request) before it reports the result.
   */
  decisionNotShown?: boolean;
  /**
   * When the deletion first failed with a transient AWS error before deleting anything: that attempt
   * is recorded as evidence, the state machine's retries after it are not (one record, not hundreds),
   * and a failure outcome says how long the deletion was retried.
   */
  deletionRetryingSince?: string;
  runbook?: RunbookProgress;
  /**
   * Step Functions task token of the task currently waiting for a human (approval or runbook step).
   * Server side only: never rendered, never sent to Slack.
   */
  pendingTask?: { kind: 'approval' | 'runbook-step'; token: string; since: string; stepId?: string };
  /**
   * Slack clicks that already answered a task (`<user>:<action_ts>`, newest last, a few kept): a
   * byte-identical replay of one (Slack signatures carry no nonce) is recognised and changes nothing.
   */
  answeredClicks?: string[];
  /** Digest of the last evidence record of this case (hash-chain head). */
  evidenceHead?: string;
  evidenceCount: number;
  outcome?: { status: CaseStatus; summary: string; at: string; error?: { name: string; message: string } };
  /** "Prevent recurrence…" offered after the case ended remediated (issue 17); absent when nothing was offered. */
  guardrail?: GuardrailOffer;
  /** Optimistic concurrency counter, incremented by every store update. */
  version: number;
}

/** Case ids sort by time and name the account: `RK-<account>-<yyyymmddHHMMSS>-<rand4>`. */
export function newCaseId(accountId: string, now: Date, random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const suffix = Math.floor(random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
  return `RK-${accountId}-${stamp}-${suffix}`;
}

export const CASE_ID_PATTERN = /^RK-\d{12}-\d{14}-[0-9a-z]{4}$/;

export interface OpenCaseInput {
  posture: AccountPosture;
  trigger: Trigger;
  requiredApprovals: number;
  now: Date;
  caseId?: string;
}

export function openCase(input: OpenCaseInput): Case {
  const at = input.now.toISOString();
  const { posture } = input;
  return {
    caseId: input.caseId ?? newCaseId(posture.account.id, input.now),
    accountId: posture.account.id,
    accountName: posture.account.name,
    status: 'detected',
    openedAt: at,
    updatedAt: at,
    trigger: input.trigger,
    posture,
    removalPaths: posture.removalPaths,
    requiredApprovals: Math.max(1, input.requiredApprovals),
    evidenceCount: 0,
    version: 0,
  };
}

/** Which statuses may follow which: anything else is a bug or a late, stale message. */
const TRANSITIONS: Record<CaseStatus, readonly CaseStatus[]> = {
  detected: ['awaiting-approval', 'failed', 'compliant'],
  'awaiting-approval': ['awaiting-approval', 'deleting', 'runbook', 'risk-accepted', 'rejected', 'expired', 'failed'],
  deleting: ['verifying', 'runbook', 'awaiting-approval', 'failed'],
  runbook: ['runbook', 'verifying', 'failed'],
  verifying: ['verifying', 'remediated', 'runbook', 'failed'],
  remediated: [],
  'risk-accepted': [],
  rejected: [],
  expired: [],
  failed: [],
  compliant: [],
};

export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Returns the case moved to `to`, or throws when the move is not allowed. */
export function transition(c: Case, to: CaseStatus, now: Date): Case {
  if (!canTransition(c.status, to)) {
    throw new DecisionNotAcceptedError(`Case ${c.caseId} cannot go from ${c.status} to ${to}`);
  }
  const at = now.toISOString();
  return { ...c, status: to, updatedAt: at, ...(isTerminal(to) ? { closedAt: at } : {}) };
}
