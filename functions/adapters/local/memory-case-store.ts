import { isTerminal, type Case } from '../../core/case';
import { CaseAlreadyOpenError, CaseNotFoundError, ConcurrentUpdateError } from '../../core/errors';
import { EMPTY_TALLY, type SweepOutcome, type SweepTally } from '../../core/sweep-summary';
import type { CaseStorePort } from '../../ports/case-store';

/**
 * Cases in memory, optionally persisted through `onChange` (the sandbox writes them to its data
 * directory). Every check-and-write runs synchronously, so on Node's single thread the version
 * check is atomic exactly like DynamoDB's condition expression.
 */
export class MemoryCaseStore implements CaseStorePort {
  private readonly cases = new Map<string, Case>();
  /** Each sweep's outcome per account; only the latest sweeps are kept (see {@link KEPT_SWEEPS}). */
  private readonly sweeps = new Map<string, Map<string, SweepOutcome>>();

  constructor(
    initial: Case[] = [],
    private readonly onChange?: (c: Case) => void,
  ) {
    for (const c of initial) this.cases.set(c.caseId, structuredClone(c));
  }

  async create(c: Case): Promise<Case> {
    if (this.cases.has(c.caseId)) throw new ConcurrentUpdateError(c.caseId);
    if (!isTerminal(c.status)) {
      const open = this.openFor(c.accountId);
      if (open) throw new CaseAlreadyOpenError(c.accountId, open.caseId);
    }
    const stored = structuredClone({ ...c, version: 1 });
    this.cases.set(c.caseId, stored);
    this.onChange?.(structuredClone(stored));
    return structuredClone(stored);
  }

  async get(caseId: string): Promise<Case> {
    const c = this.cases.get(caseId);
    if (!c) throw new CaseNotFoundError(caseId);
    return structuredClone(c);
  }

  async findOpenByAccount(accountId: string): Promise<Case | undefined> {
    const open = this.openFor(accountId);
    return open ? structuredClone(open) : undefined;
  }

  async list(filter: { openOnly?: boolean; accountId?: string } = {}): Promise<Case[]> {
    return [...this.cases.values()]
      .filter(
        (c) => (!filter.openOnly || !isTerminal(c.status)) && (!filter.accountId || c.accountId === filter.accountId),
      )
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt))
      .map((c) => structuredClone(c));
  }

  async update(caseId: string, expectedVersion: number, change: (current: Case) => Case): Promise<Case> {
    const current = this.cases.get(caseId);
    if (!current) throw new CaseNotFoundError(caseId);
    if (current.version !== expectedVersion) throw new ConcurrentUpdateError(caseId);
    const next = change(structuredClone(current));
    const stored = structuredClone({ ...next, caseId, version: expectedVersion + 1 });
    this.cases.set(caseId, stored);
    this.onChange?.(structuredClone(stored));
    return structuredClone(stored);
  }

  async recordSweepOutcome(sweepId: string, accountId: string, outcome: SweepOutcome): Promise<boolean> {
    let accounts = this.sweeps.get(sweepId);
    if (!accounts) {
      accounts = new Map();
      this.sweeps.set(sweepId, accounts);
      // A long-running `rootkey serve` sweeps every hour: forget the oldest sweeps, as DynamoDB's TTL does.
      for (const old of [...this.sweeps.keys()].slice(0, Math.max(0, this.sweeps.size - KEPT_SWEEPS))) {
        this.sweeps.delete(old);
      }
    }
    if (accounts.has(accountId)) return false;
    accounts.set(accountId, outcome);
    return true;
  }

  async sweepTally(sweepId: string): Promise<SweepTally> {
    const tally = { ...EMPTY_TALLY };
    for (const outcome of this.sweeps.get(sweepId)?.values() ?? []) tally[outcome] += 1;
    return tally;
  }

  private openFor(accountId: string): Case | undefined {
    return [...this.cases.values()].find((c) => c.accountId === accountId && !isTerminal(c.status));
  }
}

/** Sweeps whose outcomes the memory store keeps. */
const KEPT_SWEEPS = 20;
