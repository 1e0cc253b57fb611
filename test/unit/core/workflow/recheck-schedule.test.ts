import { recheckScheduleFor } from '../../../../functions/core/recheck-schedule';
import { InvalidInputError } from '../../../../functions/core/errors';

describe('recheckScheduleFor', () => {
  it('schedules a one-time start with source acceptance-expired at the expiry, in UTC', () => {
    const schedule = recheckScheduleFor(
      'RK-333333333333-20261128100000-ab12',
      '333333333333',
      '2027-02-01T09:30:00+01:00',
    );

    expect(schedule).toEqual({
      name: 'rootkey-recheck-RK-333333333333-20261128100000-ab12',
      expression: 'at(2027-02-01T08:30:00)',
      timezone: 'UTC',
      input: {
        source: 'acceptance-expired',
        accountId: '333333333333',
        previousCaseId: 'RK-333333333333-20261128100000-ab12',
      },
    });
  });

  it('rounds a fractional second up so that the check never runs before the expiry', () => {
    const schedule = recheckScheduleFor(
      'RK-333333333333-20261128100000-ab12',
      '333333333333',
      '2027-02-01T08:30:00.250Z',
    );

    expect(schedule.expression).toBe('at(2027-02-01T08:30:01)');
  });

  it('refuses an expiry that is not a date', () => {
    expect(() => recheckScheduleFor('RK-1', '333333333333', 'next year')).toThrow(InvalidInputError);
  });
});
