import type { Trigger } from './trigger';

/**
 * Times the summary step looks at the tally before it posts whatever has been reported. The sweep
 * waits {@link SWEEP_SUMMARY_WAIT_SECONDS} between looks (the Wait state in
 * infra/constructs/organization-sweep.ts), so a sweep posts at most about 10 minutes after its last
 * start: long enough for a detection that retries a throttled call, short enough to be useful.
 */
export const SWEEP_SUMMARY_MAX_ATTEMPTS = 20;
export const SWEEP_SUMMARY_WAIT_SECONDS = 30;

/**
 * What one account's workflow reports to its organization sweep, once (the first report wins, so a
 * retried task or a later failure of an opened case never counts an account twice):
 * - `compliant`: no root key (the case opened and closes as compliant);
 * - `case-opened`: a root key, and a case now waits for people;
 * - `case-already-open`: a root key, and the account's open case goes on (no new message);
 * - `error`: the account could not be read or its case could not be opened (failure evidence).
 */
export type SweepOutcome = 'compliant' | 'case-opened' | 'case-already-open' | 'error';

export const SWEEP_OUTCOMES: readonly SweepOutcome[] = ['compliant', 'case-opened', 'case-already-open', 'error'];

/** The counts of one sweep so far, as the case store keeps them. */
export type SweepTally = Record<SweepOutcome, number>;

export const EMPTY_TALLY: SweepTally = { compliant: 0, 'case-opened': 0, 'case-already-open': 0, error: 0 };

/** One sweep's summary, as posted: every count comes from reports, none is inferred. */
export interface SweepSummary {
  sweepId: string;
  /** Accounts the sweep listed (and started a workflow for). */
  accounts: number;
  tally: SweepTally;
  /** Accounts that had not reported when the summary was posted (a start that failed, a slow read). */
  unreported: number;
}

/**
 * The sweep a workflow reports to: the sweep's Map starts each account with the sweep's execution id,
 * which normalize-trigger keeps as `eventId`; its source is `schedule` (the daily sweep) or `sweep`
 * (a sweep started by hand). No other start of those sources carries an `eventId`.
 */
export function sweepIdOf(trigger: Trigger | undefined): string | undefined {
  const fromSweep = trigger?.source === 'sweep' || trigger?.source === 'schedule';
  return fromSweep && trigger.eventId ? trigger.eventId : undefined;
}

export function reportedCount(tally: SweepTally): number {
  return SWEEP_OUTCOMES.reduce((sum, outcome) => sum + tally[outcome], 0);
}

/**
 * Whether to post now: when every listed account has reported, or when the bounded wait is over
 * (`attempt` of `maxAttempts`); then the accounts still silent are shown as such, never guessed.
 */
export function summaryDue(accounts: number, tally: SweepTally, attempt: number, maxAttempts: number): boolean {
  return reportedCount(tally) >= accounts || attempt >= maxAttempts;
}

export function summaryOf(sweepId: string, accounts: number, tally: SweepTally): SweepSummary {
  return { sweepId, accounts, tally, unreported: Math.max(0, accounts - reportedCount(tally)) };
}
