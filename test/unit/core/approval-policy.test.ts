import {
  applyVote,
  evaluateVote,
  expireAfterLateDecision,
  expiryFromDate,
  isAuthorizedApprover,
  readExceptionForm,
  validateException,
} from '../../../functions/core/approval-policy';
import type { ApprovalVote, Case } from '../../../functions/core/case';
import { awaitingCase, NOW } from '../../support/slack/case-fixture';

const APPROVERS = new Set(['U0ALICE', 'U0BOB', 'U0CAROL']);
const ctx = { approverIds: APPROVERS, now: NOW };
const DAY = 86_400_000;
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();

function vote(userId: string, action: ApprovalVote['action'], extra: Partial<ApprovalVote> = {}): ApprovalVote {
  return { userId, action, at: NOW.toISOString(), ...extra };
}

describe('isAuthorizedApprover', () => {
  it('authorizes exactly the users in the approver set', () => {
    expect(isAuthorizedApprover('U0ALICE', APPROVERS)).toBe(true);
    expect(isAuthorizedApprover('U0MALLORY', APPROVERS)).toBe(false);
  });

  it('authorizes nobody when the approver set is empty', () => {
    expect(isAuthorizedApprover('U0ALICE', new Set())).toBe(false);
    expect(isAuthorizedApprover('', new Set(['']))).toBe(false);
  });
});

describe('evaluateVote', () => {
  it('lets a single approver decide when one approval is required', () => {
    // Prepare
    const c = awaitingCase();
    // Act
    const result = evaluateVote(c, vote('U0ALICE', 'delete', { userName: 'alice' }), ctx);
    // Assess
    expect(result).toMatchObject({
      kind: 'decided',
      decision: {
        action: 'delete',
        decidedAt: NOW.toISOString(),
        approvedKeys: ['AKIA************MPLE'],
        approvers: [{ userId: 'U0ALICE', userName: 'alice', action: 'delete' }],
      },
    });
  });

  it('refuses a user outside the approvers before looking at anything else', () => {
    const decided = applyDecided(awaitingCase());
    expect(evaluateVote(decided, vote('U0MALLORY', 'delete'), ctx)).toEqual({
      kind: 'refused',
      refusal: { code: 'not-approver' },
    });
  });

  it('answers a second click with who already decided', () => {
    const decided = applyDecided(awaitingCase());
    const result = evaluateVote(decided, vote('U0BOB', 'reject', { reason: 'x', expiresAt: inDays(3) }), ctx);
    expect(result).toMatchObject({
      kind: 'refused',
      refusal: { code: 'already-decided', decision: { action: 'delete', approvers: [{ userId: 'U0ALICE' }] } },
    });
  });

  it('answers a click on an expired request with when it expired', () => {
    const c: Case = { ...awaitingCase({ token: null }), status: 'expired', closedAt: '2026-06-01T11:30:00.000Z' };
    expect(evaluateVote(c, vote('U0ALICE', 'runbook'), ctx)).toEqual({
      kind: 'refused',
      refusal: { code: 'expired', at: '2026-06-01T11:30:00.000Z' },
    });
  });

  it('takes a vote between two waits (a timed-out wait cleared its token; the reminder waits next)', () => {
    const c = awaitingCase({ token: null });
    expect(evaluateVote(c, vote('U0ALICE', 'runbook'), ctx)).toMatchObject({
      kind: 'decided',
      decision: { action: 'runbook' },
    });
  });

  it('refuses a vote once the last wait timed out and the request expires', () => {
    const base = awaitingCase({ token: null });
    const c: Case = { ...base, approval: { ...base.approval!, expiredAt: '2026-06-01T11:30:00.000Z' } };
    expect(evaluateVote(c, vote('U0ALICE', 'runbook'), ctx)).toEqual({
      kind: 'refused',
      refusal: { code: 'expired', at: '2026-06-01T11:30:00.000Z' },
    });
  });

  it('refuses a vote while a runbook step, not an approval, waits', () => {
    const c: Case = { ...awaitingCase(), pendingTask: { kind: 'runbook-step', token: 't', since: NOW.toISOString() } };
    expect(evaluateVote(c, vote('U0ALICE', 'runbook'), ctx)).toEqual({
      kind: 'refused',
      refusal: { code: 'not-waiting', status: 'awaiting-approval' },
    });
  });

  it('refuses automated deletion where AssumeRoot deletion is not available', () => {
    const c = awaitingCase({ management: true });
    expect(evaluateVote(c, vote('U0ALICE', 'delete'), ctx)).toEqual({
      kind: 'refused',
      refusal: { code: 'delete-unavailable' },
    });
    expect(evaluateVote(c, vote('U0ALICE', 'runbook'), ctx).kind).toBe('decided');
  });

  it('needs a reason and a future expiry to accept the risk', () => {
    const c = awaitingCase();
    const noReason = evaluateVote(c, vote('U0ALICE', 'accept-risk', { reason: '  ', expiresAt: inDays(30) }), ctx);
    const past = evaluateVote(
      c,
      vote('U0ALICE', 'accept-risk', { reason: 'legacy batch job', expiresAt: inDays(-1) }),
      ctx,
    );
    const ok = evaluateVote(
      c,
      vote('U0ALICE', 'accept-risk', { reason: ' legacy batch job ', expiresAt: inDays(30) }),
      ctx,
    );
    expect(noReason).toMatchObject({
      kind: 'refused',
      refusal: { code: 'invalid-exception', errors: { reason: expect.any(String) } },
    });
    expect(past).toMatchObject({
      kind: 'refused',
      refusal: { code: 'invalid-exception', errors: { expiresAt: expect.any(String) } },
    });
    expect(ok).toMatchObject({
      kind: 'decided',
      decision: { action: 'accept-risk', reason: 'legacy batch job', expiresAt: inDays(30) },
    });
  });

  describe('four-eyes (two distinct approvers)', () => {
    const c = awaitingCase({ requiredApprovals: 2 });

    it('records the first vote without deciding', () => {
      expect(evaluateVote(c, vote('U0ALICE', 'delete'), ctx)).toMatchObject({
        kind: 'recorded',
        agreeing: 1,
        required: 2,
      });
    });

    it('decides when a second, different approver agrees', () => {
      // Prepare
      const first = evaluateVote(c, vote('U0ALICE', 'delete'), ctx);
      if (first.kind === 'refused') throw new Error('first vote refused');
      const afterFirst = applyVote(c, first, NOW);
      // Act
      const second = evaluateVote(afterFirst, vote('U0BOB', 'delete'), ctx);
      // Assess
      expect(second).toMatchObject({ kind: 'decided', decision: { action: 'delete' } });
      if (second.kind !== 'decided') return;
      expect(second.decision.approvers.map((a) => a.userId)).toEqual(['U0ALICE', 'U0BOB']);
    });

    it('does not count the same approver twice', () => {
      const first = evaluateVote(c, vote('U0ALICE', 'delete'), ctx);
      if (first.kind === 'refused') throw new Error('first vote refused');
      const afterFirst = applyVote(c, first, NOW);
      expect(evaluateVote(afterFirst, vote('U0ALICE', 'delete'), ctx)).toMatchObject({
        kind: 'refused',
        refusal: { code: 'already-voted', vote: { userId: 'U0ALICE', action: 'delete' } },
      });
    });

    it('lets an approver change their vote until the case is decided, so a split vote can be resolved', () => {
      const alice = evaluateVote(c, vote('U0ALICE', 'delete'), ctx);
      if (alice.kind === 'refused') throw new Error('alice refused');
      const bob = evaluateVote(applyVote(c, alice, NOW), vote('U0BOB', 'runbook'), ctx);
      if (bob.kind === 'refused') throw new Error('bob refused');
      const split = applyVote(applyVote(c, alice, NOW), bob, NOW);

      const changed = evaluateVote(split, vote('U0BOB', 'delete'), ctx);

      expect(changed).toMatchObject({
        kind: 'decided',
        decision: { action: 'delete' },
        changedFrom: { userId: 'U0BOB', action: 'runbook' },
      });
      if (changed.kind === 'refused') return;
      expect(changed.votes.map((v) => [v.userId, v.action])).toEqual([
        ['U0ALICE', 'delete'],
        ['U0BOB', 'delete'],
      ]);
    });

    it('refuses a replayed click, so that it cannot undo a later change of vote', () => {
      const first = evaluateVote(c, vote('U0ALICE', 'delete'), { ...ctx, clickId: 'U0ALICE:1.1' });
      if (first.kind === 'refused') throw new Error('first vote refused');
      const afterFirst = applyVote(c, first, NOW, 'U0ALICE:1.1');
      const change = evaluateVote(afterFirst, vote('U0ALICE', 'runbook'), { ...ctx, clickId: 'U0ALICE:2.2' });
      if (change.kind === 'refused') throw new Error('change refused');
      const afterChange = applyVote(afterFirst, change, NOW, 'U0ALICE:2.2');

      const replay = evaluateVote(afterChange, vote('U0ALICE', 'delete'), { ...ctx, clickId: 'U0ALICE:1.1' });

      expect(replay).toEqual({ kind: 'refused', refusal: { code: 'replayed' } });
      expect(afterChange.approval?.votes.map((v) => v.action)).toEqual(['runbook']);
    });

    it('asks again for an exception vote whose expiry passed before the second approver agreed', () => {
      const first = evaluateVote(c, vote('U0ALICE', 'accept-risk', { reason: 'batch job', expiresAt: inDays(2) }), ctx);
      if (first.kind === 'refused') throw new Error('first vote refused');
      const later = new Date(NOW.getTime() + 3 * DAY);

      const second = evaluateVote(
        applyVote(c, first, NOW),
        vote('U0BOB', 'accept-risk', { reason: 'owner migrating', expiresAt: inDays(30) }),
        { ...ctx, now: later },
      );

      expect(second).toMatchObject({
        kind: 'recorded',
        agreeing: 1,
        required: 2,
        lapsed: [{ userId: 'U0ALICE', expiresAt: inDays(2) }],
      });
      if (second.kind === 'refused') return;
      expect(second.votes.map((v) => v.userId)).toEqual(['U0BOB']);
    });

    it('does not decide while the approvers disagree', () => {
      const first = evaluateVote(c, vote('U0ALICE', 'delete'), ctx);
      if (first.kind === 'refused') throw new Error('first vote refused');
      const second = evaluateVote(applyVote(c, first, NOW), vote('U0BOB', 'runbook'), ctx);
      expect(second).toMatchObject({ kind: 'recorded', agreeing: 1, required: 2 });
    });

    it('takes the earliest expiry and keeps every reason when approvers accept the risk together', () => {
      const first = evaluateVote(
        c,
        vote('U0ALICE', 'accept-risk', { userName: 'alice', reason: 'batch job', expiresAt: inDays(90) }),
        ctx,
      );
      if (first.kind === 'refused') throw new Error('first vote refused');
      const second = evaluateVote(
        applyVote(c, first, NOW),
        vote('U0BOB', 'accept-risk', { userName: 'bob', reason: 'owner migrating', expiresAt: inDays(30) }),
        ctx,
      );
      expect(second).toMatchObject({
        kind: 'decided',
        decision: { expiresAt: inDays(30), reason: 'alice: batch job\nbob: owner migrating' },
      });
    });
  });
});

describe('applyVote', () => {
  it('stores the decision and clears the pending task without touching the status', () => {
    const c = awaitingCase();
    const evaluation = evaluateVote(c, vote('U0ALICE', 'runbook'), ctx);
    if (evaluation.kind === 'refused') throw new Error('refused');
    const next = applyVote(c, evaluation, NOW);
    expect(next.decision?.action).toBe('runbook');
    expect(next.pendingTask).toBeUndefined();
    expect(next.status).toBe('awaiting-approval');
    expect(next.approval?.votes).toHaveLength(1);
  });

  it('keeps the pending task while more votes are needed', () => {
    const c = awaitingCase({ requiredApprovals: 2 });
    const evaluation = evaluateVote(c, vote('U0ALICE', 'runbook'), ctx);
    if (evaluation.kind === 'refused') throw new Error('refused');
    const next = applyVote(c, evaluation, NOW);
    expect(next.decision).toBeUndefined();
    expect(next.pendingTask?.token).toBe(c.pendingTask?.token);
  });
});

describe('expireAfterLateDecision', () => {
  it('closes the case as expired, drops the undelivered decision and says who was too late', () => {
    const decided = applyDecided(awaitingCase());
    const expired = expireAfterLateDecision(decided, decided.decision!, NOW);
    expect(expired).toMatchObject({ status: 'expired', closedAt: NOW.toISOString(), outcome: { status: 'expired' } });
    expect(expired.decision).toBeUndefined();
    expect(expired.outcome?.summary).toContain('alice');
  });
});

describe('exception form', () => {
  it('turns a datepicker date into the start of that day in UTC and refuses impossible dates', () => {
    expect(expiryFromDate('2026-07-01')).toBe('2026-07-01T00:00:00.000Z');
    expect(expiryFromDate('2026-02-30')).toBeUndefined();
    expect(expiryFromDate('01/07/2026')).toBeUndefined();
  });

  it('accepts an expiry up to 365 days ahead and refuses one beyond', () => {
    expect(validateException({ action: 'accept-risk', reason: 'r', expiresAt: inDays(365) }, NOW)).toEqual({});
    expect(validateException({ action: 'accept-risk', reason: 'r', expiresAt: inDays(366) }, NOW).expiresAt).toMatch(
      /365 days/,
    );
  });

  it('requires an expiry to accept the risk but not to reject the removal', () => {
    expect(validateException({ action: 'accept-risk', reason: 'r' }, NOW).expiresAt).toBeDefined();
    expect(validateException({ action: 'reject', reason: 'r' }, NOW)).toEqual({});
  });

  it('reports every field problem of the modal at once', () => {
    const read = readExceptionForm({ action: 'accept-risk', reason: '', date: '2026-13-01' }, NOW);
    expect(read.errors).toEqual({ reason: expect.any(String), expiresAt: 'That is not a valid date.' });
  });

  it('refuses today as an expiry because the exception would already be over', () => {
    const read = readExceptionForm({ action: 'accept-risk', reason: 'r', date: '2026-06-01' }, NOW);
    expect(read.errors.expiresAt).toBe('Choose a date in the future.');
  });
});

function applyDecided(c: Case): Case {
  const evaluation = evaluateVote(c, vote('U0ALICE', 'delete', { userName: 'alice' }), ctx);
  if (evaluation.kind !== 'decided') throw new Error('expected a decision');
  return applyVote(c, evaluation, NOW);
}
