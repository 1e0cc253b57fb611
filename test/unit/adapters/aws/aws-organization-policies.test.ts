import { mockClient } from 'aws-sdk-client-mock';
import {
  AttachPolicyCommand,
  ConstraintViolationException,
  CreatePolicyCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DuplicatePolicyAttachmentException,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
  OrganizationsServiceException,
  PolicyTypeNotEnabledException,
} from '@aws-sdk/client-organizations';
import { AwsOrganizationPolicies } from '../../../../functions/adapters/aws/aws-organization-policies';
import { AccessDeniedError, GuardrailRefusedError } from '../../../../functions/core/errors';
import {
  ROOTKEY_SCP_CONTENT,
  ROOTKEY_SCP_DESCRIPTION,
  ROOTKEY_SCP_NAME,
  assessGuardrails,
} from '../../../../functions/core/guardrails';

const FULL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
const OU = 'ou-ab12-prod0001';
const input = {
  Name: ROOTKEY_SCP_NAME,
  Description: ROOTKEY_SCP_DESCRIPTION,
  Type: 'SERVICE_CONTROL_POLICY' as const,
  Content: ROOTKEY_SCP_CONTENT,
  Tags: [{ Key: 'rootkey:managed', Value: 'true' }],
};

describe('AwsOrganizationPolicies', () => {
  const client = new OrganizationsClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const mock = mockClient(client);

  beforeEach(() => {
    // Prepare: root r-ab12 (SCPs on) → OU Prod (payments) and the management account directly under the root.
    mock.reset();
    mock.on(DescribeOrganizationCommand).resolves({ Organization: { MasterAccountId: '111111111111' } });
    mock
      .on(ListRootsCommand)
      .resolves({ Roots: [{ Id: 'r-ab12', PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] }] });
    mock
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'r-ab12' })
      .resolves({ OrganizationalUnits: [{ Id: OU, Name: 'Prod' }] });
    mock.on(ListOrganizationalUnitsForParentCommand, { ParentId: OU }).resolves({ OrganizationalUnits: [] });
    mock
      .on(ListAccountsForParentCommand, { ParentId: 'r-ab12' })
      .resolves({ Accounts: [{ Id: '111111111111', Name: 'management', State: 'ACTIVE' }] });
    mock.on(ListAccountsForParentCommand, { ParentId: OU }).resolves({
      Accounts: [
        { Id: '333333333333', Name: 'payments-prod', State: 'ACTIVE' },
        { Id: '666666666666', Name: 'closing', State: 'PENDING_CLOSURE' },
      ],
    });
    mock
      .on(ListPoliciesForTargetCommand)
      .resolves({ Policies: [{ Id: 'p-FullAWSAccess', Name: 'FullAWSAccess', AwsManaged: true }] });
    mock.on(ListPoliciesForTargetCommand, { TargetId: OU, Filter: 'SERVICE_CONTROL_POLICY' }).resolves({
      Policies: [
        { Id: 'p-FullAWSAccess', Name: 'FullAWSAccess', AwsManaged: true },
        { Id: 'p-ct000001', Name: 'aws-guardrails-xyz', AwsManaged: false },
      ],
    });
    mock.on(ListPoliciesCommand).resolves({
      Policies: [
        { Id: 'p-FullAWSAccess', Name: 'FullAWSAccess', AwsManaged: true },
        { Id: 'p-ct000001', Name: 'aws-guardrails-xyz' },
      ],
    });
    mock.on(DescribePolicyCommand, { PolicyId: 'p-FullAWSAccess' }).resolves({ Policy: { Content: FULL } });
    mock.on(DescribePolicyCommand, { PolicyId: 'p-ct000001' }).resolves({ Policy: { Content: ROOTKEY_SCP_CONTENT } });
  });

  it('builds the snapshot from ListRoots, the OU tree, ListPoliciesForTarget per target and DescribePolicy per distinct policy', async () => {
    // Act
    const snapshot = await new AwsOrganizationPolicies(client).policySnapshot();

    // Assess
    expect(snapshot.rootId).toBe('r-ab12');
    expect(snapshot.scpsEnabled).toBe(true);
    expect(snapshot.ous).toEqual([{ id: OU, name: 'Prod', parentId: 'r-ab12' }]);
    expect(snapshot.accounts.map((a) => [a.id, a.parentId, a.isManagement])).toEqual([
      ['111111111111', 'r-ab12', true],
      ['333333333333', OU, false],
    ]);
    expect(mock).toHaveReceivedCommandTimes(ListPoliciesForTargetCommand, 4);
    for (const target of ['r-ab12', OU, '111111111111', '333333333333']) {
      expect(mock).toHaveReceivedCommandWith(ListPoliciesForTargetCommand, {
        TargetId: target,
        Filter: 'SERVICE_CONTROL_POLICY',
      });
    }
    expect(mock).toHaveReceivedCommandTimes(DescribePolicyCommand, 2);
    expect(mock).not.toHaveReceivedCommand(ListTagsForResourceCommand);
    expect(snapshot.scpCount).toBe(2);
    const assessment = assessGuardrails({
      ...snapshot,
      features: { rootCredentialsManagement: true, rootSessions: true },
    });
    expect(assessment.uncoveredAccounts).toEqual([]);
  });

  it("reads the tags of a policy named like rootkey's, even when it is attached nowhere", async () => {
    mock
      .on(ListPoliciesCommand)
      .resolves({ Policies: [{ Id: 'p-rootkey01', Name: ROOTKEY_SCP_NAME, AwsManaged: false }] });
    mock.on(DescribePolicyCommand, { PolicyId: 'p-rootkey01' }).resolves({ Policy: { Content: ROOTKEY_SCP_CONTENT } });
    mock.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'rootkey:managed', Value: 'true' }] });

    const snapshot = await new AwsOrganizationPolicies(client).policySnapshot();

    expect(mock).toHaveReceivedCommandWith(ListTagsForResourceCommand, { ResourceId: 'p-rootkey01' });
    expect(snapshot.policies.find((p) => p.id === 'p-rootkey01')?.tags).toEqual({ 'rootkey:managed': 'true' });
  });

  it('does not list attachments when SCPs are disabled', async () => {
    mock.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-ab12', PolicyTypes: [] }] });

    const snapshot = await new AwsOrganizationPolicies(client).policySnapshot();

    expect(snapshot.scpsEnabled).toBe(false);
    expect(mock).not.toHaveReceivedCommand(ListPoliciesForTargetCommand);
  });

  it('creates the policy with name, description, type, content and tag, then attaches it', async () => {
    mock
      .on(CreatePolicyCommand)
      .resolves({ Policy: { PolicySummary: { Id: 'p-new00001' } }, $metadata: { requestId: 'req-create' } });
    mock.on(AttachPolicyCommand).resolves({ $metadata: { requestId: 'req-attach' } });
    const policies = new AwsOrganizationPolicies(client);

    const created = await policies.createPolicy(input);
    const attached = await policies.attachPolicy(created.policyId, 'r-ab12');

    expect(mock).toHaveReceivedCommandWith(CreatePolicyCommand, input);
    expect(mock).toHaveReceivedCommandWith(AttachPolicyCommand, { PolicyId: 'p-new00001', TargetId: 'r-ab12' });
    expect(created).toEqual({ policyId: 'p-new00001', requestId: 'req-create' });
    expect(attached).toEqual({ requestId: 'req-attach' });
  });

  it('turns PolicyTypeNotEnabled and the quota violations into refusals, and AccessDenied into AccessDeniedError', async () => {
    const policies = new AwsOrganizationPolicies(client);
    mock.on(CreatePolicyCommand).rejects(new PolicyTypeNotEnabledException({ message: 'off', $metadata: {} }));
    await expect(policies.createPolicy(input)).rejects.toMatchObject({
      name: 'GuardrailRefusedError',
      refusal: 'scps-disabled',
    });

    mock
      .on(CreatePolicyCommand)
      .rejects(
        new ConstraintViolationException({ message: 'limit', Reason: 'POLICY_NUMBER_LIMIT_EXCEEDED', $metadata: {} }),
      );
    await expect(policies.createPolicy(input)).rejects.toMatchObject({ refusal: 'policy-quota' });

    mock.on(AttachPolicyCommand).rejects(
      new ConstraintViolationException({
        message: 'limit',
        Reason: 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
        $metadata: {},
      }),
    );
    await expect(policies.attachPolicy('p-new00001', 'r-ab12')).rejects.toBeInstanceOf(GuardrailRefusedError);

    mock.on(CreatePolicyCommand).rejects(
      new OrganizationsServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'no',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(policies.createPolicy(input)).rejects.toMatchObject({
      name: 'AccessDeniedError',
      permission: 'organizations:CreatePolicy',
    });
    expect(AccessDeniedError.name).toBe('AccessDeniedError');
  });

  it('treats a policy already attached to the target as done', async () => {
    mock.on(AttachPolicyCommand).rejects(new DuplicatePolicyAttachmentException({ message: 'dup', $metadata: {} }));

    await expect(new AwsOrganizationPolicies(client).attachPolicy('p-new00001', 'r-ab12')).resolves.toEqual({});
  });
});
