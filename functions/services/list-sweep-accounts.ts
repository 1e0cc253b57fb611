import type { SweepKnowledge } from '../core/trigger';
import type { Deps } from './dependencies';

/** One account the sweep starts a workflow for (the item of the sweep's Map state). */
export interface SweepItem {
  source: 'schedule' | 'sweep';
  accountId: string;
  detectedAt: string;
  /** What the listing already says about the account (name, management or not). */
  account: SweepKnowledge['account'];
}

/** The sweep's list: the items, and the organization's root access features, read once per sweep. */
export interface SweepList {
  count: number;
  items: SweepItem[];
  features: SweepKnowledge['features'];
}

/**
 * The organization sweep's first step: every active account of the organization (a standalone
 * account yields itself), each as the input of one per-account workflow. `scheduled` marks a sweep
 * started by the daily schedule rather than by a person.
 */
export async function listSweepAccounts(
  deps: Pick<Deps, 'organization' | 'clock'>,
  input: { scheduled: boolean; accounts?: string[] },
): Promise<SweepList> {
  const detectedAt = deps.clock.now().toISOString();
  const source = input.scheduled ? 'schedule' : 'sweep';
  const [all, features] = await Promise.all([deps.organization.listAccounts(), deps.organization.rootAccessFeatures()]);
  const wanted = input.accounts && input.accounts.length > 0 ? new Set(input.accounts) : undefined;
  const items = all
    .filter((a) => !wanted || wanted.has(a.id))
    .map(
      (a) =>
        ({
          source,
          accountId: a.id,
          detectedAt,
          account: { name: a.name, isManagement: a.isManagement },
        }) satisfies SweepItem,
    );
  return {
    count: items.length,
    items,
    features: { rootCredentialsManagement: features.rootCredentialsManagement, rootSessions: features.rootSessions },
  };
}
