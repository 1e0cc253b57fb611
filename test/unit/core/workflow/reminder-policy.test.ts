import { decideOnTimeout } from '../../../../functions/core/reminder-policy';

describe('decideOnTimeout', () => {
  it('walks the ladder: reminder, escalating reminder, then give up', () => {
    const ladder = [0, 1, 2].map((sent) => decideOnTimeout(sent, 2));

    expect(ladder).toEqual([
      { action: 'remind', reminderNumber: 1, escalate: false },
      { action: 'remind', reminderNumber: 2, escalate: true },
      { action: 'give-up', reminders: 2 },
    ]);
  });

  it('escalates the only reminder when one is allowed', () => {
    expect(decideOnTimeout(0, 1)).toEqual({ action: 'remind', reminderNumber: 1, escalate: true });
  });

  it('gives up at the first timeout when no reminder is allowed', () => {
    expect(decideOnTimeout(0, 0)).toEqual({ action: 'give-up', reminders: 0 });
  });
});
