import { InvalidInputError } from './errors';

/** A one-time EventBridge Scheduler schedule that starts the workflow again when an exception ends. */
export interface RecheckSchedule {
  /** Unique per case, 1..64 characters of `[0-9a-zA-Z-_.]`. */
  name: string;
  /** `at(yyyy-mm-ddThh:mm:ss)`, evaluated in `timezone`. */
  expression: string;
  timezone: 'UTC';
  /** The workflow input the schedule delivers: a direct start with source `acceptance-expired`. */
  input: { source: 'acceptance-expired'; accountId: string; previousCaseId: string };
}

/**
 * Builds the re-check schedule for a case whose risk was accepted (or whose remediation was
 * rejected) until `expiresAt`. EventBridge Scheduler's one-time expression takes whole seconds and
 * no zone suffix, so the expiry is rendered in UTC and rounded up to the next second (never early).
 */
export function recheckScheduleFor(caseId: string, accountId: string, expiresAt: string): RecheckSchedule {
  const at = new Date(expiresAt);
  if (Number.isNaN(at.getTime())) throw new InvalidInputError(`The expiry '${expiresAt}' is not a date`);
  const rounded = new Date(Math.ceil(at.getTime() / 1000) * 1000);
  const name = `rootkey-recheck-${caseId}`.replace(/[^0-9a-zA-Z\-_.]/g, '-').slice(0, 64);
  return {
    name,
    expression: `at(${rounded.toISOString().slice(0, 19)})`,
    timezone: 'UTC',
    input: { source: 'acceptance-expired', accountId, previousCaseId: caseId },
  };
}
