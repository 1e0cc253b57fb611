import type { SweepKnowledge } from '../core/trigger';
import type { SweepListLocation, SweepListStorePort } from '../ports/sweep-list-store';
import type { Deps } from './dependencies';

/** One account the sweep starts a workflow for (the item of the sweep's Map state). */
export interface SweepItem {
  source: 'schedule' | 'sweep';
  accountId: string;
  detectedAt: string;
  /** What the listing already says about the account (name, management or not). */
  account: SweepKnowledge['account'];
}

/**
 * What the sweep's list step returns: how many accounts, where their items are stored (the
 * Distributed Map's `ItemReader` reads them from there, so the state's payload stays small at any
 * organization size), and the organization's root access features, read once per sweep.
 */
export interface SweepList {
  count: number;
  list: SweepListLocation;
  features: SweepKnowledge['features'];
}

/**
 * The organization sweep's first step: every active account of the organization (a standalone
 * account yields itself), each as the input of one per-account workflow, stored as one list under
 * `listName` (unique per sweep). `scheduled` marks a sweep started by the daily schedule rather
 * than by a person.
 */
export async function listSweepAccounts(
  deps: Pick<Deps, 'organization' | 'clock'>,
  lists: SweepListStorePort,
  input: { scheduled: boolean; accounts?: string[]; listName: string },
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
  const list = await lists.put(input.listName, items);
  return {
    count: items.length,
    list,
    features: { rootCredentialsManagement: features.rootCredentialsManagement, rootSessions: features.rootSessions },
  };
}
