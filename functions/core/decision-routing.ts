import type { CaseStatus, DecisionAction } from './case';

/** The case status each decision leads to; the state machine routes on the action. */
const STATUS_AFTER: Record<DecisionAction, CaseStatus> = {
  delete: 'deleting',
  runbook: 'runbook',
  'accept-risk': 'risk-accepted',
  reject: 'rejected',
};

export function statusAfterDecision(action: DecisionAction): CaseStatus {
  return STATUS_AFTER[action];
}
