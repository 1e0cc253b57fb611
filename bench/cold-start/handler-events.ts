/**
 * One plausible event per Lambda entry, shaped as the state machine (or API Gateway) sends it, so
 * that the first invocation gets past input parsing to its first AWS call. The cases do not exist
 * behind the stub endpoint; the call fails fast, which is fine: what is measured is load + first invoke.
 */
const caseId = 'RK-123456789012-20260101000000-ab12';
const accountId = '123456789012';
const trigger = { source: 'manual', accountId, detectedAt: '2026-01-01T00:00:00Z' };

export const TASK_EVENTS: Record<string, unknown> = {
  'normalize-trigger': {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: accountId,
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {},
  },
  'detect-root-keys': { trigger },
  'open-case': {
    trigger,
    posture: {
      account: { id: accountId, name: 'payments-prod', isManagement: false },
      status: 'NON_COMPLIANT',
      keys: [{ maskedId: 'AKIA************0042', status: 'Active' }],
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
      approvedKeys: ['AKIA************0042'],
    },
  },
  'return-to-approval': { caseId, error: { Error: 'KeysChangedError', Cause: '{}' } },
  'delete-keys': { caseId },
  'verify-removal': { caseId, attempt: 1 },
  'start-runbook': { caseId, reason: 'decision' },
  'await-runbook-step': { caseId, stepId: 'open-console', token: 'bench-task-token' },
  'record-runbook-step': {
    caseId,
    stepId: 'open-console',
    output: {
      kind: 'step-confirmed',
      stepId: 'open-console',
      by: { userId: 'U0ALICE', userName: 'alice' },
      at: '2026-01-01T00:10:00Z',
    },
  },
  'runbook-timeout': { caseId, stepId: 'open-console', reminders: 0 },
  'update-finding': { caseId, status: 'NOTIFIED' },
  'record-outcome': { caseId, status: 'remediated' },
  'record-failure': { error: { Error: 'TransientAwsError', Cause: 'benchmark' }, trigger },
  'list-sweep-accounts': { source: 'aws.events', 'detail-type': 'Scheduled Event' },
  'post-sweep-summary': {
    sweepId: 'arn:aws:states:us-east-1:123456789012:execution:rootkey-sweep:bench',
    accounts: 1,
    attempt: 20,
  },
};
