import { createApplyDecisionHandler } from './apply-decision';
import { createApprovalTimeoutHandler } from './approval-timeout';
import { createAwaitRunbookStepHandler } from './await-runbook-step';
import { createDeleteKeysHandler } from './delete-keys';
import { createDetectRootKeysHandler } from './detect-root-keys';
import type { TaskHandler } from './lambda-handler';
import { createListSweepAccountsHandler } from './list-sweep-accounts';
import { createNormalizeTriggerHandler } from './normalize-trigger';
import { createOpenCaseHandler } from './open-case';
import { createPostSweepSummaryHandler } from './post-sweep-summary';
import { createRecordDuplicateTriggerHandler } from './record-duplicate-trigger';
import { createRecordFailureHandler } from './record-failure';
import { createRecordOutcomeHandler } from './record-outcome';
import { createRecordRunbookStepHandler } from './record-runbook-step';
import { createRequestApprovalHandler } from './request-approval';
import { createReturnToApprovalHandler } from './return-to-approval';
import { createRunbookTimeoutHandler } from './runbook-timeout';
import { createStartRunbookHandler } from './start-runbook';
import type { TaskId } from './task-ids';
import { restrictToTask } from './task-ports';
import { createUpdateFindingHandler } from './update-finding';
import { createVerifyRemovalHandler } from './verify-removal';
import type { WorkflowRuntime } from './workflow-runtime';

const FACTORIES: Record<TaskId, (runtime: WorkflowRuntime) => TaskHandler> = {
  'normalize-trigger': ({ deps }) => createNormalizeTriggerHandler(deps),
  'detect-root-keys': ({ deps }) => createDetectRootKeysHandler(deps),
  'open-case': ({ deps }) => createOpenCaseHandler(deps),
  'record-duplicate-trigger': ({ deps }) => createRecordDuplicateTriggerHandler(deps),
  'request-approval': ({ deps, callbacks }) => createRequestApprovalHandler(deps, callbacks),
  'approval-timeout': ({ deps }) => createApprovalTimeoutHandler(deps),
  'apply-decision': ({ deps }) => createApplyDecisionHandler(deps),
  'return-to-approval': ({ deps }) => createReturnToApprovalHandler(deps),
  'delete-keys': ({ deps }) => createDeleteKeysHandler(deps),
  'verify-removal': ({ deps }) => createVerifyRemovalHandler(deps),
  'start-runbook': ({ deps }) => createStartRunbookHandler(deps),
  'await-runbook-step': ({ deps }) => createAwaitRunbookStepHandler(deps),
  'record-runbook-step': ({ deps }) => createRecordRunbookStepHandler(deps),
  'runbook-timeout': ({ deps }) => createRunbookTimeoutHandler(deps),
  'update-finding': ({ deps }) => createUpdateFindingHandler(deps),
  'record-outcome': ({ deps }) => createRecordOutcomeHandler(deps),
  'record-failure': ({ deps }) => createRecordFailureHandler(deps),
  'list-sweep-accounts': ({ deps, sweepLists }) => createListSweepAccountsHandler(deps, sweepLists),
  'post-sweep-summary': ({ deps }) => createPostSweepSummaryHandler(deps),
};

/**
 * Every task's handler factory, keyed by task id: the same factories the Lambda entry points wrap,
 * so the local runner executes exactly the code that runs in AWS. Each one sees only its task's
 * ports (TASK_PORTS), as its Lambda function does: a task reaching for a port its function does not
 * build fails here with PortNotWiredError, in every local run and workflow test.
 */
export const TASK_HANDLER_FACTORIES = Object.fromEntries(
  (Object.entries(FACTORIES) as [TaskId, (runtime: WorkflowRuntime) => TaskHandler][]).map(([task, factory]) => [
    task,
    (runtime: WorkflowRuntime) => factory(restrictToTask(runtime, task)),
  ]),
) as Record<TaskId, (runtime: WorkflowRuntime) => TaskHandler>;
