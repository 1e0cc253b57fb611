import type { Deps } from './dependencies';

/** One account the sweep starts a workflow for (the item of the sweep's Map state). */
export interface SweepItem {
  source: 'schedule' | 'sweep';
  accountId: string;
  detectedAt: string;
}

/**
 * The organization sweep's first step: every active account of the organization (a standalone
 * account yields itself), each as the input of one per-account workflow. `scheduled` marks a sweep
 * started by the daily schedule rather than by a person.
 */
export async function listSweepAccounts(
  deps: Pick<Deps, 'organization' | 'clock'>,
  input: { scheduled: boolean; accounts?: string[] },
): Promise<{ count: number; items: SweepItem[] }> {
  const detectedAt = deps.clock.now().toISOString();
  const source = input.scheduled ? 'schedule' : 'sweep';
  const all = await deps.organization.listAccounts();
  const wanted = input.accounts && input.accounts.length > 0 ? new Set(input.accounts) : undefined;
  const items = all
    .filter((a) => !wanted || wanted.has(a.id))
    .map((a) => ({ source, accountId: a.id, detectedAt }) satisfies SweepItem);
  return { count: items.length, items };
}
