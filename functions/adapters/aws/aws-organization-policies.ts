import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListTagsForResourceCommand,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListPolicies,
  paginateListPoliciesForTarget,
  paginateListRoots,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GuardrailRefusedError } from '../../core/errors';
import { ROOTKEY_SCP_NAME, type ApplyStep, type ScpPolicy } from '../../core/guardrails';
import type { OrganizationPoliciesPort, PolicySnapshot } from '../../ports/organization-policies';
import { awsErrorCode, callAws, requestIdOf } from './aws-errors';

const SCP = 'SERVICE_CONTROL_POLICY';

/**
 * Organizations errors that are refusals rather than failures (Organizations API Reference:
 * CreatePolicy, AttachPolicy): the policy type is off, or a quota is reached
 * (ConstraintViolationException `Reason`).
 */
function toRefusal(error: unknown): unknown {
  const code = awsErrorCode(error);
  if (code === 'PolicyTypeNotEnabledException') {
    return new GuardrailRefusedError(
      'scps-disabled',
      'Service control policies are not enabled for this organization (PolicyTypeNotEnabledException)',
      { cause: error },
    );
  }
  if (code === 'ConstraintViolationException') {
    const reason = (error as { Reason?: string }).Reason;
    if (reason === 'POLICY_NUMBER_LIMIT_EXCEEDED') {
      return new GuardrailRefusedError(
        'policy-quota',
        'The organization is at its quota of service control policies (POLICY_NUMBER_LIMIT_EXCEEDED)',
        { cause: error },
      );
    }
    if (reason === 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED') {
      return new GuardrailRefusedError(
        'attachment-quota',
        'The target already has the maximum number of SCPs attached (MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED)',
        { cause: error },
      );
    }
  }
  return error;
}

/**
 * Service control policies through AWS Organizations, from the management account or a delegated
 * administrator for policy management. Coverage is computed from ListPoliciesForTarget along each
 * account's path because DescribeEffectivePolicy does not support SERVICE_CONTROL_POLICY.
 */
export class AwsOrganizationPolicies implements OrganizationPoliciesPort {
  constructor(private readonly organizations: OrganizationsClient) {}

  async policySnapshot(): Promise<PolicySnapshot> {
    const client = this.organizations;
    const where = 'the organization';
    const org = await callAws({ action: 'organizations:DescribeOrganization', where }, () =>
      client.send(new DescribeOrganizationCommand({})),
    );
    const managementAccountId = org.Organization?.MasterAccountId;
    const root = await callAws({ action: 'organizations:ListRoots', where }, async () => {
      for await (const page of paginateListRoots({ client }, {})) {
        if (page.Roots?.[0]) return page.Roots[0];
      }
      return undefined;
    });
    if (!root?.Id) throw new Error('organizations:ListRoots returned no root');
    const scpsEnabled = (root.PolicyTypes ?? []).some((t) => t.Type === SCP && t.Status === 'ENABLED');

    const ous: PolicySnapshot['ous'] = [];
    const accounts: PolicySnapshot['accounts'] = [];
    const parents = [root.Id];
    while (parents.length > 0) {
      const parentId = parents.shift() as string;
      await callAws({ action: 'organizations:ListOrganizationalUnitsForParent', where: parentId }, async () => {
        for await (const page of paginateListOrganizationalUnitsForParent({ client }, { ParentId: parentId })) {
          for (const ou of page.OrganizationalUnits ?? []) {
            if (!ou.Id) continue;
            ous.push({ id: ou.Id, name: ou.Name ?? ou.Id, parentId });
            parents.push(ou.Id);
          }
        }
      });
      await callAws({ action: 'organizations:ListAccountsForParent', where: parentId }, async () => {
        for await (const page of paginateListAccountsForParent({ client }, { ParentId: parentId })) {
          for (const a of page.Accounts ?? []) {
            if (!a.Id || (a.State ?? a.Status) !== 'ACTIVE') continue;
            accounts.push({ id: a.Id, name: a.Name ?? '', isManagement: a.Id === managementAccountId, parentId });
          }
        }
      });
    }

    const attachments: Record<string, string[]> = {};
    const summaries = new Map<string, { name: string; awsManaged: boolean }>();
    if (scpsEnabled) {
      for (const targetId of [root.Id, ...ous.map((o) => o.id), ...accounts.map((a) => a.id)]) {
        attachments[targetId] = [];
        await callAws({ action: 'organizations:ListPoliciesForTarget', where: targetId }, async () => {
          for await (const page of paginateListPoliciesForTarget({ client }, { TargetId: targetId, Filter: SCP })) {
            for (const p of page.Policies ?? []) {
              if (!p.Id) continue;
              attachments[targetId].push(p.Id);
              summaries.set(p.Id, { name: p.Name ?? p.Id, awsManaged: p.AwsManaged ?? false });
            }
          }
        });
      }
    }
    // Every SCP counts against the quota; rootkey's own may exist detached.
    let scpCount = 0;
    await callAws({ action: 'organizations:ListPolicies', where }, async () => {
      for await (const page of paginateListPolicies({ client }, { Filter: SCP })) {
        for (const p of page.Policies ?? []) {
          scpCount++;
          if (p.Id && p.Name === ROOTKEY_SCP_NAME && !p.AwsManaged)
            summaries.set(p.Id, { name: p.Name, awsManaged: false });
        }
      }
    });

    const policies: ScpPolicy[] = [];
    for (const [id, summary] of summaries) {
      const described = await callAws({ action: 'organizations:DescribePolicy', where: id }, () =>
        client.send(new DescribePolicyCommand({ PolicyId: id })),
      );
      const policy: ScpPolicy = {
        id,
        name: summary.name,
        content: described.Policy?.Content ?? '',
        awsManaged: summary.awsManaged,
      };
      // Only a policy named like rootkey's can be rootkey's; its tag decides (the name alone could be anyone's).
      if (summary.name === ROOTKEY_SCP_NAME && !summary.awsManaged) {
        const tags = await callAws({ action: 'organizations:ListTagsForResource', where: id }, () =>
          client.send(new ListTagsForResourceCommand({ ResourceId: id })),
        );
        policy.tags = Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      }
      policies.push(policy);
    }
    return { rootId: root.Id, scpsEnabled, ous, accounts, policies, attachments, scpCount };
  }

  async createPolicy(
    input: Extract<ApplyStep, { call: 'organizations:CreatePolicy' }>['input'],
  ): Promise<{ policyId: string; requestId?: string }> {
    let out;
    try {
      out = await callAws({ action: 'organizations:CreatePolicy', where: 'the organization' }, () =>
        this.organizations.send(new CreatePolicyCommand(input)),
      );
    } catch (error) {
      throw toRefusal(error);
    }
    const policyId = out.Policy?.PolicySummary?.Id;
    if (!policyId) throw new Error('organizations:CreatePolicy returned no policy id');
    const requestId = requestIdOf(out);
    return { policyId, ...(requestId ? { requestId } : {}) };
  }

  async attachPolicy(policyId: string, targetId: string): Promise<{ requestId?: string }> {
    try {
      const out = await callAws({ action: 'organizations:AttachPolicy', where: targetId }, () =>
        this.organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: targetId })),
      );
      const requestId = requestIdOf(out);
      return requestId ? { requestId } : {};
    } catch (error) {
      // Already attached there (a retry after a half-finished apply): the state we want.
      if (awsErrorCode(error) === 'DuplicatePolicyAttachmentException') return {};
      throw toRefusal(error);
    }
  }
}
