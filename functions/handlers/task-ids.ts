/**
 * The workflow's Lambda tasks. Each id names its entry file (`functions/handlers/<id>.ts`), its
 * function in `infra/` and its binding in the local runner, so the three cannot drift apart.
 */
export const TASK_IDS = [
  'normalize-trigger',
  'detect-root-keys',
  'open-case',
  'record-duplicate-trigger',
  'request-approval',
  'approval-timeout',
  'apply-decision',
  'return-to-approval',
  'delete-keys',
  'verify-removal',
  'start-runbook',
  'await-runbook-step',
  'record-runbook-step',
  'runbook-timeout',
  'update-finding',
  'record-outcome',
  'record-failure',
  'list-sweep-accounts',
  'post-sweep-summary',
] as const;

export type TaskId = (typeof TASK_IDS)[number];

export function isTaskId(value: string): value is TaskId {
  return (TASK_IDS as readonly string[]).includes(value);
}
