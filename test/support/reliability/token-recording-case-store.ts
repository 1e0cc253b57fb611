import type { Case } from '../../../functions/core/case';
import type { SweepOutcome, SweepTally } from '../../../functions/core/sweep-summary';
import type { CaseStorePort } from '../../../functions/ports/case-store';

/**
 * Case store decorator (a test double around the real store) that remembers every task token ever
 * written with a case, so that a test can scan everything sent to Slack, evidence included, for
 * each token the workflow issued.
 */
export class TokenRecordingCaseStore implements CaseStorePort {
  /** Every `pendingTask.token` stored so far. */
  readonly tokens = new Set<string>();

  constructor(private readonly inner: CaseStorePort) {}

  async create(c: Case): Promise<Case> {
    return this.remember(await this.inner.create(c));
  }

  get(caseId: string): Promise<Case> {
    return this.inner.get(caseId);
  }

  findOpenByAccount(accountId: string): Promise<Case | undefined> {
    return this.inner.findOpenByAccount(accountId);
  }

  list(filter?: { openOnly?: boolean; accountId?: string }): Promise<Case[]> {
    return this.inner.list(filter);
  }

  async update(caseId: string, expectedVersion: number, change: (current: Case) => Case): Promise<Case> {
    return this.remember(await this.inner.update(caseId, expectedVersion, change));
  }

  recordSweepOutcome(sweepId: string, accountId: string, outcome: SweepOutcome): Promise<boolean> {
    return this.inner.recordSweepOutcome(sweepId, accountId, outcome);
  }

  sweepTally(sweepId: string): Promise<SweepTally> {
    return this.inner.sweepTally(sweepId);
  }

  private remember(c: Case): Case {
    if (c.pendingTask?.token) this.tokens.add(c.pendingTask.token);
    return c;
  }
}
