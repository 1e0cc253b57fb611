/** Marks rootkey errors, so that two copies of this module recognise each other's errors. */
const ROOTKEY_ERROR = Symbol.for('rootkey.RootKeyError');

/**
 * Typed errors with stable names. The state machine matches on `name` (Lambda reports it as the
 * `errorType`): transient errors are retried, domain errors are caught into the failure-evidence
 * path. Never rename one.
 *
 * Every class sets its `name` as a string literal: a minifier renames classes (`new.target.name`
 * would become `l` in the bundle), but it never rewrites a string. The bundles also keep names
 * (`keepNames` in `infra/constructs/task-functions.ts`); `test/unit/infra/bundled-error-names.test.ts`
 * checks both against the names in the synthesized Retry and Catch.
 */
export abstract class RootKeyError extends Error {
  /** The stable, literal error name. */
  abstract override readonly name: string;
  /** True when trying again later may succeed (throttling, 5xx, timeouts). */
  abstract readonly transient: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, ROOTKEY_ERROR, { value: true });
  }

  /**
   * `instanceof` that also accepts the same error thrown by another copy of this module, matched by
   * its literal name. In AWS each bundle holds one copy; the local runner binds bundled handlers to
   * adapters loaded from source (the simulated organization, the in-memory case store), and a
   * `ConcurrentUpdateError` thrown by the source copy must still be one for the bundled service.
   */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null || !(ROOTKEY_ERROR in value)) return false;
    return (this as unknown) === RootKeyError || (value as { name?: unknown }).name === this.name;
  }
}

/** Input from outside (event, payload, flag, file) did not match its schema. Nothing was changed. */
export class InvalidInputError extends RootKeyError {
  override readonly name = 'InvalidInputError';
  readonly transient = false;
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message);
  }
}

/** AWS refused a call; `permission` names the missing action and `where` the principal/account. */
export class AccessDeniedError extends RootKeyError {
  override readonly name = 'AccessDeniedError';
  readonly transient = false;
  constructor(
    readonly permission: string,
    readonly where: string,
    options?: { cause?: unknown },
  ) {
    super(`Access denied: ${permission} is not allowed for ${where}`, options);
  }
}

/** No AWS credentials could be found by the SDK's default chain. */
export class CredentialsMissingError extends RootKeyError {
  override readonly name = 'CredentialsMissingError';
  readonly transient = false;
  constructor(options?: { cause?: unknown }) {
    super(
      'No AWS credentials found. Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run `aws sso login`, or use --sandbox.',
      options,
    );
  }
}

/** Throttling, 5xx or a timeout: the state machine retries these with backoff. */
export class TransientAwsError extends RootKeyError {
  override readonly name = 'TransientAwsError';
  readonly transient = true;
}

/** Centralized root access (RootSessions) is not enabled, or the account cannot be targeted by AssumeRoot. */
export class RootAccessUnavailableError extends RootKeyError {
  override readonly name = 'RootAccessUnavailableError';
  readonly transient = false;
}

/** The account's root keys are not the ones the approver saw: nothing was deleted, approval is needed again. */
export class KeysChangedError extends RootKeyError {
  override readonly name = 'KeysChangedError';
  readonly transient = false;
  constructor(
    readonly approvedKeyIds: string[],
    readonly currentKeyIds: string[],
  ) {
    super(
      `Root keys changed since approval (approved: ${approvedKeyIds.join(', ') || 'none'}; now: ${currentKeyIds.join(', ') || 'none'}). Nothing was deleted.`,
    );
  }
}

export class CaseNotFoundError extends RootKeyError {
  override readonly name = 'CaseNotFoundError';
  readonly transient = false;
  constructor(readonly caseId: string) {
    super(`Case ${caseId} does not exist`);
  }
}

/** A second case for an account that already has an open one. */
export class CaseAlreadyOpenError extends RootKeyError {
  override readonly name = 'CaseAlreadyOpenError';
  readonly transient = false;
  constructor(
    readonly accountId: string,
    readonly openCaseId: string,
  ) {
    super(`Account ${accountId} already has open case ${openCaseId}`);
  }
}

/** Optimistic concurrency: somebody else changed the case first. */
export class ConcurrentUpdateError extends RootKeyError {
  override readonly name = 'ConcurrentUpdateError';
  readonly transient = true;
  constructor(readonly caseId: string) {
    super(`Case ${caseId} was changed concurrently`);
  }
}

/** The user may not decide this case. */
export class NotAuthorizedError extends RootKeyError {
  override readonly name = 'NotAuthorizedError';
  readonly transient = false;
}

/** The case is not waiting for this decision any more (decided already, timed out, closed). */
export class DecisionNotAcceptedError extends RootKeyError {
  override readonly name = 'DecisionNotAcceptedError';
  readonly transient = false;
}

/** The workflow's task token is no longer valid (TaskTimedOut, TaskDoesNotExist, InvalidToken). */
export class TaskTokenExpiredError extends RootKeyError {
  override readonly name = 'TaskTokenExpiredError';
  readonly transient = false;
}

/** Evidence could not be written or does not verify. */
export class EvidenceError extends RootKeyError {
  override readonly name = 'EvidenceError';
  readonly transient = false;
}

/**
 * Another writer appended the same chain position first (exclusive create refused). The evidence
 * service retries with fresh chain heads; it only escapes when the retries run out.
 */
export class EvidenceConflictError extends RootKeyError {
  override readonly name = 'EvidenceConflictError';
  readonly transient = true;
}

/**
 * The Slack Web API did not take a message for a reason that passes (5xx, rate limiting, a timeout,
 * Slack's own internal_error / service_unavailable), after the WebClient's own retries. The state
 * machine retries it with the Slack budget (core/retry-budget.ts).
 */
export class SlackUnavailableError extends RootKeyError {
  override readonly name = 'SlackUnavailableError';
  readonly transient = true;
}

/** Verification found the key still present after the bounded polling. */
export class KeyStillPresentError extends RootKeyError {
  override readonly name = 'KeyStillPresentError';
  readonly transient = false;
}

/**
 * rootkey will not put the guardrail in place: SCPs are disabled, a quota is reached, the target is
 * wrong, or its own policy was changed by someone else. Nothing was changed.
 */
export class GuardrailRefusedError extends RootKeyError {
  override readonly name = 'GuardrailRefusedError';
  readonly transient = false;
  constructor(
    readonly refusal: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Names of the errors the state machine retries. */
export const TRANSIENT_ERROR_NAMES = ['TransientAwsError', 'ConcurrentUpdateError', 'SlackUnavailableError'] as const;

/** Stable, human-readable one-liner for any thrown value. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
