import type { FindingRef, FindingsPort } from '../../ports/findings';

/**
 * The findings port when Security Hub is switched off (`rootkey serve --no-security-hub`).
 * `disabledReason` makes `update-finding` record "not updated, and why" without calling anything,
 * even for a trigger that carried a finding; the methods below are therefore never reached.
 */
export class DisabledFindings implements FindingsPort {
  readonly disabledReason =
    'Security Hub updates are switched off for this run (rootkey serve --no-security-hub): the finding was not updated.';

  async findRootKeyFinding(_accountId: string): Promise<FindingRef | undefined> {
    return undefined;
  }

  async markNotified(_finding: FindingRef, _note: string): Promise<void> {}

  async markResolved(_finding: FindingRef, _note: string): Promise<void> {}

  async markSuppressed(_finding: FindingRef, _note: string): Promise<void> {}
}
