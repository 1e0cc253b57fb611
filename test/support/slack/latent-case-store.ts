import type { Case } from '../../../functions/core/case';
import type { SweepOutcome, SweepTally } from '../../../functions/core/sweep-summary';
import type { CaseStorePort } from '../../../functions/ports/case-store';

/**
 * Case store double that answers a little later, like DynamoDB over the network, so that concurrent
 * requests really interleave between reading a case and writing it. Delegates to a real store.
 */
export class LatentCaseStore implements CaseStorePort {
  constructor(
    private readonly inner: CaseStorePort,
    private readonly maxDelayMs = 3,
  ) {}

  private async later<T>(call: () => Promise<T>): Promise<T> {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * this.maxDelayMs));
    return call();
  }

  create(c: Case): Promise<Case> {
    return this.later(() => this.inner.create(c));
  }

  get(caseId: string): Promise<Case> {
    return this.later(() => this.inner.get(caseId));
  }

  findOpenByAccount(accountId: string): Promise<Case | undefined> {
    return this.later(() => this.inner.findOpenByAccount(accountId));
  }

  list(filter?: { openOnly?: boolean; accountId?: string }): Promise<Case[]> {
    return this.later(() => this.inner.list(filter));
  }

  update(caseId: string, expectedVersion: number, change: (current: Case) => Case): Promise<Case> {
    return this.later(() => this.inner.update(caseId, expectedVersion, change));
  }

  recordSweepOutcome(sweepId: string, accountId: string, outcome: SweepOutcome): Promise<boolean> {
    return this.later(() => this.inner.recordSweepOutcome(sweepId, accountId, outcome));
  }

  sweepTally(sweepId: string): Promise<SweepTally> {
    return this.later(() => this.inner.sweepTally(sweepId));
  }
}
