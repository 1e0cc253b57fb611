import {
  decidePreventionOffer,
  evaluatePreventionVote,
  type GuardrailOffer,
} from '../../../functions/core/guardrail-offer';
import type { AccountGuardrail } from '../../../functions/core/guardrails';
import { caseFixture } from '../../support/workflow/case-fixture';

const member = (covered: boolean, hasRootCredentials: boolean): AccountGuardrail => ({
  accountId: '333333333333',
  name: 'payments-prod',
  type: 'member',
  path: ['r-sim0'],
  coverage: covered ? { covered: true, how: 'no-allow', targetId: 'r-sim0' } : { covered: false, reason: 'none' },
  hasRootCredentials,
});
const on = { rootCredentialsManagement: true, rootSessions: true };
const context = { scpsEnabled: true, features: on, canDeleteCredentials: true };
const offer: GuardrailOffer = {
  offeredAt: '2026-11-28T11:00:00.000Z',
  actions: ['attach-scp'],
  targetId: 'r-sim0',
  votes: [],
  status: 'offered',
};

describe('decidePreventionOffer', () => {
  it('offers both actions for an uncovered member with remaining root credentials', () => {
    expect(decidePreventionOffer(caseFixture({ status: 'remediated' }), member(false, true), context)).toEqual([
      'attach-scp',
      'delete-root-credentials',
    ]);
  });

  it('offers nothing unless the case ended remediated, nor for the management account', () => {
    expect(decidePreventionOffer(caseFixture({ status: 'risk-accepted' }), member(false, true), context)).toEqual([]);
    expect(
      decidePreventionOffer(
        caseFixture({ status: 'remediated' }),
        { ...member(false, true), type: 'management' },
        context,
      ),
    ).toEqual([]);
  });

  it('leaves out the SCP when SCPs are disabled or the account is covered, and deletion when a feature is off', () => {
    expect(
      decidePreventionOffer(caseFixture({ status: 'remediated' }), member(false, true), {
        ...context,
        scpsEnabled: false,
      }),
    ).toEqual(['delete-root-credentials']);
    expect(
      decidePreventionOffer(caseFixture({ status: 'remediated' }), member(true, true), {
        ...context,
        features: { ...on, rootSessions: false },
      }),
    ).toEqual([]);
  });
});

describe('evaluatePreventionVote', () => {
  const approvers = new Set(['U0ALICE', 'U0BOB']);
  const vote = (userId: string) => ({ userId, at: '2026-11-28T11:05:00.000Z' });

  it('refuses non-approvers, missing offers, second votes by the same person, and decided offers', () => {
    expect(evaluatePreventionVote(caseFixture({ guardrail: offer }), vote('U0MALLORY'), approvers)).toEqual({
      kind: 'refused',
      refusal: 'not-approver',
    });
    expect(evaluatePreventionVote(caseFixture(), vote('U0ALICE'), approvers)).toEqual({
      kind: 'refused',
      refusal: 'not-offered',
    });
    const voted = caseFixture({ requiredApprovals: 2, guardrail: { ...offer, votes: [vote('U0ALICE')] } });
    expect(evaluatePreventionVote(voted, vote('U0ALICE'), approvers)).toEqual({
      kind: 'refused',
      refusal: 'duplicate-vote',
    });
    expect(
      evaluatePreventionVote(caseFixture({ guardrail: { ...offer, status: 'applied' } }), vote('U0BOB'), approvers),
    ).toEqual({ kind: 'refused', refusal: 'already-decided' });
  });

  it('needs requiredApprovals distinct approvers (four-eyes)', () => {
    const c = caseFixture({ requiredApprovals: 2, guardrail: offer });
    expect(evaluatePreventionVote(c, vote('U0ALICE'), approvers)).toMatchObject({
      kind: 'recorded',
      agreeing: 1,
      required: 2,
    });
    const second = caseFixture({ requiredApprovals: 2, guardrail: { ...offer, votes: [vote('U0ALICE')] } });
    expect(evaluatePreventionVote(second, vote('U0BOB'), approvers)).toMatchObject({ kind: 'approved' });
  });
});
