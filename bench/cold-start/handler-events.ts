import type { Case } from '../../functions/core/case';
import type { RootKey } from '../../functions/core/root-key';
import type { DoubleFinding } from '../../test/support/aws/aws-endpoint-double';
import { awaitingCase, runbookCase } from '../../test/support/slack/case-fixture';

/**
 * One event per Lambda entry, shaped as the state machine (or API Gateway) sends it, and the case
 * each task expects to find (TASK_CASES, written to the stub's DynamoDB before every run), so that
 * every measured invocation does its real work and succeeds: a benchmark must not time a call that threw.
 */
const caseId = 'RK-123456789012-20260101000000-ab12';
const accountId = '123456789012';

/** The member account every case is about, and the organization's management account. */
export const BENCH_ACCOUNT = accountId;
export const BENCH_MANAGEMENT_ACCOUNT = '999988887777';

/** The root key of the benchmark's member account (the organization double holds it too). */
export const BENCH_ROOT_KEY: RootKey & { id: string; createdAt: string } = {
  id: 'AKIAIOSFODNN7EXAMPLE',
  maskedId: 'AKIA************MPLE',
  status: 'Active',
  createdAt: '2019-03-04T10:00:00.000Z',
};

/** The member account's IAM.4 finding in Security Hub (the organization double holds it). */
export const BENCH_FINDING: DoubleFinding = {
  Id: `arn:aws:securityhub:us-east-1:${accountId}:security-control/IAM.4/finding/bench`,
  ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
  AwsAccountId: accountId,
  ComplianceStatus: 'FAILED',
  WorkflowStatus: 'NEW',
  RecordState: 'ACTIVE',
  UpdatedAt: '2026-01-01T00:00:00Z',
  Notes: [],
};

/** The member account's root keys when a task runs: gone once delete-keys has run, present before. */
export function taskRootKeys(task: string): (typeof BENCH_ROOT_KEY)[] {
  return task === 'verify-removal' ? [] : [BENCH_ROOT_KEY];
}

const base = (): Case => awaitingCase({ caseId, accountId, keys: [BENCH_ROOT_KEY], token: null });
const decided = (action: 'delete' | 'runbook'): Case['decision'] => ({
  action,
  approvers: [{ userId: 'U0ALICE', userName: 'alice', action, at: '2026-01-01T00:05:00Z' }],
  decidedAt: '2026-01-01T00:05:00Z',
  approvedKeys: [BENCH_ROOT_KEY.maskedId],
});

const remediated = (): Case => ({
  ...base(),
  status: 'remediated',
  decision: decided('delete'),
  closedAt: '2026-01-01T00:30:00Z',
});

/** The case in the state each task runs in (tasks that create or need no case are absent). */
export const TASK_CASES: Record<string, () => Case> = {
  'record-duplicate-trigger': base,
  'request-approval': () => {
    const { approval: _approval, ...rest } = base();
    return { ...rest, status: 'detected' };
  },
  'approval-timeout': () => awaitingCase({ caseId, accountId, keys: [BENCH_ROOT_KEY], token: 'bench-task-token' }),
  'apply-decision': () => awaitingCase({ caseId, accountId, keys: [BENCH_ROOT_KEY], token: 'bench-task-token' }),
  'return-to-approval': () => ({ ...base(), status: 'deleting', decision: decided('delete') }),
  'delete-keys': () => ({ ...base(), status: 'deleting', decision: decided('delete') }),
  'verify-removal': () => ({ ...base(), status: 'verifying', decision: decided('delete') }),
  'start-runbook': () => ({ ...base(), decision: decided('runbook') }),
  'await-runbook-step': () => ({
    ...runbookCase('prepare', { caseId, accountId, keys: [BENCH_ROOT_KEY] }),
    pendingTask: undefined,
  }),
  'record-runbook-step': () => runbookCase('prepare', { caseId, accountId, keys: [BENCH_ROOT_KEY] }),
  'runbook-timeout': () => runbookCase('prepare', { caseId, accountId, keys: [BENCH_ROOT_KEY] }),
  'update-finding': base,
  'record-outcome': () => ({ ...base(), status: 'verifying', decision: decided('delete') }),
  // The Prevention state machine: offered after a remediated case, applied once approved (attach the SCP at the root).
  'offer-prevention': () => remediated(),
  'apply-prevention': () => ({
    ...remediated(),
    guardrail: {
      offeredAt: '2026-01-01T01:00:00Z',
      actions: ['attach-scp'],
      targetId: 'r-root',
      newlyCovered: [accountId],
      votes: [{ userId: 'U0ALICE', userName: 'alice', at: '2026-01-01T01:05:00Z' }],
      status: 'applying',
      decidedAt: '2026-01-01T01:05:00Z',
    },
  }),
  // The Slack entry's event is a click on "Delete" by an approver, on the case's approval request.
  'slack-app': () => awaitingCase({ caseId, accountId, keys: [BENCH_ROOT_KEY], token: 'bench-task-token' }),
};
const trigger = { source: 'manual', accountId, detectedAt: '2026-01-01T00:00:00Z' };

export const TASK_EVENTS: Record<string, unknown> = {
  // The member account's IAM.4 finding as EventBridge delivers it (a scheduled event is ignored: no work).
  'normalize-trigger': {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'Security Hub Findings - Imported',
    source: 'aws.securityhub',
    account: accountId,
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [BENCH_FINDING.Id],
    detail: {
      findings: [
        {
          Id: BENCH_FINDING.Id,
          ProductArn: BENCH_FINDING.ProductArn,
          AwsAccountId: accountId,
          Region: 'us-east-1',
          UpdatedAt: BENCH_FINDING.UpdatedAt,
          RecordState: 'ACTIVE',
          Compliance: { Status: 'FAILED', SecurityControlId: 'IAM.4' },
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  },
  'detect-root-keys': { trigger },
  'open-case': {
    trigger,
    posture: {
      account: { id: accountId, name: 'payments-prod', isManagement: false },
      status: 'NON_COMPLIANT',
      keys: [BENCH_ROOT_KEY],
      method: 'assume-root-audit',
      removalPaths: ['assume-root'],
      signals: { accountAccessKeysPresent: 1 },
      checkedAt: '2026-01-01T00:00:00Z',
      reason: 'benchmark',
    },
  },
  'record-duplicate-trigger': { caseId, trigger },
  'request-approval': { caseId, token: 'bench-task-token' },
  'approval-timeout': { caseId },
  'apply-decision': {
    caseId,
    decision: {
      action: 'delete',
      approvers: [{ userId: 'U0ALICE', userName: 'alice', action: 'delete', at: '2026-01-01T00:05:00Z' }],
      decidedAt: '2026-01-01T00:05:00Z',
      approvedKeys: [BENCH_ROOT_KEY.maskedId],
    },
  },
  'return-to-approval': { caseId, error: { Error: 'KeysChangedError', Cause: '{}' } },
  'delete-keys': { caseId },
  'verify-removal': { caseId, attempt: 1 },
  'start-runbook': { caseId, reason: 'decision' },
  'await-runbook-step': { caseId, stepId: 'prepare', token: 'bench-task-token' },
  'record-runbook-step': {
    caseId,
    stepId: 'prepare',
    output: {
      kind: 'step-confirmed',
      stepId: 'prepare',
      by: { userId: 'U0ALICE', userName: 'alice' },
      at: '2026-01-01T00:10:00Z',
    },
  },
  'runbook-timeout': { caseId, stepId: 'prepare', reminders: 0 },
  'update-finding': { caseId, status: 'NOTIFIED' },
  'record-outcome': { caseId, status: 'remediated' },
  'record-failure': { error: { Error: 'TransientAwsError', Cause: 'benchmark' }, trigger },
  'offer-prevention': { caseId },
  'apply-prevention': { caseId },
  'list-sweep-accounts': { source: 'aws.events', 'detail-type': 'Scheduled Event' },
  'post-sweep-summary': {
    sweepId: 'arn:aws:states:us-east-1:123456789012:execution:rootkey-sweep:bench',
    accounts: 1,
    attempt: 20,
  },
};
