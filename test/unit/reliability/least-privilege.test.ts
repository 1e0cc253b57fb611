import { synthesizeApp, type TemplateJson } from '../../support/infra/synth';
import {
  allows,
  conditionValues,
  policyStatements,
  type PolicyStatement,
} from '../../support/reliability/iam-statements';
import { ReliabilityRecorder } from '../../support/reliability/reliability-results';

/**
 * Least privilege, read from the templates `cdk synth` produces (both stacks, functions not bundled):
 * nobody may call `sts:AssumeRoot` without a `sts:TaskPolicyArn` condition naming only the two root
 * task policies the tool uses; the evidence bucket refuses non-TLS access and deletion; and no policy
 * grants wildcard actions on all resources, or any action on all resources, without a written reason.
 */

jest.setTimeout(120_000);

const AUDIT = 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials';
const DELETE = 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';
const recorder = new ReliabilityRecorder('least-privilege', 'test/unit/reliability/least-privilege.test.ts');
let statements: PolicyStatement[];
let central: TemplateJson;

beforeAll(() => {
  // cdk-nag runs in the infra tests; here only the templates matter.
  const app = synthesizeApp({ 'rootkey:nag': false });
  central = app.centralTemplate.toJSON();
  statements = [
    ...policyStatements('RootKeyCentral', central),
    ...policyStatements('RootKeyMemberAccount', app.memberTemplate.toJSON()),
  ];
}, 120_000);

afterAll(async () => {
  await recorder.flush();
});

/** Why an AssumeRoot grant is not acceptable, or undefined when it is. */
function assumeRootProblem(s: PolicyStatement): string | undefined {
  const taskPolicies = conditionValues(s, 'StringEquals', 'sts:TaskPolicyArn');
  if (!taskPolicies || taskPolicies.length === 0) return 'no StringEquals sts:TaskPolicyArn condition';
  const other = taskPolicies.filter((arn) => arn !== AUDIT && arn !== DELETE);
  if (other.length > 0) return `task policies other than the audit/delete ones: ${other.join(', ')}`;
  if (s.resources.some((r) => r === '*')) return 'Resource "*" (not limited to account root principals)';
  return undefined;
}

describe('sts:AssumeRoot', () => {
  it('is never allowed without a sts:TaskPolicyArn condition naming only the two root task policies', () => {
    // Act
    const grants = statements.filter((s) => s.kind === 'identity' && allows(s, 'sts:AssumeRoot'));
    const problems = grants
      .map((s) => ({ s, problem: assumeRootProblem(s) }))
      .filter((p) => p.problem)
      .map(({ s, problem }) => `${s.stack}/${s.resourceId}${s.sid ? `#${s.sid}` : ''}: ${problem}`);
    const byTaskPolicy: Record<string, number> = {};
    for (const s of grants) {
      for (const arn of conditionValues(s, 'StringEquals', 'sts:TaskPolicyArn') ?? ['(none)']) {
        const name = arn.split('/').pop()!;
        byTaskPolicy[name] = (byTaskPolicy[name] ?? 0) + 1;
      }
    }
    // Assess
    recorder.add({
      id: 'least-privilege.assume-root',
      section: 'least-privilege',
      title: 'sts:AssumeRoot only with a sts:TaskPolicyArn condition',
      injected: `${statements.filter((s) => s.kind === 'identity').length} identity-policy statements of both stacks, IAM wildcards expanded`,
      outcome: `${grants.length} statements can grant sts:AssumeRoot (${Object.entries(byTaskPolicy)
        .map(([k, n]) => `${n}× ${k}`)
        .join(', ')}); ${problems.length} without the condition`,
      counts: { statementsChecked: statements.length, assumeRootGrants: grants.length, violations: problems.length },
      holds: problems.length === 0 && grants.length > 0,
    });
    expect(problems).toEqual([]);
    expect(grants.length).toBeGreaterThan(0);
    // Each grant names exactly one task policy: no function can both read and delete with one session.
    expect(grants.map((s) => conditionValues(s, 'StringEquals', 'sts:TaskPolicyArn')!.length)).toEqual(
      grants.map(() => 1),
    );
  });

  it('flags a grant without the condition (the check can fail)', () => {
    const bare: PolicyStatement = {
      stack: 'Test',
      resourceId: 'Bare',
      resourceType: 'AWS::IAM::Policy',
      kind: 'identity',
      effect: 'Allow',
      actions: ['sts:Assume*'],
      notActions: [],
      resources: ['arn:aws:iam::*:root'],
    };
    const other: PolicyStatement = {
      ...bare,
      condition: { StringEquals: { 'sts:TaskPolicyArn': 'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy' } },
    };
    expect(allows(bare, 'sts:AssumeRoot')).toBe(true);
    expect(allows({ ...bare, actions: [], notActions: ['s3:*'] }, 'sts:AssumeRoot')).toBe(true);
    expect(assumeRootProblem(bare)).toMatch(/no StringEquals/);
    expect(assumeRootProblem(other)).toMatch(/other than/);
  });
});

describe('the evidence bucket', () => {
  const evidenceBucket = (): [string, TemplateJson] => {
    const found = Object.entries<TemplateJson>(central.Resources).filter(
      ([, r]) => r.Type === 'AWS::S3::Bucket' && r.Properties?.ObjectLockEnabled === true,
    );
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const bucketStatements = (id: string) =>
    statements.filter((s) => s.kind === 'bucket' && s.resources.some((r) => r.startsWith(`\${${id}.Arn}`)));
  const deniesForEveryone = (s: PolicyStatement) =>
    s.effect === 'Deny' && (s.principal === '*' || s.principal?.AWS === '*');

  it('keeps every object for at least a year in COMPLIANCE mode, versioned', () => {
    const [, bucket] = evidenceBucket();
    const rule = bucket.Properties.ObjectLockConfiguration;
    const days = rule.Rule.DefaultRetention.Days ?? rule.Rule.DefaultRetention.Years * 365;
    recorder.add({
      id: 'least-privilege.evidence-object-lock',
      section: 'least-privilege',
      title: 'Evidence bucket: Object Lock',
      injected: 'the evidence bucket of the central stack',
      outcome: `Object Lock ${rule.ObjectLockEnabled}, ${rule.Rule.DefaultRetention.Mode} mode, ${days} days default retention, versioning ${bucket.Properties.VersioningConfiguration?.Status}`,
      counts: { retentionDays: days },
      holds: rule.Rule.DefaultRetention.Mode === 'COMPLIANCE' && days >= 365,
    });
    expect(rule.ObjectLockEnabled).toBe('Enabled');
    expect(rule.Rule.DefaultRetention.Mode).toBe('COMPLIANCE');
    expect(days).toBeGreaterThanOrEqual(365);
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('denies every request that does not use TLS', () => {
    const [id] = evidenceBucket();
    const tls = bucketStatements(id).filter(
      (s) =>
        deniesForEveryone(s) &&
        allows({ ...s, effect: 'Allow' }, 's3:GetObject') &&
        allows({ ...s, effect: 'Allow' }, 's3:PutObject') &&
        conditionValues(s, 'Bool', 'aws:SecureTransport')?.[0] === 'false',
    );
    recorder.add({
      id: 'least-privilege.evidence-tls-only',
      section: 'least-privilege',
      title: 'Evidence bucket: TLS only',
      injected: 'the evidence bucket policy',
      outcome: `${tls.length} Deny statement(s) for every principal when aws:SecureTransport is false`,
      counts: { denyStatements: tls.length },
      holds: tls.length > 0,
    });
    expect(tls.length).toBeGreaterThan(0);
  });

  it('grants no role of either stack a way to delete, unlock or re-configure evidence', () => {
    const [id] = evidenceBucket();
    const dangerous = [
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:DeleteBucket',
      's3:PutObjectRetention',
      's3:PutObjectLegalHold',
      's3:BypassGovernanceRetention',
      's3:PutBucketObjectLockConfiguration',
      's3:PutLifecycleConfiguration',
      's3:PutBucketPolicy',
      's3:DeleteBucketPolicy',
      's3:PutBucketVersioning',
    ];
    const onEvidence = (s: PolicyStatement) => s.resources.some((r) => r === '*' || r.includes(`\${${id}.Arn}`));
    const grants = statements
      .filter((s) => (s.kind === 'identity' || s.kind === 'bucket') && onEvidence(s))
      .flatMap((s) => dangerous.filter((a) => allows(s, a)).map((a) => `${s.resourceId}: ${a}`));
    recorder.add({
      id: 'least-privilege.evidence-no-delete-grant',
      section: 'least-privilege',
      title: 'Evidence bucket: no role may delete or unlock evidence',
      injected: `${dangerous.length} destructive S3 actions against every identity and bucket policy statement`,
      outcome: `${grants.length} grants`,
      counts: { destructiveActions: dangerous.length, grants: grants.length },
      holds: grants.length === 0,
    });
    expect(grants).toEqual([]);
  });

  it('denies deleting evidence in its bucket policy too, for every principal', () => {
    const [id] = evidenceBucket();
    const denies = bucketStatements(id).filter(
      (s) =>
        deniesForEveryone(s) &&
        !s.condition &&
        ['s3:DeleteObject', 's3:DeleteObjectVersion'].every((a) => allows({ ...s, effect: 'Allow' }, a)),
    );
    recorder.add({
      id: 'least-privilege.evidence-deny-delete',
      section: 'least-privilege',
      title: 'Evidence bucket: bucket policy denies deletes',
      injected: 'the evidence bucket policy',
      outcome: `${denies.length} unconditional Deny statement(s) for s3:DeleteObject and s3:DeleteObjectVersion`,
      counts: { denyStatements: denies.length },
      holds: denies.length > 0,
      ...(denies.length === 0
        ? {
            gap: 'The evidence bucket policy has no Deny for s3:DeleteObject/s3:DeleteObjectVersion. Object Lock (COMPLIANCE) refuses deleting a locked version, but any principal of the account with s3:DeleteObject can still hide the current evidence behind a delete marker.',
          }
        : {}),
    });
    expect(denies.length).toBeGreaterThan(0);
  });
});

/** A written reason for each statement that allows on `*`, matched by where it is and what it allows. */
interface Allowance {
  reason: string;
  matches: (s: PolicyStatement) => boolean;
}

const onlyActions = (s: PolicyStatement, allowed: string[]) =>
  s.notActions.length === 0 && s.actions.every((a) => allowed.includes(a));

/** Statements that allow wildcard actions on `*`. */
const WILDCARD_ALLOWANCES: Allowance[] = [
  {
    reason:
      'KMS key policy default statement: it delegates the use of this key to IAM policies of this account (every KMS key needs one, or it becomes unmanageable); "*" in a key policy means this key only.',
    matches: (s) =>
      s.kind === 'key' &&
      s.actions.length === 1 &&
      s.actions[0] === 'kms:*' &&
      /^arn:aws:iam::\d{12}:root$|^\$\{AWS::AccountId\}$/.test(resolvePrincipal(s)),
  },
  {
    reason:
      'KMS key policy: CloudWatch Logs encrypts this stack\'s log groups with the data key, only for log groups of this account (kms:EncryptionContext condition); "*" means this key.',
    matches: (s) => s.kind === 'key' && /logs\./.test(JSON.stringify(s.principal)) && Boolean(s.condition),
  },
  {
    reason:
      'KMS key policy: CloudWatch alarms, EventBridge and log delivery use the data key for encrypted SNS/SQS/log delivery of this account only (aws:SourceAccount condition); "*" means this key.',
    matches: (s) =>
      s.kind === 'key' &&
      /cloudwatch|events|delivery\.logs/.test(JSON.stringify(s.principal)) &&
      onlyActions(s, ['kms:Decrypt', 'kms:GenerateDataKey*']),
  },
  {
    reason:
      'KMS key policy: Secrets Manager uses the data key for the Slack secret, only when called through Secrets Manager (kms:ViaService condition); "*" means this key.',
    matches: (s) => s.kind === 'key' && Boolean(conditionValues(s, 'StringEquals', 'kms:ViaService')),
  },
  {
    reason: 'KMS key policy: S3 server access log delivery decrypts with the data key; "*" means this key.',
    matches: (s) =>
      s.kind === 'key' && /delivery\.logs/.test(JSON.stringify(s.principal)) && onlyActions(s, ['kms:Decrypt*']),
  },
];

/** Identity-policy actions that AWS does not scope to resources (or that the tool must use account-wide). */
const STAR_RESOURCE_ACTIONS: Record<string, string> = {
  'xray:PutTelemetryRecords': 'X-Ray has no resource-level permissions for sending traces.',
  'xray:PutTraceSegments': 'X-Ray has no resource-level permissions for sending traces.',
  'xray:GetSamplingRules': 'The X-Ray SDK reads sampling rules; X-Ray has no resource-level permissions for it.',
  'xray:GetSamplingTargets': 'The X-Ray SDK reads sampling targets; X-Ray has no resource-level permissions for it.',
  'organizations:ListAccounts': "Listing the organization's accounts has no resource-level permissions.",
  'organizations:DescribeOrganization': 'Describing the organization has no resource-level permissions.',
  'organizations:ListRoots':
    'Listing the roots has no resource-level permissions (the SCP coverage read starts there).',
  'organizations:ListPolicies':
    "Listing the SCPs (to find rootkey's own and count against the quota) has no resource-level permissions.",
  'organizations:DescribeAccount':
    'Read-only account metadata (name, status) for every account of the organization the sweep may read.',
  'organizations:ListAWSServiceAccessForOrganization': 'Read-only: whether centralized root access is trusted.',
  'iam:ListOrganizationsFeatures':
    'Reading whether centralized root access is enabled has no resource-level permissions.',
  'iam:ListAccountAliases': 'Account aliases have no resource-level permissions.',
  'iam:GetAccountSummary': 'The root key signal (AccountAccessKeysPresent) has no resource-level permissions.',
  'iam:GenerateCredentialReport': 'The credential report has no resource-level permissions.',
  'iam:GetCredentialReport': 'The credential report has no resource-level permissions.',
  'logs:CreateLogDelivery':
    'Step Functions execution logging requires these log-delivery actions on "*" (AWS documentation).',
  'logs:DeleteLogDelivery': 'Step Functions execution logging requires these log-delivery actions on "*".',
  'logs:DescribeLogGroups': 'Step Functions execution logging requires these log-delivery actions on "*".',
  'logs:DescribeResourcePolicies': 'Step Functions execution logging requires these log-delivery actions on "*".',
  'logs:GetLogDelivery': 'Step Functions execution logging requires these log-delivery actions on "*".',
  'logs:ListLogDeliveries': 'Step Functions execution logging requires these log-delivery actions on "*".',
  'logs:PutResourcePolicy': 'Step Functions execution logging requires these log-delivery actions on "*".',
  'logs:UpdateLogDelivery': 'Step Functions execution logging requires these log-delivery actions on "*".',
};

function resolvePrincipal(s: PolicyStatement): string {
  const aws = s.principal?.AWS;
  return typeof aws === 'string' ? aws : JSON.stringify(aws ?? s.principal ?? '');
}

describe('wildcards', () => {
  const onEverything = (s: PolicyStatement) => s.effect === 'Allow' && s.resources.includes('*');
  const where = (s: PolicyStatement) =>
    `${s.stack}/${s.resourceId}${s.sid ? `#${s.sid}` : ''} ${JSON.stringify(s.actions)}`;

  it('grants wildcard actions on all resources only where a written reason allows it', () => {
    // Act
    const wildcard = statements.filter(
      (s) => onEverything(s) && (s.notActions.length > 0 || s.actions.some((a) => a.includes('*'))),
    );
    const unexplained = wildcard.filter((s) => !WILDCARD_ALLOWANCES.some((a) => a.matches(s))).map(where);
    const unused = WILDCARD_ALLOWANCES.filter((a) => !wildcard.some((s) => a.matches(s))).map((a) => a.reason);
    // Assess
    recorder.add({
      id: 'least-privilege.wildcard-actions',
      section: 'least-privilege',
      title: 'Wildcard actions on "*" only with a written reason',
      injected: `${statements.length} statements (identity, trust, key, bucket, queue, topic, event bus policies)`,
      outcome: `${wildcard.length} Allow statements with a wildcard action on "*", all in KMS key policies with a reason; ${unexplained.length} unexplained`,
      counts: {
        statementsChecked: statements.length,
        wildcardOnStar: wildcard.length,
        unexplained: unexplained.length,
      },
      holds: unexplained.length === 0,
    });
    expect(unexplained).toEqual([]);
    // An allowance nobody needs any more is removed, so the list stays a list of reasons.
    expect(unused).toEqual([]);
  });

  it('grants identity-policy actions on all resources only where AWS offers no narrower resource', () => {
    // Act
    const onStar = statements.filter((s) => s.kind === 'identity' && onEverything(s));
    const actions = [...new Set(onStar.flatMap((s) => s.actions))].sort();
    const unexplained = actions.filter((a) => !STAR_RESOURCE_ACTIONS[a]);
    const assumeOnStar = onStar.filter((s) => s.actions.some((a) => /^sts:/i.test(a)));
    // Assess
    recorder.add({
      id: 'least-privilege.star-resources',
      section: 'least-privilege',
      title: 'Identity-policy actions on "*" only with a written reason',
      injected: `${onStar.length} identity-policy Allow statements on "*"`,
      outcome: `${actions.length} distinct actions, ${unexplained.length} without a reason; no sts:* action on "*"`,
      counts: { statements: onStar.length, actions: actions.length, unexplained: unexplained.length },
      holds: unexplained.length === 0 && assumeOnStar.length === 0,
    });
    expect(unexplained).toEqual([]);
    expect(assumeOnStar.map(where)).toEqual([]);
  });
});
