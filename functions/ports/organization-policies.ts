import type { ApplyStep, ScpStructure } from '../core/guardrails';

/** The organization's structure and service control policies, without features or credentials. */
export type PolicySnapshot = ScpStructure;

type CreatePolicyInput = Extract<ApplyStep, { call: 'organizations:CreatePolicy' }>['input'];

/**
 * AWS Organizations' service control policies, as rootkey's prevention needs them. Callable from
 * the management account or an Organizations delegated administrator for policy management.
 * Throws AccessDeniedError when the caller may not read or manage policies, GuardrailRefusedError
 * for quota and policy-type refusals, TransientAwsError for throttling.
 */
export interface OrganizationPoliciesPort {
  /** Root, OUs, accounts with their parents, every attached SCP's content, rootkey's own policy, SCP count. */
  policySnapshot(): Promise<PolicySnapshot>;
  /** `organizations:CreatePolicy` (tagged); returns the new policy id. */
  createPolicy(input: CreatePolicyInput): Promise<{ policyId: string; requestId?: string }>;
  /** `organizations:AttachPolicy`. */
  attachPolicy(policyId: string, targetId: string): Promise<{ requestId?: string }>;
}
