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
  readCoverage: iam.PolicyStatement;
  apply: iam.PolicyStatement[];
  acknowledge: (role: iam.IRole, applies: boolean) => void;
} {
  const org = `arn:${props.partition}:organizations::${props.managementAccountId}`;
  const scpArns = `${org}:policy/${props.orgId}/service_control_policy/p-*`;
  const readCoverage = new iam.PolicyStatement({
    sid: 'ReadScpCoverage',
    actions: [
      'organizations:DescribeOrganization',
      'organizations:ListRoots',
      'organizations:ListOrganizationalUnitsForParent',
      'organizations:ListAccountsForParent',
      'organizations:ListPoliciesForTarget',
      'organizations:ListPolicies',
      'organizations:DescribePolicy',
      'organizations:ListTagsForResource',
      'iam:ListOrganizationsFeatures',
    ],
    resources: ['*'],
  });
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
      resources: [`${org}:root/${props.orgId}/r-*`, `${org}:ou/${props.orgId}/ou-*`],
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
    acknowledge: (role, applies) => {
      acknowledge(
        role,
        'AwsSolutions-IAM5[Resource::*]',
        'The Organizations list and describe calls of the SCP coverage read, iam:ListOrganizationsFeatures and X-Ray have no resource-level permissions, or act on resources the read only learns while listing; every write is scoped separately.',
      );
      if (!applies) return;
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::${props.managementAccountId}:policy/${props.orgId}/service_control_policy/p-*]`,
        'The rootkey SCP gets its id when created; CreatePolicy and TagResource are limited to an SCP carrying only the rootkey tag, and AttachPolicy to an SCP that carries it.',
      );
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::${props.managementAccountId}:root/${props.orgId}/r-*]`,
        'The SCP is attached to the parent of the remediated account, which is the root or an OU of this organization known only at run time; the statement allows SCP attachments only.',
      );
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::${props.managementAccountId}:ou/${props.orgId}/ou-*]`,
        'The SCP is attached to the parent of the remediated account, which is the root or an OU of this organization known only at run time; the statement allows SCP attachments only.',
      );
      acknowledge(
        role,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:root]',
        'AssumeRoot targets the remediated member account: the statement is limited by aws:ResourceOrgID to this organization and by sts:TaskPolicyArn to IAMDeleteRootUserCredentials.',
      );
    },
  };
}
