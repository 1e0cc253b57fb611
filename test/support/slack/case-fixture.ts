import type { AccountPosture } from '../../../functions/core/account-posture';
import type { ApprovalVote, Case, SlackMessageRef } from '../../../functions/core/case';
import type { RemovalPath } from '../../../functions/core/removal-paths';
import type { RootKey } from '../../../functions/core/root-key';

/** The tests' "now": every fixture date is relative to it. */
export const NOW = new Date('2026-06-01T12:00:00.000Z');

export const APPROVAL_MESSAGE: SlackMessageRef = { channel: 'C0SECURITY', ts: '1780315200.000100' };

/** A clock the test moves by hand. */
export function manualClock(start: Date = NOW): { now(): Date; advance(seconds: number): void; set(d: Date): void } {
  let ms = start.getTime();
  return {
    now: () => new Date(ms),
    advance: (seconds) => {
      ms += seconds * 1000;
    },
    set: (d) => {
      ms = d.getTime();
    },
  };
}

export const MEMBER_PATHS: RemovalPath[] = [
  'assume-root-delete',
  'console-privileged-action',
  'root-sign-in',
  'password-recovery',
];
export const MANAGEMENT_PATHS: RemovalPath[] = ['root-sign-in', 'password-recovery'];

export const RECENTLY_USED_KEY: RootKey = {
  id: 'AKIAIOSFODNN7EXAMPLE',
  maskedId: 'AKIA************MPLE',
  status: 'Active',
  createdAt: '2019-03-04T10:00:00.000Z',
  lastUsed: { date: '2026-05-30T08:15:00.000Z', service: 'ec2', region: 'eu-west-1' },
};

export const UNUSED_KEY: RootKey = {
  id: 'AKIAI44QH8DHBEXAMPLE',
  maskedId: 'AKIA************MPLE',
  status: 'Inactive',
  createdAt: '2015-01-01T00:00:00.000Z',
};

export interface CaseOptions {
  caseId?: string;
  accountId?: string;
  accountName?: string;
  requiredApprovals?: number;
  removalPaths?: RemovalPath[];
  keys?: RootKey[];
  token?: string | null;
  votes?: ApprovalVote[];
  message?: SlackMessageRef | null;
  management?: boolean;
}

/** A case waiting for approval: token stored, request posted, as WORKFLOW's request-approval leaves it. */
export function awaitingCase(options: CaseOptions = {}): Case {
  const accountId = options.accountId ?? '111122223333';
  const accountName = options.accountName ?? 'payments-prod';
  const removalPaths = options.removalPaths ?? (options.management ? MANAGEMENT_PATHS : MEMBER_PATHS);
  const keys = options.keys ?? [RECENTLY_USED_KEY];
  const at = new Date(NOW.getTime() - 3_600_000).toISOString();
  const posture: AccountPosture = {
    account: { id: accountId, name: accountName, isManagement: options.management ?? false },
    status: 'NON_COMPLIANT',
    keys,
    reason: 'ListAccessKeys shows 1 active root access key.',
    method: 'assume-root-audit',
    removalPaths,
    signals: { accountAccessKeysPresent: keys.length, listedKeys: keys },
    checkedAt: at,
  };
  const c: Case = {
    caseId: options.caseId ?? `RK-${accountId}-20260601110000-ab12`,
    accountId,
    accountName,
    status: 'awaiting-approval',
    openedAt: at,
    updatedAt: at,
    trigger: { source: 'security-hub', accountId, detectedAt: at },
    posture,
    removalPaths,
    requiredApprovals: options.requiredApprovals ?? 1,
    approval: {
      requestedAt: at,
      reminders: 0,
      escalated: false,
      votes: options.votes ?? [],
      ...(options.message === null ? {} : { message: options.message ?? APPROVAL_MESSAGE }),
    },
    evidenceCount: 0,
    version: 3,
  };
  if (options.token !== null)
    c.pendingTask = { kind: 'approval', token: options.token ?? 'SECRET-TASK-TOKEN-approval-1', since: at };
  return c;
}

/** A case in the guided runbook, waiting for `stepId` to be confirmed. */
export function runbookCase(stepId: string, options: CaseOptions = {}): Case {
  const c = awaitingCase({ ...options, token: null });
  return {
    ...c,
    status: 'runbook',
    decision: {
      action: 'runbook',
      approvers: [{ userId: 'U0ALICE', userName: 'alice', action: 'runbook', at: c.openedAt }],
      decidedAt: c.openedAt,
      approvedKeys: c.posture.keys.map((k) => k.maskedId),
    },
    runbook: { variant: 'console-privileged-action', completed: [] },
    pendingTask: {
      kind: 'runbook-step',
      token: options.token ?? 'SECRET-TASK-TOKEN-runbook-1',
      since: c.openedAt,
      stepId,
    },
  };
}
