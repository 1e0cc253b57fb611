import { SWEEP_SUMMARY_MAX_ATTEMPTS, summaryDue, summaryOf, type SweepSummary } from '../core/sweep-summary';

export { SWEEP_SUMMARY_MAX_ATTEMPTS, SWEEP_SUMMARY_WAIT_SECONDS } from '../core/sweep-summary';
import type { Deps } from './dependencies';

export interface SweepSummaryInput {
  sweepId: string;
  /** Accounts the sweep listed. */
  accounts: number;
  /** 1 for the first look. */
  attempt: number;
}

/** What the state machine routes on: posted, or look again (`attempt` is the next one). */
export type SweepSummaryStep =
  { posted: true; attempt: number; summary: SweepSummary } | { posted: false; attempt: number; reported: number };

/**
 * The organization sweep's last step: posts one summary once every account's workflow has reported
 * what it found (or when the bounded wait is over). Counts come from the reports the per-account
 * workflows made (open-case, record-duplicate-trigger, record-failure), read as one tally item.
 */
export async function postSweepSummary(
  deps: Pick<Deps, 'cases' | 'notifier'>,
  input: SweepSummaryInput,
  maxAttempts = SWEEP_SUMMARY_MAX_ATTEMPTS,
): Promise<SweepSummaryStep> {
  const tally = await deps.cases.sweepTally(input.sweepId);
  const summary = summaryOf(input.sweepId, input.accounts, tally);
  if (!summaryDue(input.accounts, tally, input.attempt, maxAttempts)) {
    return { posted: false, attempt: input.attempt + 1, reported: input.accounts - summary.unreported };
  }
  await deps.notifier.sweepSummary(summary);
  return { posted: true, attempt: input.attempt, summary };
}
