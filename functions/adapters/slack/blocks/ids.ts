/**
 * Action, block and view ids shared by the Block Kit builders and the listeners. Buttons carry only
 * the case id as value (a runbook step's id travels in its block id); task tokens stay server side.
 */
export const ACTION_IDS = {
  delete: 'rootkey.decide.delete',
  runbook: 'rootkey.decide.runbook',
  acceptRisk: 'rootkey.decide.accept-risk',
  reject: 'rootkey.decide.reject',
  confirmStep: 'rootkey.runbook.confirm-step',
  verifyNow: 'rootkey.runbook.verify-now',
} as const;

export const BLOCK_IDS = {
  decisionActions: 'rootkey.decision-actions',
  /** Followed by `:<stepId>` on a runbook step's actions block. */
  runbookStepPrefix: 'rootkey.runbook-step:',
  exceptionReason: 'rootkey.exception.reason',
  exceptionExpiry: 'rootkey.exception.expiry',
} as const;

/** Input element ids inside the exception modal (one element per input block). */
export const INPUT_IDS = {
  reason: 'reason',
  expiry: 'expiry',
} as const;

export const VIEW_IDS = {
  exception: 'rootkey.exception',
} as const;

export function runbookStepBlockId(stepId: string): string {
  return `${BLOCK_IDS.runbookStepPrefix}${stepId}`;
}

export function stepIdFromBlockId(blockId: string): string | undefined {
  return blockId.startsWith(BLOCK_IDS.runbookStepPrefix)
    ? blockId.slice(BLOCK_IDS.runbookStepPrefix.length)
    : undefined;
}
