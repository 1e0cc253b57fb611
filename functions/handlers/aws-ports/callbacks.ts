import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnWorkflowCallbacks } from '../../adapters/aws/sfn-workflow-callbacks';
import type { WorkflowCallbacksPort } from '../../ports/workflow-callbacks';

/** Answers waiting tasks through Step Functions (SendTaskSuccess/Failure). */
export function awsCallbacks(): WorkflowCallbacksPort {
  return new SfnWorkflowCallbacks(new SFNClient({}));
}
