import type { Account } from '../core/account';
import { GuardrailRefusedError, describeError } from '../core/errors';
import {
  NEW_POLICY_ID,
  assessGuardrails,
  planApply,
  type ApplyPlan,
  type GuardrailAssessment,
  type OrganizationSnapshot,
} from '../core/guardrails';
import type { OrganizationPort } from '../ports/organization';
import type { OrganizationPoliciesPort } from '../ports/organization-policies';
import type { RootKeyReaderPort } from '../ports/root-key-reader';
import { mapWithConcurrency } from './map-with-concurrency';

export interface GuardrailDeps {
  organization: OrganizationPort;
  reader: RootKeyReaderPort;
  policies: OrganizationPoliciesPort;
  /** Read role for accounts AssumeRoot cannot reach (only used for the key count there). */
  roleName?: string;
  /** Member accounts read at once (default 8). */
  concurrency?: number;
}

/**
 * Reads everything prevention depends on: the SCP structure, the two centralized root access
 * features, and each member account's remaining root credentials (AssumeRoot audit session;
 * reported as unreadable where that path is not available, never guessed).
 */
export async function readOrganizationSnapshot(deps: GuardrailDeps): Promise<OrganizationSnapshot> {
  const [structure, features] = await Promise.all([
    deps.policies.policySnapshot(),
    deps.organization.rootAccessFeatures(),
  ]);
  const members = structure.accounts.filter((a) => !a.isManagement);
  const rootCredentials: NonNullable<OrganizationSnapshot['rootCredentials']> = {};
  await mapWithConcurrency(members, deps.concurrency ?? 8, async (m) => {
    const account: Account = { id: m.id, name: m.name, isManagement: false };
    try {
      const reading = await deps.reader.read(account, {
        useAssumeRoot: features.rootSessions,
        includeRootCredentials: true,
        ...(deps.roleName ? { roleName: deps.roleName } : {}),
      });
      const accessKeys = reading.signals.listedKeys?.length ?? reading.signals.accountAccessKeysPresent;
      rootCredentials[m.id] = {
        ...(reading.signals.rootCredentials ? { credentials: reading.signals.rootCredentials } : {}),
        ...(accessKeys !== undefined ? { accessKeys } : {}),
        ...(reading.signals.rootCredentials
          ? {}
          : { unreadable: 'password, MFA and signing certificates are readable only in an AssumeRoot audit session' }),
      };
    } catch (error) {
      rootCredentials[m.id] = { unreadable: describeError(error).message };
    }
  });
  return { ...structure, features, rootCredentials };
}

/** `rootkey guardrails`: the assessment of the organization as it is now. */
export async function assessOrganization(
  deps: GuardrailDeps,
): Promise<{ snapshot: OrganizationSnapshot; assessment: GuardrailAssessment }> {
  const snapshot = await readOrganizationSnapshot(deps);
  return { snapshot, assessment: assessGuardrails(snapshot) };
}

/** What applying changed, for the CLI, Slack and the evidence. */
export interface AppliedGuardrail {
  policyId: string;
  targetId: string;
  createdPolicy: boolean;
  newlyCovered: string[];
  requestIds: string[];
}

/**
 * Runs an `apply` plan: CreatePolicy (when planned), then AttachPolicy with the id it returned.
 * Never detaches or edits a policy. A refused plan throws GuardrailRefusedError and changes nothing.
 */
export async function executeApplyPlan(
  policies: OrganizationPoliciesPort,
  plan: ApplyPlan,
): Promise<AppliedGuardrail | undefined> {
  if (plan.kind === 'refused') throw new GuardrailRefusedError(plan.refusal, plan.reason);
  if (plan.kind === 'nothing-to-do') return undefined;
  const requestIds: string[] = [];
  let policyId: string | undefined;
  let createdPolicy = false;
  for (const step of plan.steps) {
    if (step.call === 'organizations:CreatePolicy') {
      const created = await policies.createPolicy(step.input);
      policyId = created.policyId;
      createdPolicy = true;
      if (created.requestId) requestIds.push(created.requestId);
    } else {
      const id = step.input.PolicyId === NEW_POLICY_ID ? policyId : step.input.PolicyId;
      if (!id) throw new Error('AttachPolicy planned before the policy exists');
      policyId = id;
      const attached = await policies.attachPolicy(id, step.input.TargetId);
      if (attached.requestId) requestIds.push(attached.requestId);
    }
  }
  return {
    policyId: policyId as string,
    targetId: plan.targetId,
    createdPolicy,
    newlyCovered: plan.newlyCovered,
    requestIds,
  };
}

/** Reads the SCP structure and plans `apply`; the CLI and Slack share it. */
export async function planGuardrail(deps: GuardrailDeps, attachTo?: string): Promise<ApplyPlan> {
  // Coverage needs only the SCP structure: no per-account reads before a change.
  const [structure, features] = await Promise.all([
    deps.policies.policySnapshot(),
    deps.organization.rootAccessFeatures(),
  ]);
  return planApply({ ...structure, features }, attachTo);
}
