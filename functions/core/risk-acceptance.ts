import type { Decision } from './case';
import { InvalidInputError } from './errors';

/** An accepted risk never lasts longer than this: a root key must be looked at again at least yearly. */
export const MAX_ACCEPTANCE_DAYS = 365;

const DAY_MS = 86_400_000;

/**
 * Validates a risk acceptance and returns when it ends. The expiry must be a date after the
 * reference time (`now`, or the decision time when `now` is not given) and at most
 * {@link MAX_ACCEPTANCE_DAYS} days after it. When it passes, the workflow checks the account
 * again (a one-time schedule with trigger source `acceptance-expired`).
 *
 * @throws InvalidInputError naming what is wrong; nothing should be changed then.
 */
export function acceptanceExpiry(decision: Pick<Decision, 'action' | 'expiresAt' | 'decidedAt'>, now?: Date): Date {
  if (decision.action !== 'accept-risk') {
    throw new InvalidInputError(`Only an accepted risk has an expiry (the decision was '${decision.action}')`);
  }
  if (!decision.expiresAt) {
    throw new InvalidInputError('An accepted risk needs an expiry date');
  }
  const expiry = new Date(decision.expiresAt);
  if (Number.isNaN(expiry.getTime())) {
    throw new InvalidInputError(`The expiry '${decision.expiresAt}' is not a date`);
  }
  const reference = now ?? new Date(decision.decidedAt);
  if (Number.isNaN(reference.getTime())) {
    throw new InvalidInputError(`The decision time '${decision.decidedAt}' is not a date`);
  }
  if (expiry.getTime() <= reference.getTime()) {
    throw new InvalidInputError(`The expiry ${expiry.toISOString()} is not in the future`);
  }
  if (expiry.getTime() - reference.getTime() > MAX_ACCEPTANCE_DAYS * DAY_MS) {
    throw new InvalidInputError(
      `The expiry ${expiry.toISOString()} is more than ${MAX_ACCEPTANCE_DAYS} days away; accept the risk for at most a year`,
    );
  }
  return expiry;
}
