import { TASK_ENV, type CfnTemplate } from '../../local-runner/definition-extraction';

/** The template's functions: configured memory per task (`ROOTKEY_TASK` in each function's environment). */
export function memoryByTask(template: CfnTemplate): Record<string, number> {
  const memory: Record<string, number> = {};
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties ?? {};
    const task = (props['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables?.[TASK_ENV];
    if (typeof task === 'string') memory[task] = Number(props['MemorySize'] ?? 128);
  }
  return memory;
}
