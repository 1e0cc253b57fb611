import { sweepIdOf, type SweepOutcome } from '../core/sweep-summary';
import type { Trigger } from '../core/trigger';
import type { Deps } from './dependencies';

/**
 * Tells the organization sweep that started this workflow what it found for the account (nothing
 * for any other trigger). Best effort on purpose: the case matters more than the count, so a failed
 * report never fails or repeats a task (a retried open-case would find its own case open); the
 * account then shows as "did not report" in the summary, which is true.
 */
export async function reportToSweep(
  deps: Pick<Deps, 'cases'>,
  trigger: Trigger | undefined,
  outcome: SweepOutcome,
): Promise<void> {
  const sweepId = sweepIdOf(trigger);
  if (!sweepId || !trigger) return;
  try {
    await deps.cases.recordSweepOutcome(sweepId, trigger.accountId, outcome);
  } catch (error) {
    console.warn(`Could not report ${outcome} for account ${trigger.accountId} to sweep ${sweepId}`, error);
  }
}
