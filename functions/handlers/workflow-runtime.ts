import type { SweepListStorePort } from '../ports/sweep-list-store';
import type { WorkflowCallbacksPort } from '../ports/workflow-callbacks';
import type { Deps } from '../services/dependencies';

/** What task handlers are built over: the services' dependencies and the way to answer waiting tasks. */
export interface WorkflowRuntime {
  deps: Deps;
  callbacks: WorkflowCallbacksPort;
  /** Where the organization sweep's list step stores the list of accounts. */
  sweepLists: SweepListStorePort;
}
