import type { Case } from '../core/case';
import type { SweepOutcome, SweepTally } from '../core/sweep-summary';

/**
 * Cases with optimistic concurrency. `create` refuses a second open case for an account
 * (CaseAlreadyOpenError); `update` applies `change` to the stored version and fails with
 * ConcurrentUpdateError when someone else wrote first, so that exactly one of many concurrent
 * clicks wins.
 */
export interface CaseStorePort {
  create(c: Case): Promise<Case>;
  get(caseId: string): Promise<Case>;
  findOpenByAccount(accountId: string): Promise<Case | undefined>;
  list(filter?: { openOnly?: boolean; accountId?: string }): Promise<Case[]>;
  /** Stores `change(current)` when `current.version === expectedVersion`; returns the stored case. */
  update(caseId: string, expectedVersion: number, change: (current: Case) => Case): Promise<Case>;
  /**
   * Records what an account's workflow found for the organization sweep that started it, once per
   * account and sweep: a second report for the same account changes nothing and returns false.
   */
  recordSweepOutcome(sweepId: string, accountId: string, outcome: SweepOutcome): Promise<boolean>;
  /** The outcomes recorded for a sweep so far, counted (all zero for a sweep nobody reported to). */
  sweepTally(sweepId: string): Promise<SweepTally>;
}
