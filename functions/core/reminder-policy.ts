/** What to do when a task waiting for people (approval, runbook step) times out. */
export type TimeoutAction =
  { action: 'remind'; reminderNumber: number; escalate: boolean } | { action: 'give-up'; reminders: number };

/**
 * Decides the next move after a waiting task timed out: remind (the last reminder escalates) until
 * `maxReminders` reminders were sent, then give up (an approval expires; a runbook is abandoned).
 * With `maxReminders` 0 the first timeout gives up. Pure so that the whole ladder is unit-tested.
 */
export function decideOnTimeout(remindersSent: number, maxReminders: number): TimeoutAction {
  const sent = Math.max(0, Math.floor(remindersSent));
  const max = Math.max(0, Math.floor(maxReminders));
  if (sent >= max) return { action: 'give-up', reminders: sent };
  const reminderNumber = sent + 1;
  return { action: 'remind', reminderNumber, escalate: reminderNumber === max };
}
