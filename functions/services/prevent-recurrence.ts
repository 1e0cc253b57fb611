import type { Case } from '../core/case';
import { ConcurrentUpdateError, GuardrailRefusedError, describeError } from '../core/errors';
import {
  evaluatePreventionVote,
  decidePreventionOffer,
  type GuardrailOffer,
  type PreventionRefusal,
  type PreventionVote,
} from '../core/guardrail-offer';
import { ROOTKEY_SCP_NAME, assessGuardrails, planApply } from '../core/guardrails';
import type { ApproverDirectory } from '../ports/approver-directory';
import type { OrganizationPoliciesPort } from '../ports/organization-policies';
import type { RootCredentialsRemoverPort } from '../ports/root-credentials-remover';
import { recordCaseEvidence } from './case-evidence';
import type { Deps } from './dependencies';
import { executeApplyPlan } from './guardrails';

/** What prevention needs besides the case store, evidence and clock. */
export interface PreventionDeps extends Pick<Deps, 'cases' | 'evidence' | 'clock' | 'organization' | 'reader'> {
  policies: OrganizationPoliciesPort;
  /** Deletes remaining root credentials; without it (and without the flag below) that action is never offered. */
  credentialsRemover?: RootCredentialsRemoverPort;
  /**
   * The deletion runs elsewhere (in AWS: the Prevention state machine's function, which alone may
   * call AssumeRoot with IAMDeleteRootUserCredentials), so it may be offered without a remover here.
   */
  credentialDeletionAvailable?: boolean;
  roleName?: string;
}

/** What recording a vote needs: the case, its evidence, the time. No Organizations access at all. */
export type PreventionVoteDeps = Pick<Deps, 'cases' | 'evidence' | 'clock'>;

const MAX_ATTEMPTS = 30;

/**
 * After a case ends remediated: checks whether the account can create a root key again (SCP
 * coverage) and whether root credentials remain, and if so stores a "Prevent recurrence…" offer on
 * the case and records it as `guardrail` evidence. Returns the case with its offer, or undefined
 * when nothing is offered. Reads only this account: the SCP structure, the features, its credentials.
 */
export async function offerPrevention(deps: PreventionDeps, caseId: string): Promise<Case | undefined> {
  const c = await deps.cases.get(caseId);
  if (c.status !== 'remediated' || c.guardrail) return undefined;
  const [structure, features] = await Promise.all([
    deps.policies.policySnapshot(),
    deps.organization.rootAccessFeatures(),
  ]);
  const self = structure.accounts.find((a) => a.id === c.accountId);
  if (!self || self.isManagement) return undefined;
  let credentials: { credentials?: NonNullable<Case['posture']['signals']['rootCredentials']>; accessKeys?: number } =
    {};
  try {
    const reading = await deps.reader.read(
      { id: self.id, name: self.name, isManagement: false },
      {
        useAssumeRoot: features.rootSessions,
        includeRootCredentials: true,
        ...(deps.roleName ? { roleName: deps.roleName } : {}),
      },
    );
    credentials = {
      ...(reading.signals.rootCredentials ? { credentials: reading.signals.rootCredentials } : {}),
      accessKeys: reading.signals.listedKeys?.length ?? reading.signals.accountAccessKeysPresent ?? 0,
    };
  } catch {
    // Unreadable credentials only mean "delete-root-credentials" is not offered; SCP coverage still is.
  }
  const snapshot = { ...structure, features, rootCredentials: { [self.id]: credentials } };
  const account = assessGuardrails(snapshot).accounts.find((a) => a.accountId === self.id);
  let actions = decidePreventionOffer(c, account, {
    scpsEnabled: structure.scpsEnabled,
    features,
    canDeleteCredentials: deps.credentialsRemover !== undefined || deps.credentialDeletionAvailable === true,
  });
  // The SCP goes to the account's parent (its OU, or the root): it covers this account and its siblings.
  const plan = actions.includes('attach-scp') ? planApply(snapshot, self.parentId) : undefined;
  if (plan && plan.kind !== 'apply') actions = actions.filter((a) => a !== 'attach-scp');
  if (actions.length === 0) return undefined;
  const offer: GuardrailOffer = {
    offeredAt: deps.clock.now().toISOString(),
    actions,
    ...(plan?.kind === 'apply' ? { targetId: plan.targetId, newlyCovered: plan.newlyCovered } : {}),
    votes: [],
    status: 'offered',
  };
  const offered = await updateGuardrail(deps, caseId, (current) => (current.guardrail ? undefined : offer));
  if (!offered) return undefined;
  await recordCaseEvidence(deps, offered, 'guardrail', {
    event: 'offered',
    actions,
    ...(offer.targetId ? { targetId: offer.targetId, newlyCovered: offer.newlyCovered } : {}),
  });
  return deps.cases.get(caseId);
}

export type PreventionVoteResult =
  | { status: 'refused'; case: Case; refusal: PreventionRefusal }
  | { status: 'recorded'; case: Case; agreeing: number; required: number }
  | { status: 'applied' | 'failed'; case: Case };

/** A vote as recorded: refused, counted, or the one that approved the offer (now `applying`). */
export type RecordedPreventionVote =
  Exclude<PreventionVoteResult, { status: 'applied' | 'failed' }> | { status: 'approved'; case: Case };

/**
 * One approver's click on "Prevent recurrence…". When enough distinct approvers agreed, exactly
 * one click (version-checked) applies the offer: attaches rootkey's SCP and/or deletes the remaining
 * root credentials, records what changed as `guardrail` evidence and stores it on the case.
 * A failure is recorded and reported; it never changes how the case ended. This is the inline path
 * (sandbox, `rootkey serve`); in AWS the Slack function only records the vote
 * ({@link recordPreventionVote}) and the Prevention state machine applies ({@link applyApprovedPrevention}).
 */
export async function votePrevention(
  deps: PreventionDeps,
  approvers: ApproverDirectory,
  input: { caseId: string; userId: string; userName?: string },
): Promise<PreventionVoteResult> {
  const vote = await recordPreventionVote(deps, approvers, input);
  return vote.status === 'approved' ? applyOffer(deps, vote.case) : vote;
}

/**
 * Records one approver's vote (four-eyes honoured, version-checked): refused, counted, or — for
 * exactly one click — approved, which moves the offer to `applying`. Changes nothing in AWS.
 */
export async function recordPreventionVote(
  deps: PreventionVoteDeps,
  approvers: ApproverDirectory,
  input: { caseId: string; userId: string; userName?: string },
): Promise<RecordedPreventionVote> {
  const approverIds = await approvers.approverIds();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const before = await deps.cases.get(input.caseId);
    const vote: PreventionVote = {
      userId: input.userId,
      ...(input.userName ? { userName: input.userName } : {}),
      at: deps.clock.now().toISOString(),
    };
    const evaluation = evaluatePreventionVote(before, vote, approverIds);
    if (evaluation.kind === 'refused') return { status: 'refused', case: before, refusal: evaluation.refusal };
    let claimed: Case;
    try {
      claimed = await deps.cases.update(before.caseId, before.version, (current) => ({
        ...current,
        guardrail: {
          ...(current.guardrail as GuardrailOffer),
          votes: evaluation.votes,
          ...(evaluation.kind === 'approved' ? { status: 'applying' as const, decidedAt: vote.at } : {}),
        },
      }));
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) continue;
      throw error;
    }
    await recordCaseEvidence(deps, claimed, 'guardrail', {
      event: evaluation.kind === 'approved' ? 'approved' : 'vote-recorded',
      approvers: evaluation.votes.map((v) => ({ userId: v.userId, ...(v.userName ? { userName: v.userName } : {}) })),
    });
    if (evaluation.kind === 'recorded') {
      return { status: 'recorded', case: claimed, agreeing: evaluation.agreeing, required: evaluation.required };
    }
    return { status: 'approved', case: claimed };
  }
  throw new ConcurrentUpdateError(input.caseId);
}

/** The applied (or failed) offer, or `unchanged` when the offer was not waiting to be applied. */
export type AppliedPrevention = { status: 'applied' | 'failed'; case: Case } | { status: 'unchanged'; case: Case };

/**
 * Applies an offer that approvers approved (`applying`): the Prevention state machine's task.
 * Errors that `isTransient` accepts are thrown unrecorded, so that the state machine retries them
 * (re-planned on the current state: a policy created before the fault is found by its tag and only
 * attached); every other failure is recorded as evidence and returned as `failed`. A second run
 * on an offer that is no longer `applying` changes nothing.
 */
export async function applyApprovedPrevention(
  deps: PreventionDeps,
  caseId: string,
  isTransient: (error: unknown) => boolean = () => false,
): Promise<AppliedPrevention> {
  const c = await deps.cases.get(caseId);
  if (c.guardrail?.status !== 'applying') return { status: 'unchanged', case: c };
  return applyOffer(deps, c, isTransient);
}

/**
 * Records that applying failed after the state machine gave up (retries spent, or a failure the
 * task could not record itself): the offer becomes `failed` with the error, as `guardrail` evidence.
 */
export async function recordPreventionFailure(
  deps: PreventionVoteDeps,
  caseId: string,
  error: { name: string; message: string },
): Promise<Case> {
  const c = await deps.cases.get(caseId);
  if (c.guardrail?.status !== 'applying') return c;
  const done = await updateGuardrail(deps, caseId, (current) =>
    current.guardrail?.status === 'applying'
      ? { ...current.guardrail, status: 'failed', result: [`Failed: ${error.name}: ${error.message}`] }
      : undefined,
  );
  await recordCaseEvidence(deps, c, 'guardrail', {
    event: 'failed',
    actions: c.guardrail.actions,
    ...(c.guardrail.targetId ? { targetId: c.guardrail.targetId } : {}),
    changes: [],
    requestIds: [],
    error,
  });
  return done ?? (await deps.cases.get(caseId));
}

async function applyOffer(
  deps: PreventionDeps,
  c: Case,
  isTransient: (error: unknown) => boolean = () => false,
): Promise<{ status: 'applied' | 'failed'; case: Case }> {
  const offer = c.guardrail as GuardrailOffer;
  const changes: string[] = [];
  const requestIds: string[] = [];
  let policyId: string | undefined;
  let failure: { name: string; message: string } | undefined;
  try {
    if (offer.actions.includes('attach-scp') && offer.targetId) {
      // Planned again on the current state: someone may have attached an equivalent policy meanwhile.
      const [structure, features] = await Promise.all([
        deps.policies.policySnapshot(),
        deps.organization.rootAccessFeatures(),
      ]);
      const plan = planApply({ ...structure, features }, offer.targetId);
      if (plan.kind === 'refused') throw new GuardrailRefusedError(plan.refusal, plan.reason);
      const applied = await executeApplyPlan(deps.policies, plan);
      if (applied) {
        policyId = applied.policyId;
        requestIds.push(...applied.requestIds);
        changes.push(
          `${applied.createdPolicy ? 'Created and attached' : 'Attached'} SCP ${ROOTKEY_SCP_NAME} (${applied.policyId}) to ${applied.targetId}: ${applied.newlyCovered.length} member account(s) can no longer create a root access key (${applied.newlyCovered.join(', ')}). Roll back by detaching it.`,
        );
      } else {
        changes.push(`No SCP change needed: ${plan.kind === 'nothing-to-do' ? plan.reason : ''}`.trim());
      }
    }
    if (offer.actions.includes('delete-root-credentials') && deps.credentialsRemover) {
      const { deleted, requestIds: ids } = await deps.credentialsRemover.deleteRootCredentials(c.accountId);
      requestIds.push(...ids);
      changes.push(
        `Deleted the remaining root credentials of ${c.accountId}: ${deleted.password ? 'console password, ' : ''}${deleted.mfaDevices} MFA device(s), ${deleted.signingCertificates} signing certificate(s).`,
      );
    }
  } catch (error) {
    if (isTransient(error)) throw error;
    failure = describeError(error);
  }
  const status = failure ? ('failed' as const) : ('applied' as const);
  const result = failure ? [...changes, `Failed: ${failure.name}: ${failure.message}`] : changes;
  const done = await updateGuardrail(deps, c.caseId, (current) => ({
    ...(current.guardrail as GuardrailOffer),
    status,
    result,
  }));
  await recordCaseEvidence(deps, c, 'guardrail', {
    event: status,
    actions: offer.actions,
    ...(offer.targetId ? { targetId: offer.targetId } : {}),
    ...(policyId ? { policyId } : {}),
    ...(offer.newlyCovered ? { newlyCovered: offer.newlyCovered } : {}),
    changes,
    requestIds,
    ...(failure ? { error: failure } : {}),
  });
  return { status, case: done ?? (await deps.cases.get(c.caseId)) };
}

/** Sets `case.guardrail` with optimistic concurrency; `change` returning undefined means "leave it". */
async function updateGuardrail(
  deps: Pick<Deps, 'cases'>,
  caseId: string,
  change: (c: Case) => GuardrailOffer | undefined,
): Promise<Case | undefined> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await deps.cases.get(caseId);
    const next = change(current);
    if (!next) return undefined;
    try {
      return await deps.cases.update(caseId, current.version, (c) => ({ ...c, guardrail: next }));
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
  throw new ConcurrentUpdateError(caseId);
}
