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
 * Deletes only when every current key is among `approvedMaskedKeyIds` (a key that appeared after
 * the approval throws KeysChangedError and deletes nothing; an approved key already gone is fine).
 */
export interface RootKeyRemoverPort {
  deleteRootKeys(accountId: string, approvedMaskedKeyIds: string[]): Promise<DeletionResult>;
}

/** What a removal did before it failed: the calls made (the failed one included) and the keys already deleted. */
export interface RemovalFailureDetail {
  actions: ActionRecord[];
  deletedKeys: string[];
}

const REMOVAL_DETAIL = 'removalDetail';

/**
 * Attaches what a failed removal did to the typed error it throws, so that the error keeps its
 * stable name (the state machine matches on it) and the evidence still gets every call.
 */
export function attachRemovalDetail<E>(error: E, detail: RemovalFailureDetail): E {
  if (typeof error === 'object' && error !== null) {
    Object.defineProperty(error, REMOVAL_DETAIL, { value: detail, enumerable: false, configurable: true });
  }
  return error;
}

/** The detail a remover attached to its error, if any. */
export function removalDetailOf(error: unknown): RemovalFailureDetail | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as { [REMOVAL_DETAIL]?: RemovalFailureDetail })[REMOVAL_DETAIL];
}
