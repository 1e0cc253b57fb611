export interface FindingRef {
  id: string;
  productArn: string;
}

/** Security Hub workflow updates of the IAM.4 finding (BatchUpdateFindings). */
export interface FindingsPort {
  /** Set when finding updates are switched off (`rootkey serve --no-security-hub`): why nothing is updated. */
  readonly disabledReason?: string;
  /** Finds the account's IAM.4 finding when the trigger did not carry one. */
  findRootKeyFinding(accountId: string): Promise<FindingRef | undefined>;
  markNotified(finding: FindingRef, note: string): Promise<void>;
  markResolved(finding: FindingRef, note: string): Promise<void>;
  markSuppressed(finding: FindingRef, note: string): Promise<void>;
}
