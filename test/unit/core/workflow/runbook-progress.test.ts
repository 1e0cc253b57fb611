import { confirmRunbookStep, nextRunbookStep } from '../../../../functions/core/runbook-progress';

const runbook = { variant: 'root-sign-in', steps: [{ id: 'sign-in' }, { id: 'deactivate' }, { id: 'delete' }] };

describe('runbook progress', () => {
  it('starts with the first step and moves through them in order', () => {
    const first = confirmRunbookStep(runbook, undefined, { stepId: 'sign-in', by: 'U1', at: '2026-11-28T10:00:00Z' });

    expect(nextRunbookStep(runbook, undefined)).toBe('sign-in');
    expect(first).toMatchObject({ accepted: true, next: 'deactivate' });
    expect(first.accepted && first.progress.completed).toEqual([
      { stepId: 'sign-in', by: 'U1', at: '2026-11-28T10:00:00Z' },
    ]);
  });

  it('answers no next step once the last one is confirmed', () => {
    const progress = {
      variant: 'root-sign-in',
      completed: [
        { stepId: 'sign-in', by: 'U1', at: 't1' },
        { stepId: 'deactivate', by: 'U1', at: 't2' },
      ],
    };

    const last = confirmRunbookStep(runbook, progress, { stepId: 'delete', by: 'U2', at: 't3' });

    expect(last).toMatchObject({ accepted: true, next: undefined });
  });

  it('refuses a step out of order and keeps waiting for the expected one', () => {
    const skipped = confirmRunbookStep(runbook, undefined, { stepId: 'delete', by: 'U1', at: 't1' });

    expect(skipped).toEqual({
      accepted: false,
      reason: 'Step delete cannot be confirmed now: the runbook waits for step sign-in',
      next: 'sign-in',
    });
  });

  it('refuses a step that is not part of the runbook', () => {
    const unknown = confirmRunbookStep(runbook, undefined, { stepId: 'open-iam-users', by: 'U1', at: 't1' });

    expect(unknown.accepted).toBe(false);
  });
});
