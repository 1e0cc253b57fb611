import { extractStateMachines, type CfnTemplate, type ExtractedStateMachine } from './definition-extraction';
import type * as BuildApp from '../infra/build-app';

/** The two state machines the infra synthesizes, as plain ASL. */
export interface WorkflowDefinitions {
  remediation: ExtractedStateMachine;
  sweep: ExtractedStateMachine;
}

/** Picks the remediation and sweep state machines out of the central stack's template (by their `rootkey:workflow` tag). */
export function definitionsFromTemplate(template: CfnTemplate): WorkflowDefinitions {
  const machines = extractStateMachines(template);
  const find = (workflow: string): ExtractedStateMachine => {
    const found = machines.find((m) => m.workflow === workflow);
    if (!found) throw new Error(`The template has no state machine tagged rootkey:workflow=${workflow}`);
    return found;
  };
  return { remediation: find('remediation'), sweep: find('sweep') };
}

const cache = new Map<string, WorkflowDefinitions>();

/**
 * Synthesizes the CDK app in-process and returns its workflow definitions, exactly as `cdk synth`
 * produces them, with two local choices: no asset bundling (the handlers run in-process) and no
 * cdk-nag validation (the infra tests run it). The sweep's Distributed Map is the one AWS runs;
 * `LocalWorkflow` executes it against its local sweep-list store. Extra context (for example `rootkey:approvalTimeoutHours`) overrides
 * cdk.json. Cached per process and context: synthesis takes a few seconds.
 */
export function synthesizeWorkflowDefinitions(context: Record<string, unknown> = {}): WorkflowDefinitions {
  const key = JSON.stringify(context);
  const cached = cache.get(key);
  if (cached) return cached;
  // Loaded here, not at the top: the CDK library takes a second or more to load, and a caller that
  // passes its definitions in (tests keep them between files) never needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a synthesis runs
  const { buildRootKeyApp, cdkJsonContext } = require('../infra/build-app') as typeof BuildApp;
  const { app, central } = buildRootKeyApp({
    context: {
      ...cdkJsonContext(),
      'aws:cdk:bundling-stacks': [],
      'rootkey:nag': false,
      // Placeholder warnings are for `cdk synth` users; the local runner has no use for them in its output.
      '@aws-cdk/core:annotationsInValidationReport': false,
      ...context,
    },
  });
  const assembly = app.synth({ skipValidation: true });
  const definitions = definitionsFromTemplate(assembly.getStackByName(central.stackName).template as CfnTemplate);
  cache.set(key, definitions);
  return definitions;
}
