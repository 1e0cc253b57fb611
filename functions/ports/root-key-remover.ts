/** One AWS call made while removing keys, as recorded in the evidence. */
export interface ActionRecord {
  api: string;
  requestId?: string;
  /** Masked key id the call was about, if any. */
  keyId?: string;
  outcome: 'success' | 'failure';
  error?: string;
  at: string;
}

export interface DeletionResult {
  accountId: string;
  deletedKeys: string[];
  actions: ActionRecord[];
}

/**
 * Deletes root access keys through `sts:AssumeRoot` with IAMDeleteRootUserCredentials.
 * Deletes only when the account's current keys are exactly `approvedMaskedKeyIds`; otherwise
 * throws KeysChangedError and deletes nothing.
 */
export interface RootKeyRemoverPort {
  deleteRootKeys(accountId: string, approvedMaskedKeyIds: string[]): Promise<DeletionResult>;
}
