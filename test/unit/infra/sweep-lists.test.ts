import type { Template } from 'aws-cdk-lib/assertions';
import { WORKFLOW_ENV } from '../../../functions/core/shared-names';
import { SWEEP_LIST_EXPIRY_DAYS } from '../../../infra/constructs/organization-sweep';
import {
  actionsOf,
  statementsOfRole,
  statementsOfTask,
  synthesizeApp,
  type TemplateJson,
} from '../../support/infra/synth';

/**
 * The sweep-list bucket as synthesized (cdk-nag packs on: `synthesizeApp` throws on any finding
 * not acknowledged): who may write the lists, who may read them, and how they are kept.
 */
let template: Template;

beforeAll(() => {
  template = synthesizeApp().centralTemplate;
}, 240_000);

type Resources = Record<string, { Type: string; Properties: Record<string, TemplateJson> }>;

function listsBucketId(): string {
  const ids = Object.keys(template.findResources('AWS::S3::Bucket') as Resources).filter((id) =>
    id.startsWith('SweepLists'),
  );
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

function sweepRoleId(): string {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine') as Resources).filter((m) =>
    JSON.stringify(m.Properties['Tags']).includes('"sweep"'),
  );
  expect(machines).toHaveLength(1);
  return machines[0]!.Properties['RoleArn']['Fn::GetAtt'][0] as string;
}

const mentions = (statement: Record<string, TemplateJson>, id: string) => JSON.stringify(statement).includes(id);

describe('the sweep-list bucket', () => {
  it('is encrypted with the data key, TLS only, private, and expires lists after a week', () => {
    const bucket = (template.findResources('AWS::S3::Bucket') as Resources)[listsBucketId()]!.Properties;
    expect(bucket['BucketEncryption']['ServerSideEncryptionConfiguration'][0]).toMatchObject({
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' },
    });
    expect(bucket['PublicAccessBlockConfiguration']).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket['LifecycleConfiguration']['Rules']).toEqual([
      expect.objectContaining({ ExpirationInDays: SWEEP_LIST_EXPIRY_DAYS, Status: 'Enabled' }),
    ]);
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy') as Resources).filter((p) =>
      JSON.stringify(p.Properties['Bucket']).includes(listsBucketId()),
    );
    expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
  });

  it('lets only the list function write lists, under sweeps/, and tells it the bucket', () => {
    const id = listsBucketId();
    const writes = statementsOfTask(template, 'list-sweep-accounts').filter((s) => mentions(s, id));
    expect(writes).toEqual([
      expect.objectContaining({
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/sweeps/*']] },
      }),
    ]);
    const fns = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
    const withBucket = fns.filter((f) => f.Properties['Environment']?.['Variables']?.[WORKFLOW_ENV.sweepListBucket]);
    expect(withBucket).toHaveLength(1);
    expect(withBucket[0]!.Properties['Environment']['Variables'][WORKFLOW_ENV.sweepListBucket]).toEqual({ Ref: id });
    // No other task's role mentions the bucket.
    const others = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter(
      (p) => mentions(p.Properties, id) && !JSON.stringify(p.Properties['Roles']).includes('ListSweepAccounts'),
    );
    expect(others.map((p) => p.Properties['Roles'])).toEqual([[{ Ref: sweepRoleId() }]]);
  });

  it('lets the sweep state machine read lists (ItemReader), write results (ResultWriter) and use the key via S3 only', () => {
    const statements = statementsOfRole(template, sweepRoleId());
    const id = listsBucketId();
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/sweeps/*']] },
      }),
    );
    const onBucket = statements.filter((s) => mentions(s, id));
    expect(new Set(actionsOf(onBucket))).toEqual(
      new Set(['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']),
    );
    const viaS3 = statements.filter((s) => JSON.stringify(s['Condition'] ?? {}).includes('kms:ViaService'));
    expect(viaS3).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      }),
    ]);
  });
});

describe('the sweep summary', () => {
  it('may read the tally and the Slack secret, and write nothing', () => {
    const actions = actionsOf(statementsOfTask(template, 'post-sweep-summary'));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'secretsmanager:GetSecretValue']));
    expect(actions.filter((a) => /^dynamodb:(Put|Update|Delete)/.test(a))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual([]);
  });

  it.each(['open-case', 'record-duplicate-trigger', 'record-failure'])(
    'lets %s count on sweep tally items only',
    (task) => {
      const counting = statementsOfTask(template, task).filter((s) => actionsOf([s]).includes('dynamodb:UpdateItem'));
      expect(counting).toEqual([
        expect.objectContaining({
          Action: 'dynamodb:UpdateItem',
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SWEEP#*'] } },
        }),
      ]);
    },
  );

  it('expires the tallies through the case table TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});
