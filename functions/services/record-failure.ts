import { evidenceData } from '../core/evidence/evidence-data';
import { isTerminal, newCaseId } from '../core/case';
import { CaseNotFoundError } from '../core/errors';
import { describeRetryBudget } from '../core/retry-budget';
import type { Trigger } from '../core/trigger';
import type { Deps } from './dependencies';
import { reportToSweep } from './report-to-sweep';
import { recordOutcome, type OutcomeStatus } from './record-outcome';

/** The error a state machine Catch put into the state (`{ Error, Cause }`). */
export interface CaughtError {
  Error?: string;
  Cause?: string;
}

export interface FailureInput {
  caseId?: string;
  accountId?: string;
  trigger?: Trigger;
  error: CaughtError;
}

export type RecordedFailure =
  | { recorded: true; caseId: string; digest: string; error: FailureError }
  /** Not even the account is known (the input was unreadable): only logs and the failed execution remain. */
  | { recorded: false; reason: string; error: FailureError };

/** The error as the failure evidence keeps it; `retried` says how long the workflow retried a transient one. */
export interface FailureError {
  name: string;
  message: string;
  retried?: string;
}

const MAX_MESSAGE = 2000;

/**
 * Reads the Lambda error a Catch delivers: `Cause` is the JSON of `{ errorType, errorMessage, trace }`
 * for a function error and plain text for a States.* error. The stack trace is left out of evidence.
 */
export function describeCaughtError(caught: CaughtError): FailureError {
  const name = caught.Error || 'Error';
  let message = caught.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // Not JSON: a States.* cause or plain text, kept as it is.
  }
  // A transient fault only reaches the Catch once its retry budget ran out: say how long that was.
  const retried = describeRetryBudget(name);
  return { name, message: (message || name).slice(0, MAX_MESSAGE), ...(retried ? { retried } : {}) };
}

/**
 * The failure path every Catch leads to: the case (if one was opened) closes as `failed` with the
 * error in its outcome evidence, report and Slack thread. A failure before the case existed (the
 * account could not be read, for instance) still leaves an evidence record, under a case id of its
 * own, so that no path ends without evidence. Only when not even the account is known does the
 * execution end with logs alone (and the failed-executions alarm).
 */
export async function recordFailure(deps: Deps, input: FailureInput): Promise<RecordedFailure> {
  const error = describeCaughtError(input.error);
  // Counted as an error by the sweep unless the account reported already (a case that fails later
  // was counted when it opened).
  await reportToSweep(deps, input.trigger, 'error');
  if (input.caseId) {
    try {
      const c = await deps.cases.get(input.caseId);
      if (isTerminal(c.status) && c.status !== 'failed' && c.outcome) {
        // Closed with another outcome already (the failure came after it): the chain stays final.
        return { recorded: true, caseId: c.caseId, digest: c.evidenceHead ?? '', error };
      }
      // A case a decision closed already (risk accepted, rejected) keeps that status; the error is in its outcome.
      const status = (isTerminal(c.status) ? c.status : 'failed') as OutcomeStatus;
      const outcome = await recordOutcome(deps, { caseId: c.caseId, status, error });
      return { recorded: true, caseId: outcome.caseId, digest: outcome.digest, error };
    } catch (e) {
      if (!(e instanceof CaseNotFoundError)) throw e;
    }
  }
  const accountId = input.accountId ?? input.trigger?.accountId;
  if (!accountId) return { recorded: false, reason: 'The workflow input named no account', error };
  const now = deps.clock.now();
  const caseId = newCaseId(accountId, now);
  const recorded = await deps.evidence.record({
    caseId,
    accountId,
    type: 'outcome',
    at: now.toISOString(),
    data: evidenceData('outcome', {
      status: 'failed',
      summary: `The workflow failed before a case was opened for account ${accountId}: ${error.name}: ${error.message}${error.retried ? ` (${error.retried})` : ''}`,
      ...(input.trigger ? { trigger: input.trigger } : {}),
      error,
    }),
  });
  await deps.evidence.writeReport(caseId);
  return { recorded: true, caseId, digest: recorded.digest, error };
}
