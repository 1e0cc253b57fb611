import { InvalidInputError } from '../../../functions/core/errors';
import { LocalRecheckScheduler } from '../../../local-runner/local-recheck-scheduler';

const createSchedule = (name: string, at: string, input: unknown) => ({
  Name: name,
  GroupName: 'rootkey-rechecks',
  ScheduleExpression: `at(${at})`,
  ScheduleExpressionTimezone: 'UTC',
  Target: { Arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:x', RoleArn: 'r', Input: JSON.stringify(input) },
});

describe('LocalRecheckScheduler', () => {
  it('records a one-time schedule with its UTC time and the workflow input', () => {
    const scheduler = new LocalRecheckScheduler();
    const input = { source: 'acceptance-expired', accountId: '333333333333', previousCaseId: 'RK-1' };

    const { ScheduleArn } = scheduler.createSchedule(
      createSchedule('rootkey-recheck-RK-1', '2027-01-31T08:30:00', input),
    );

    expect(ScheduleArn).toMatch(/schedule\/rootkey-rechecks\/rootkey-recheck-RK-1$/);
    expect(scheduler.schedules()).toEqual([
      expect.objectContaining({
        name: 'rootkey-recheck-RK-1',
        at: new Date('2027-01-31T08:30:00Z'),
        input,
        fired: false,
      }),
    ]);
  });

  it('starts the workflow when a schedule is due', async () => {
    const due: unknown[] = [];
    const scheduler = new LocalRecheckScheduler({ onDue: (input) => due.push(input) });

    scheduler.createSchedule(createSchedule('past', '2020-01-01T00:00:00', { accountId: '333333333333' }));
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(due).toEqual([{ accountId: '333333333333' }]);
    expect(scheduler.schedules()[0]?.fired).toBe(true);
    scheduler.dispose();
  });

  it('refuses a second schedule with the same name, as EventBridge Scheduler does', () => {
    const scheduler = new LocalRecheckScheduler();
    scheduler.createSchedule(createSchedule('same', '2027-01-01T00:00:00', {}));

    expect(() => scheduler.createSchedule(createSchedule('same', '2027-01-01T00:00:00', {}))).toThrow(
      expect.objectContaining({ name: 'Scheduler.ConflictException' }),
    );
  });

  it('refuses a recurring expression', () => {
    const scheduler = new LocalRecheckScheduler();

    expect(() => scheduler.createSchedule({ Name: 'x', ScheduleExpression: 'rate(1 day)' })).toThrow(InvalidInputError);
  });
});
