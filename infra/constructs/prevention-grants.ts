import * as iam from 'aws-cdk-lib/aws-iam';
import { ROOTKEY_TAG } from '../../functions/core/guardrails';
import { acknowledge } from './acknowledge';

/** What the prevention statements are built from. */
export interface PreventionGrantProps {
  partition: string;
  /** The organization (`o-…`): Organizations ARNs carry it. */
  orgId: string;
  /** Organizations resource ARNs name the management account, also when a delegated administrator calls. */
  managementAccountId: string;
  /** `arn:…:iam::aws:policy/root-task/IAMDeleteRootUserCredentials`. */
  deleteTaskPolicyArn: string;
}

/** The SCP policy type as the API and the `organizations:PolicyType` condition key spell it. */
const SCP_TYPE = 'SERVICE_CONTROL_POLICY';

/**
 * The Organizations permissions of "Prevent recurrence…", from the Service Authorization Reference
 * for AWS Organizations (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html):
 * - `CreatePolicy` takes the `policy` resource and the keys `aws:RequestTag/${TagKey}`, `aws:TagKeys`
 *   and `organizations:PolicyType`: only an SCP, only carrying rootkey's tag and no other tag key.
 *   Tags on CreatePolicy also need `organizations:TagResource`
 *   (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html), with the same
 *   conditions.
 * - `AttachPolicy` is authorized on the policy and on the target (root, OU or account), each taking
 *   `aws:ResourceTag/${TagKey}` and `organizations:PolicyType`: one statement allows the policy side
 *   only for an SCP tagged `rootkey:managed=true` (rootkey's own; it never attaches anyone else's),
 *   the other the target side only for roots and OUs of this organization (the offer attaches to the
 *   account's parent) and only for SCPs.
 * - The coverage read (`AwsOrganizationPolicies.policySnapshot`) lists the structure and the SCPs
 *   (DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent,
 *   ListPoliciesForTarget, ListPolicies, DescribePolicy, ListTagsForResource) and reads the
 *   centralized root access features (`iam:ListOrganizationsFeatures`).
 * No DetachPolicy, UpdatePolicy or DeletePolicy anywhere: rollback is the operator's (README).
 * Organizations ARNs: `arn:${Partition}:organizations::${ManagementAccountId}:policy/o-…/service_control_policy/p-…`,
 * `…:root/o-…/r-…`, `…:ou/o-…/ou-…`.
 */
export function preventionStatements(props: PreventionGrantProps): {
  readCoverage: iam.PolicyStatement[];
  apply: iam.PolicyStatement[];
  /** `audit`: the offer step (AssumeRoot audit, the read role); `delete`: the apply step. */
  acknowledge: (role: iam.IRole, assumeRoot: 'audit' | 'delete', readRoleName?: string) => void;
} {
  const org = `arn:${props.partition}:organizations::${props.managementAccountId}`;
  const scpArns = `${org}:policy/${props.orgId}/service_control_policy/p-*`;
  const structure = [`${org}:root/${props.orgId}/r-*`, `${org}:ou/${props.orgId}/ou-*`];
  const readCoverage = [
    new iam.PolicyStatement({
      sid: 'ReadTheOrganizationRootAndScpCount',
      // No resource types (Service Authorization Reference): DescribeOrganization, ListRoots, ListPolicies.
      actions: [
        'organizations:DescribeOrganization',
        'organizations:ListRoots',
        'organizations:ListPolicies',
        'iam:ListOrganizationsFeatures',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadTheStructureAndItsScps',
      actions: [
        'organizations:ListOrganizationalUnitsForParent',
        'organizations:ListAccountsForParent',
        'organizations:ListPoliciesForTarget',
      ],
      resources: [...structure, `${org}:account/${props.orgId}/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadScpContentAndTags',
      actions: ['organizations:DescribePolicy', 'organizations:ListTagsForResource'],
      // The organization's SCPs and AWS managed ones (FullAWSAccess), whose ARNs name the account `aws`.
      resources: [scpArns, `arn:${props.partition}:organizations::aws:policy/service_control_policy/p-*`],
    }),
  ];
  const rootkeyTagged = { [`aws:RequestTag/${ROOTKEY_TAG.key}`]: ROOTKEY_TAG.value };
  const apply = [
    new iam.PolicyStatement({
      sid: 'CreateTheRootkeyScpOnly',
      actions: ['organizations:CreatePolicy', 'organizations:TagResource'],
      resources: [scpArns],
      conditions: {
        StringEquals: { 'organizations:PolicyType': SCP_TYPE, ...rootkeyTagged },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [ROOTKEY_TAG.key] },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AttachOnlyTheRootkeyScp',
      actions: ['organizations:AttachPolicy'],
      resources: [scpArns],
      conditions: {
        StringEquals: {
          'organizations:PolicyType': SCP_TYPE,
          [`aws:ResourceTag/${ROOTKEY_TAG.key}`]: ROOTKEY_TAG.value,
        },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AttachToRootsAndOusOfThisOrganization',
      actions: ['organizations:AttachPolicy'],
      resources: structure,
      conditions: { StringEquals: { 'organizations:PolicyType': SCP_TYPE } },
    }),
    new iam.PolicyStatement({
      sid: 'DeleteRemainingRootCredentials',
      actions: ['sts:AssumeRoot'],
      resources: [`arn:${props.partition}:iam::*:root`],
      conditions: {
        StringEquals: { 'aws:ResourceOrgID': props.orgId, 'sts:TaskPolicyArn': props.deleteTaskPolicyArn },
      },
    }),
  ];
  return {
    readCoverage,
    apply,
    acknowledge: (role, assumeRoot, readRoleName) => {
      acknowledge(
        role,
        'AwsSolutions-IAM5[Resource::*]',
        'DescribeOrganization, ListRoots, ListPolicies, iam:ListOrganizationsFeatures and X-Ray have no resource-level permissions; every other Organizations call is scoped to this organization.',
      );
      const mgmt = props.managementAccountId;
      const scoped: [string, string][] = [
        [
          `arn:<AWS::Partition>:organizations::${mgmt}:root/${props.orgId}/r-*`,
          'The coverage read walks the root and OUs of this organization and the SCP goes to the remediated account’s parent, known only at run time; attaching is allowed for SCPs only.',
        ],
        [
          `arn:<AWS::Partition>:organizations::${mgmt}:ou/${props.orgId}/ou-*`,
          'The coverage read walks the root and OUs of this organization and the SCP goes to the remediated account’s parent, known only at run time; attaching is allowed for SCPs only.',
        ],
        [
          `arn:<AWS::Partition>:organizations::${mgmt}:account/${props.orgId}/*`,
          'The coverage read lists the SCPs attached directly to each account of this organization, whose ids it learns while listing.',
        ],
        [
          `arn:<AWS::Partition>:organizations::${mgmt}:policy/${props.orgId}/service_control_policy/p-*`,
          'The coverage read describes the SCPs it finds attached; creating is limited to an SCP carrying only the rootkey tag, and attaching to an SCP that carries it.',
        ],
        [
          'arn:<AWS::Partition>:organizations::aws:policy/service_control_policy/p-*',
          'The coverage read describes AWS managed SCPs such as FullAWSAccess when they are attached; this is read-only.',
        ],
      ];
      for (const [resource, reason] of scoped) acknowledge(role, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
      acknowledge(
        role,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:root]',
        `AssumeRoot targets the remediated member account: the statement is limited by aws:ResourceOrgID to this organization and by sts:TaskPolicyArn to ${assumeRoot === 'audit' ? 'IAMAuditRootUserCredentials' : 'IAMDeleteRootUserCredentials'}.`,
      );
      if (readRoleName) {
        acknowledge(
          role,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${readRoleName}]`,
          'The read-only role exists in every account AssumeRoot cannot reach; the statement names only that role and is limited by aws:ResourceOrgID to this organization.',
        );
      }
    },
  };
}
