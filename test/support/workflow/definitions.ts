import { synthesizeWorkflowDefinitions, type WorkflowDefinitions } from '../../../local-runner/workflow-definitions';
import { cachedSynthesis } from '../infra/synth-cache';

/**
 * The workflow definitions `infra/` synthesizes (`synthesizeWorkflowDefinitions`, the same function the
 * sandbox uses), synthesized once per run and context instead of once per test file.
 */
export function testWorkflowDefinitions(context: Record<string, unknown> = {}): WorkflowDefinitions {
  return cachedSynthesis('workflow-definitions', context, () => synthesizeWorkflowDefinitions(context));
}
