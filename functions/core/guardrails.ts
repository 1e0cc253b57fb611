import type { RootAccessFeatures } from './account';
import { evaluatePolicy } from './scp-evaluation';

/**
 * Prevention: whether a root access key can come back. Pure decisions over a snapshot of the
 * organization (structure, SCPs and their attachments, the centralized root access features and
 * each member account's remaining root credentials), and the plan `rootkey guardrails apply`
 * follows. No SDK, no I/O.
 *
 * AWS facts this relies on (checked in AWS's documentation, cited in docs/guardrails.md):
 * - SCP evaluation: a permission survives only if an `Allow` exists at every level from the root
 *   through each OU to the account, and a `Deny` at any of those levels wins
 *   (Organizations User Guide, "SCP evaluation").
 * - SCPs do not affect users or roles in the management account: it is never covered.
 * - `DescribeEffectivePolicy` does not support SERVICE_CONTROL_POLICY (EffectivePolicyType has no
 *   such value), so coverage is computed here from ListPoliciesForTarget along each account's path.
 */

/** rootkey's own SCP: the AWS Control Tower control "Disallow Creation of Access Keys for the Root User". */
export const ROOTKEY_SCP_NAME = 'rootkey-deny-root-access-keys';
export const ROOTKEY_SCP_DESCRIPTION =
  'Created by rootkey: denies iam:CreateAccessKey to the root user of member accounts (Control Tower GRRESTRICTROOTUSERACCESSKEYS). Safe to detach to roll back.';
/** The tag that marks a policy as created by rootkey; the only policies rootkey will ever touch. */
export const ROOTKEY_TAG = { key: 'rootkey:managed', value: 'true' } as const;
/**
 * The policy, as AWS Control Tower ships it (controlreference, "Strongly recommended controls with
 * preventive behavior"). It denies only CreateAccessKey, so rootkey's own removal path
 * (`sts:AssumeRoot` + `iam:DeleteAccessKey`) and root's other tasks keep working.
 */
export const ROOTKEY_SCP_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'GRRESTRICTROOTUSERACCESSKEYS',
      Effect: 'Deny',
      Action: 'iam:CreateAccessKey',
      Resource: ['*'],
      Condition: { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:root'] } },
    },
  ],
};
export const ROOTKEY_SCP_CONTENT = JSON.stringify(ROOTKEY_SCP_DOCUMENT);

/**
 * Organizations quotas (User Guide, "Quotas and service limits"): at most 5 SCPs attached to one
 * root, OU or account, and 10,000 SCPs in an organization (older documentation said 1,000; the
 * adapter's ConstraintViolationException handling is the authority either way).
 */
export const MAX_SCPS_PER_TARGET = 5;
export const DEFAULT_MAX_SCPS_PER_ORGANIZATION = 10_000;

export interface ScpPolicy {
  id: string;
  name: string;
  content: string;
  awsManaged?: boolean;
  tags?: Record<string, string>;
}

/** Root user credentials besides access keys, as the audit task policy can read them. */
export interface RootCredentials {
  /** `GetLoginProfile` found a console password. */
  password: boolean;
  mfaDevices: number;
  signingCertificates: number;
}

export interface SnapshotAccount {
  id: string;
  name: string;
  isManagement: boolean;
  parentId: string;
}

/** What the organization looks like, as far as SCP coverage is concerned. */
export interface OrganizationSnapshot {
  rootId: string;
  /** SERVICE_CONTROL_POLICY is ENABLED on the root (ListRoots PolicyTypes). */
  scpsEnabled: boolean;
  ous: { id: string; name: string; parentId: string }[];
  accounts: SnapshotAccount[];
  /** Every SCP attached somewhere, plus rootkey's own even when detached. */
  policies: ScpPolicy[];
  /** Target id (root, OU or account) → attached SCP ids. */
  attachments: Record<string, string[]>;
  /** How many SCPs the organization has in all (the quota counts every one). */
  scpCount: number;
  maxScps?: number;
  features: RootAccessFeatures;
  /** Per member account: remaining root credentials, or why they could not be read. */
  rootCredentials?: Record<string, { credentials?: RootCredentials; accessKeys?: number; unreadable?: string }>;
  partition?: string;
}

/** The part of the snapshot SCP coverage depends on (what the organization-policies port returns). */
export type ScpStructure = Omit<OrganizationSnapshot, 'features' | 'rootCredentials'>;

export type Coverage =
  | { covered: true; how: 'deny'; policyId: string; policyName: string; targetId: string; sid?: string }
  | { covered: true; how: 'no-allow'; targetId: string }
  | { covered: false; reason: string };

export interface AccountGuardrail {
  accountId: string;
  name: string;
  type: 'management' | 'member';
  /** Ids from the root down to the account's parent. */
  path: string[];
  coverage: Coverage | { covered: false; notApplicable: true; reason: string };
  rootCredentials?: RootCredentials;
  rootAccessKeys?: number;
  rootCredentialsUnreadable?: string;
  /** Any root credential (key, password, MFA, certificate) remains. */
  hasRootCredentials: boolean;
}

export interface GuardrailAssessment {
  status: 'in-place' | 'missing';
  scpsEnabled: boolean;
  features: RootAccessFeatures;
  accounts: AccountGuardrail[];
  /** Member accounts no SCP keeps from creating a root key. */
  uncoveredAccounts: string[];
  /** Parents (root/OU) of uncovered accounts: where an attachment would help. */
  uncoveredTargets: string[];
  /** Member accounts with a remaining root credential. */
  accountsWithRootCredentials: string[];
  /** rootkey's own policy, if it exists, and where it is attached. */
  rootkeyPolicy?: { id: string; attachedTo: string[] };
  /** One sentence per gap; empty when everything is in place. */
  gaps: string[];
  /** What is true but is not a gap (the management account). */
  notes: string[];
}

export const MANAGEMENT_ACCOUNT_NOTE =
  'SCPs never apply to the management account: it keeps real-time detection and the guided runbook, and its root user must be protected by other means (MFA, no keys, monitoring).';

/** The ids from the root down to `parentId` (inclusive). Throws on a cycle or a missing parent. */
export function pathTo(snapshot: ScpStructure, parentId: string): string[] {
  const byId = new Map(snapshot.ous.map((o) => [o.id, o]));
  const path: string[] = [];
  let current: string | undefined = parentId;
  while (current && current !== snapshot.rootId) {
    if (path.includes(current)) throw new Error(`The organization's OU tree has a cycle at ${current}`);
    path.unshift(current);
    current = byId.get(current)?.parentId;
    if (current === undefined) throw new Error(`OU ${path[0]} has no known parent`);
  }
  return [snapshot.rootId, ...path];
}

/** Decides whether the SCPs along `levels` (root → … → account) keep the account's root user from creating a key. */
export function evaluateCoverage(snapshot: ScpStructure, accountId: string, levels: string[]): Coverage {
  if (!snapshot.scpsEnabled) {
    return { covered: false, reason: 'service control policies are not enabled for the organization' };
  }
  const policies = new Map(snapshot.policies.map((p) => [p.id, p]));
  const ctx = { accountId, ...(snapshot.partition ? { partition: snapshot.partition } : {}) };
  let noAllowAt: string | undefined;
  for (const targetId of levels) {
    let allowed = false;
    for (const policyId of snapshot.attachments[targetId] ?? []) {
      const policy = policies.get(policyId);
      if (!policy) continue;
      const verdict = evaluatePolicy(policy.content, ctx);
      if (verdict.denies) {
        return {
          covered: true,
          how: 'deny',
          policyId,
          policyName: policy.name,
          targetId,
          ...(verdict.denyingSid ? { sid: verdict.denyingSid } : {}),
        };
      }
      if (verdict.allows) allowed = true;
    }
    noAllowAt ??= allowed ? undefined : targetId;
  }
  if (noAllowAt) return { covered: true, how: 'no-allow', targetId: noAllowAt };
  return { covered: false, reason: 'no attached SCP denies iam:CreateAccessKey to the root user' };
}

function hasAnyRootCredential(c: RootCredentials | undefined, keys: number | undefined): boolean {
  return (keys ?? 0) > 0 || (!!c && (c.password || c.mfaDevices > 0 || c.signingCertificates > 0));
}

/** The whole picture: coverage per account, features, remaining credentials, and the gaps. */
export function assessGuardrails(snapshot: OrganizationSnapshot): GuardrailAssessment {
  const accounts: AccountGuardrail[] = snapshot.accounts.map((a) => {
    const path = pathTo(snapshot, a.parentId);
    const creds = snapshot.rootCredentials?.[a.id];
    const base = {
      accountId: a.id,
      name: a.name,
      path,
      ...(creds?.credentials ? { rootCredentials: creds.credentials } : {}),
      ...(creds?.accessKeys !== undefined ? { rootAccessKeys: creds.accessKeys } : {}),
      ...(creds?.unreadable ? { rootCredentialsUnreadable: creds.unreadable } : {}),
      hasRootCredentials: hasAnyRootCredential(creds?.credentials, creds?.accessKeys),
    };
    if (a.isManagement) {
      return {
        ...base,
        type: 'management' as const,
        coverage: { covered: false as const, notApplicable: true as const, reason: MANAGEMENT_ACCOUNT_NOTE },
      };
    }
    return { ...base, type: 'member' as const, coverage: evaluateCoverage(snapshot, a.id, [...path, a.id]) };
  });
  const members = accounts.filter((a) => a.type === 'member');
  const uncovered = members.filter((a) => !a.coverage.covered);
  const withCreds = members.filter((a) => a.hasRootCredentials);
  const uncoveredTargets = [...new Set(uncovered.map((a) => a.path[a.path.length - 1]))];
  const gaps: string[] = [];
  if (!snapshot.scpsEnabled) {
    gaps.push('Service control policies are not enabled: no SCP can keep member accounts from creating root keys.');
  }
  if (snapshot.scpsEnabled && uncovered.length > 0) {
    gaps.push(
      `${uncovered.length} member account(s) can still create a root access key: ${uncovered.map((a) => a.accountId).join(', ')} (under ${uncoveredTargets.join(', ')}).`,
    );
  }
  if (!snapshot.features.rootCredentialsManagement) {
    gaps.push(
      'Centralized root access: RootCredentialsManagement is off (member root credentials cannot be deleted centrally).',
    );
  }
  if (!snapshot.features.rootSessions) {
    gaps.push('Centralized root access: RootSessions is off (sts:AssumeRoot privileged tasks are unavailable).');
  }
  if (withCreds.length > 0) {
    gaps.push(
      `${withCreds.length} member account(s) still have root user credentials: ${withCreds.map((a) => a.accountId).join(', ')}.`,
    );
  }
  const notes = accounts.some((a) => a.type === 'management') ? [MANAGEMENT_ACCOUNT_NOTE] : [];
  const unreadable = members.filter((a) => a.rootCredentialsUnreadable);
  if (unreadable.length > 0) {
    notes.push(`Root credentials could not be read for ${unreadable.map((a) => a.accountId).join(', ')}.`);
  }
  const own = findRootkeyPolicy(snapshot);
  return {
    status: gaps.length === 0 ? 'in-place' : 'missing',
    scpsEnabled: snapshot.scpsEnabled,
    features: snapshot.features,
    accounts,
    uncoveredAccounts: uncovered.map((a) => a.accountId),
    uncoveredTargets,
    accountsWithRootCredentials: withCreds.map((a) => a.accountId),
    ...(own
      ? {
          rootkeyPolicy: {
            id: own.id,
            attachedTo: Object.entries(snapshot.attachments)
              .filter(([, ids]) => ids.includes(own.id))
              .map(([target]) => target),
          },
        }
      : {}),
    gaps,
    notes,
  };
}

/** rootkey's own policy: the tag marks it (the name alone could be anyone's). */
export function findRootkeyPolicy(snapshot: OrganizationSnapshot): ScpPolicy | undefined {
  return snapshot.policies.find((p) => p.tags?.[ROOTKEY_TAG.key] === ROOTKEY_TAG.value && !p.awsManaged);
}

export type ApplyStep =
  | {
      call: 'organizations:CreatePolicy';
      input: {
        Name: string;
        Description: string;
        Type: 'SERVICE_CONTROL_POLICY';
        Content: string;
        Tags: { Key: string; Value: string }[];
      };
    }
  | { call: 'organizations:AttachPolicy'; input: { PolicyId: string; TargetId: string } };

export type ApplyRefusal =
  | 'scps-disabled'
  | 'policy-quota'
  | 'attachment-quota'
  | 'unknown-target'
  | 'not-root-or-ou'
  | 'rootkey-policy-changed';

export type ApplyPlan =
  | { kind: 'nothing-to-do'; reason: string }
  | { kind: 'refused'; refusal: ApplyRefusal; reason: string }
  | {
      kind: 'apply';
      targetId: string;
      steps: ApplyStep[];
      /** Member accounts the attachment will newly cover. */
      newlyCovered: string[];
      /** Uncovered member accounts outside the target that stay uncovered. */
      stillUncovered: string[];
      policyDocument: typeof ROOTKEY_SCP_DOCUMENT;
    };

/** Placeholder for the id CreatePolicy will return, in a plan printed before anything runs. */
export const NEW_POLICY_ID = '<id returned by CreatePolicy>';

export const ROOT_ID_PATTERN = /^r-[0-9a-z]{4,32}$/;
export const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

/**
 * What `rootkey guardrails apply` will do. Never detaches or edits anything: it creates rootkey's
 * policy (unless it exists, unchanged) and attaches it to the root (default) or the named OU.
 */
export function planApply(snapshot: OrganizationSnapshot, attachTo?: string): ApplyPlan {
  if (!snapshot.scpsEnabled) {
    return {
      kind: 'refused',
      refusal: 'scps-disabled',
      reason:
        'Service control policies are not enabled for this organization. Enable the SERVICE_CONTROL_POLICY type on the root (Organizations console → Policies, or `aws organizations enable-policy-type`) first; rootkey does not change organization settings.',
    };
  }
  const targetId = attachTo ?? snapshot.rootId;
  if (!ROOT_ID_PATTERN.test(targetId) && !OU_ID_PATTERN.test(targetId)) {
    return {
      kind: 'refused',
      refusal: 'not-root-or-ou',
      reason: `--attach-to must be the root id (r-…) or an OU id (ou-…-…), not '${targetId}'.`,
    };
  }
  if (targetId !== snapshot.rootId && !snapshot.ous.some((o) => o.id === targetId)) {
    return {
      kind: 'refused',
      refusal: 'unknown-target',
      reason: `${targetId} is neither the root nor an OU of this organization.`,
    };
  }
  const assessment = assessGuardrails(snapshot);
  const inTarget = assessment.accounts.filter(
    (a) => a.type === 'member' && (a.path.includes(targetId) || targetId === snapshot.rootId),
  );
  const newlyCovered = inTarget.filter((a) => !a.coverage.covered).map((a) => a.accountId);
  const stillUncovered = assessment.uncoveredAccounts.filter((id) => !newlyCovered.includes(id));
  if (newlyCovered.length === 0) {
    return {
      kind: 'nothing-to-do',
      reason:
        targetId === snapshot.rootId
          ? 'Every member account is already kept from creating root access keys by an attached SCP.'
          : `Every member account under ${targetId} is already kept from creating root access keys by an attached SCP.`,
    };
  }
  const own = findRootkeyPolicy(snapshot);
  if (own && !evaluatePolicy(own.content, { accountId: newlyCovered[0] }).denies) {
    return {
      kind: 'refused',
      refusal: 'rootkey-policy-changed',
      reason: `rootkey's policy ${own.id} (${own.name}) no longer denies iam:CreateAccessKey to the root user: someone changed it. rootkey does not edit it back; review it or delete it, then run apply again.`,
    };
  }
  const attached = snapshot.attachments[targetId] ?? [];
  if (attached.length >= MAX_SCPS_PER_TARGET) {
    return {
      kind: 'refused',
      refusal: 'attachment-quota',
      reason: `${targetId} already has ${attached.length} SCPs attached, the Organizations maximum per target (${MAX_SCPS_PER_TARGET}). Add the statement to one of them yourself, or attach at a child OU with --attach-to.`,
    };
  }
  const maxScps = snapshot.maxScps ?? DEFAULT_MAX_SCPS_PER_ORGANIZATION;
  if (!own && snapshot.scpCount >= maxScps) {
    return {
      kind: 'refused',
      refusal: 'policy-quota',
      reason: `The organization has ${snapshot.scpCount} SCPs, its quota (${maxScps}): rootkey cannot create another. Add the statement to an existing SCP yourself, or delete an unused one.`,
    };
  }
  const steps: ApplyStep[] = [];
  if (!own) {
    steps.push({
      call: 'organizations:CreatePolicy',
      input: {
        Name: ROOTKEY_SCP_NAME,
        Description: ROOTKEY_SCP_DESCRIPTION,
        Type: 'SERVICE_CONTROL_POLICY',
        Content: ROOTKEY_SCP_CONTENT,
        Tags: [{ Key: ROOTKEY_TAG.key, Value: ROOTKEY_TAG.value }],
      },
    });
  }
  steps.push({ call: 'organizations:AttachPolicy', input: { PolicyId: own?.id ?? NEW_POLICY_ID, TargetId: targetId } });
  return { kind: 'apply', targetId, steps, newlyCovered, stillUncovered, policyDocument: ROOTKEY_SCP_DOCUMENT };
}
