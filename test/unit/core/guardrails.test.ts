import {
  assessGuardrails,
  planApply,
  MAX_SCPS_PER_TARGET,
  NEW_POLICY_ID,
  ROOTKEY_SCP_CONTENT,
  ROOTKEY_TAG,
  type OrganizationSnapshot,
} from '../../../functions/core/guardrails';
import { evaluatePolicy } from '../../../functions/core/scp-evaluation';

const FULL_ACCESS = {
  id: 'p-FullAWSAccess',
  name: 'FullAWSAccess',
  awsManaged: true,
  content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
};
const ROOT = 'r-ab12';
const OU_PROD = 'ou-ab12-prod0001';
const OU_DEV = 'ou-ab12-dev00001';

/** Management account under the root, two member accounts in Prod, one in Dev; FullAWSAccess everywhere. */
function org(overrides: Partial<OrganizationSnapshot> = {}): OrganizationSnapshot {
  return {
    rootId: ROOT,
    scpsEnabled: true,
    ous: [
      { id: OU_PROD, name: 'Prod', parentId: ROOT },
      { id: OU_DEV, name: 'Dev', parentId: ROOT },
    ],
    accounts: [
      { id: '111111111111', name: 'management', isManagement: true, parentId: ROOT },
      { id: '333333333333', name: 'payments-prod', isManagement: false, parentId: OU_PROD },
      { id: '444444444444', name: 'logging', isManagement: false, parentId: OU_PROD },
      { id: '555555555555', name: 'sandbox', isManagement: false, parentId: OU_DEV },
    ],
    policies: [FULL_ACCESS],
    attachments: {
      [ROOT]: [FULL_ACCESS.id],
      [OU_PROD]: [FULL_ACCESS.id],
      [OU_DEV]: [FULL_ACCESS.id],
      '111111111111': [FULL_ACCESS.id],
      '333333333333': [FULL_ACCESS.id],
      '444444444444': [FULL_ACCESS.id],
      '555555555555': [FULL_ACCESS.id],
    },
    scpCount: 1,
    features: { rootCredentialsManagement: true, rootSessions: true },
    ...overrides,
  };
}

function withPolicy(
  snapshot: OrganizationSnapshot,
  policy: { id: string; name: string; content: string; tags?: Record<string, string> },
  targets: string[],
): OrganizationSnapshot {
  const attachments = { ...snapshot.attachments };
  for (const t of targets) attachments[t] = [...(attachments[t] ?? []), policy.id];
  return { ...snapshot, policies: [...snapshot.policies, policy], attachments, scpCount: snapshot.scpCount + 1 };
}

const controlTower = { id: 'p-ct000001', name: 'aws-guardrails-xyz', content: ROOTKEY_SCP_CONTENT };

describe('assessGuardrails', () => {
  it('counts every member account as covered when the policy is attached at the root', () => {
    const result = assessGuardrails(withPolicy(org(), controlTower, [ROOT]));

    expect(result.status).toBe('in-place');
    expect(result.uncoveredAccounts).toEqual([]);
    const payments = result.accounts.find((a) => a.accountId === '333333333333');
    expect(payments?.coverage).toMatchObject({ covered: true, how: 'deny', policyId: 'p-ct000001', targetId: ROOT });
  });

  it('covers the accounts of an OU the policy is attached to, and names the OU that is missing it', () => {
    const result = assessGuardrails(withPolicy(org(), controlTower, [OU_PROD]));

    expect(result.status).toBe('missing');
    expect(result.uncoveredAccounts).toEqual(['555555555555']);
    expect(result.uncoveredTargets).toEqual([OU_DEV]);
    expect(result.accounts.find((a) => a.accountId === '444444444444')?.coverage).toMatchObject({
      covered: true,
      targetId: OU_PROD,
    });
    expect(result.gaps.join(' ')).toContain('555555555555');
  });

  it('recognises an equivalent policy written differently (NotAction-free, lower-case action, StringLike, list of statements)', () => {
    const equivalent = {
      id: 'p-handmade1',
      name: 'whatever-the-team-called-it',
      content: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Other', Effect: 'Deny', Action: ['s3:DeleteBucket'], Resource: '*' },
          {
            Sid: 'NoRootKeys',
            Effect: 'Deny',
            Action: ['iam:create*'],
            Resource: 'arn:aws:iam::*:*',
            Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } },
          },
        ],
      }),
    };
    const result = assessGuardrails(withPolicy(org(), equivalent, [ROOT]));

    expect(result.uncoveredAccounts).toEqual([]);
    expect(result.accounts.find((a) => a.accountId === '555555555555')?.coverage).toMatchObject({
      covered: true,
      sid: 'NoRootKeys',
    });
  });

  it('counts the stricter "deny everything to root outside AssumeRoot" policy as covering', () => {
    const strict = {
      id: 'p-strict001',
      name: 'deny-root',
      content: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: {
              ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:root'] },
              Null: { 'aws:AssumedRoot': 'true' },
            },
          },
        ],
      }),
    };
    expect(assessGuardrails(withPolicy(org(), strict, [ROOT])).uncoveredAccounts).toEqual([]);
  });

  it("does not trust a policy by its name: one named like rootkey's that denies something else covers nothing", () => {
    const impostor = {
      id: 'p-impostor1',
      name: 'rootkey-deny-root-access-keys',
      content: JSON.stringify({ Statement: { Effect: 'Deny', Action: 'iam:DeleteAccessKey', Resource: '*' } }),
    };
    expect(assessGuardrails(withPolicy(org(), impostor, [ROOT])).uncoveredAccounts).toEqual([
      '333333333333',
      '444444444444',
      '555555555555',
    ]);
  });

  it('does not count a deny whose condition it cannot decide (a Region condition leaves other Regions open)', () => {
    const regional = {
      id: 'p-regional1',
      name: 'r',
      content: JSON.stringify({
        Statement: [
          {
            Effect: 'Deny',
            Action: 'iam:CreateAccessKey',
            Resource: '*',
            Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
          },
        ],
      }),
    };
    expect(assessGuardrails(withPolicy(org(), regional, [ROOT])).uncoveredAccounts).toHaveLength(3);
  });

  it('does not count a deny that exempts the root user', () => {
    const exempt = {
      id: 'p-exempt001',
      name: 'e',
      content: JSON.stringify({
        Statement: [
          {
            Effect: 'Deny',
            Action: 'iam:CreateAccessKey',
            Resource: '*',
            Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } },
          },
        ],
      }),
    };
    expect(assessGuardrails(withPolicy(org(), exempt, [ROOT])).uncoveredAccounts).toHaveLength(3);
  });

  it('reports nothing covered when SCPs are disabled, even with the policy attached', () => {
    const result = assessGuardrails({ ...withPolicy(org(), controlTower, [ROOT]), scpsEnabled: false });

    expect(result.status).toBe('missing');
    expect(result.uncoveredAccounts).toHaveLength(3);
    expect(result.gaps[0]).toContain('not enabled');
  });

  it('never counts the management account as covered and says so', () => {
    const result = assessGuardrails(withPolicy(org(), controlTower, [ROOT, '111111111111']));

    const management = result.accounts.find((a) => a.type === 'management');
    expect(management?.coverage.covered).toBe(false);
    expect(result.status).toBe('in-place');
    expect(result.notes[0]).toContain('never apply to the management account');
  });

  it('counts an account as covered when an allow-list SCP on its path does not allow iam:CreateAccessKey', () => {
    const allowList = {
      id: 'p-allowlst1',
      name: 'only-s3',
      content: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
    };
    const snapshot = org();
    const result = assessGuardrails({
      ...snapshot,
      policies: [...snapshot.policies, allowList],
      attachments: { ...snapshot.attachments, [OU_DEV]: [allowList.id] },
    });

    expect(result.accounts.find((a) => a.accountId === '555555555555')?.coverage).toEqual({
      covered: true,
      how: 'no-allow',
      targetId: OU_DEV,
    });
  });

  it('lists features that are off and member accounts with remaining root credentials as gaps', () => {
    const result = assessGuardrails(
      withPolicy(
        org({
          features: { rootCredentialsManagement: false, rootSessions: true },
          rootCredentials: {
            '333333333333': { credentials: { password: true, mfaDevices: 1, signingCertificates: 0 }, accessKeys: 0 },
            '444444444444': { credentials: { password: false, mfaDevices: 0, signingCertificates: 0 }, accessKeys: 0 },
            '555555555555': { unreadable: 'AssumeRoot refused' },
          },
        }),
        controlTower,
        [ROOT],
      ),
    );

    expect(result.status).toBe('missing');
    expect(result.accountsWithRootCredentials).toEqual(['333333333333']);
    expect(result.gaps.join('\n')).toMatch(/RootCredentialsManagement is off/);
    expect(result.notes.join('\n')).toContain('555555555555');
  });
});

describe('planApply', () => {
  it('creates the tagged Control Tower policy and attaches it at the root by default', () => {
    const plan = planApply(org());

    expect(plan.kind).toBe('apply');
    if (plan.kind !== 'apply') return;
    expect(plan.steps.map((s) => s.call)).toEqual(['organizations:CreatePolicy', 'organizations:AttachPolicy']);
    expect(plan.steps[0].input).toMatchObject({
      Type: 'SERVICE_CONTROL_POLICY',
      Tags: [{ Key: ROOTKEY_TAG.key, Value: 'true' }],
    });
    expect(plan.steps[1].input).toEqual({ PolicyId: NEW_POLICY_ID, TargetId: ROOT });
    expect(plan.newlyCovered).toEqual(['333333333333', '444444444444', '555555555555']);
    expect(evaluatePolicy(ROOTKEY_SCP_CONTENT, { accountId: '333333333333' }).denies).toBe(true);
  });

  it('attaches to the named OU and says which accounts stay uncovered', () => {
    const plan = planApply(org(), OU_DEV);

    expect(plan).toMatchObject({
      kind: 'apply',
      targetId: OU_DEV,
      newlyCovered: ['555555555555'],
      stillUncovered: ['333333333333', '444444444444'],
    });
  });

  it('reuses its own existing policy instead of creating another', () => {
    const own = {
      id: 'p-rootkey01',
      name: 'rootkey-deny-root-access-keys',
      content: ROOTKEY_SCP_CONTENT,
      tags: { [ROOTKEY_TAG.key]: 'true' },
    };
    const plan = planApply(withPolicy(org(), own, [OU_PROD]));

    expect(plan.kind === 'apply' && plan.steps).toEqual([
      { call: 'organizations:AttachPolicy', input: { PolicyId: 'p-rootkey01', TargetId: ROOT } },
    ]);
  });

  it('has nothing to do when an equivalent policy already covers every member account', () => {
    expect(planApply(withPolicy(org(), controlTower, [ROOT])).kind).toBe('nothing-to-do');
  });

  it('refuses when SCPs are disabled', () => {
    expect(planApply(org({ scpsEnabled: false }))).toMatchObject({ kind: 'refused', refusal: 'scps-disabled' });
  });

  it('refuses at the organization policy quota and at the per-target attachment limit', () => {
    expect(planApply(org({ scpCount: 10_000 }))).toMatchObject({ kind: 'refused', refusal: 'policy-quota' });
    const full = org();
    full.attachments[ROOT] = [FULL_ACCESS.id, ...Array.from({ length: MAX_SCPS_PER_TARGET - 1 }, (_, i) => `p-x${i}`)];
    expect(planApply(full)).toMatchObject({ kind: 'refused', refusal: 'attachment-quota' });
  });

  it('refuses a target that is an account, unknown, or malformed', () => {
    expect(planApply(org(), '333333333333')).toMatchObject({ kind: 'refused', refusal: 'not-root-or-ou' });
    expect(planApply(org(), 'ou-ab12-nothere1')).toMatchObject({ kind: 'refused', refusal: 'unknown-target' });
  });

  it('refuses to edit its own policy back when someone changed it', () => {
    const changed = {
      id: 'p-rootkey01',
      name: 'rootkey-deny-root-access-keys',
      content: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
      tags: { [ROOTKEY_TAG.key]: 'true' },
    };
    expect(planApply(withPolicy(org(), changed, []))).toMatchObject({
      kind: 'refused',
      refusal: 'rootkey-policy-changed',
    });
  });
});
