import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { cdkJsonContext } from '../../../infra/build-app';
import { EncryptionKeys } from '../../../infra/constructs/encryption-keys';
import { EvidenceStorage } from '../../../infra/constructs/evidence-storage';
import { TASK_IDS } from '../../../functions/handlers/task-ids';
import {
  actionsOf,
  functionIdOf,
  statementsOfRole,
  statementsOfTask,
  synthesizeApp,
  type SynthesizedApp,
  type TemplateJson,
} from '../../support/infra/synth';

/**
 * The central stack's template, synthesized once (with the cdk-nag packs: synthesis itself would
 * throw on an unacknowledged finding). Each test asserts the properties that matter, never the
 * whole template.
 */
let synthesized: SynthesizedApp;
let template: Template;

beforeAll(() => {
  synthesized = synthesizeApp();
  template = synthesized.centralTemplate;
}, 240_000);

/** A task policy ARN as the template writes it: partition-agnostic. */
const taskPolicy = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/root-task/${name}`]],
});
const AUDIT = taskPolicy('IAMAuditRootUserCredentials');
const DELETE = taskPolicy('IAMDeleteRootUserCredentials');

function assumeRootStatements(task: string): Record<string, TemplateJson>[] {
  return statementsOfTask(template, task).filter((s) => actionsOf([s]).includes('sts:AssumeRoot'));
}

describe('the workflows', () => {
  it('are Standard state machines with full logging, tracing and customer-managed encryption', () => {
    template.resourcePropertiesCountIs(
      'AWS::StepFunctions::StateMachine',
      {
        StateMachineType: 'STANDARD',
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
        TracingConfiguration: { Enabled: true },
        EncryptionConfiguration: Match.objectLike({ Type: 'CUSTOMER_MANAGED_KMS_KEY' }),
      },
      3,
    );
  });

  it('write JSONPath definitions, not JSONata', () => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    for (const machine of Object.values(machines)) {
      const definition = JSON.stringify(machine['Properties']['DefinitionString']);
      expect(definition).toContain('\\"QueryLanguage\\":\\"JSONPath\\"');
      expect(definition).not.toContain('JSONata');
    }
  });

  it('let EventBridge Scheduler start the remediation workflow when an accepted risk expires', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'rootkey-rechecks' });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'scheduler:createSchedule' }),
          Match.objectLike({
            Action: 'iam:PassRole',
            Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          }),
        ]),
      },
    });
  });
});

describe('the task functions', () => {
  it('run one function per task on Node.js 24, ARM64, traced, with their own log group', () => {
    for (const task of TASK_IDS) {
      const id = functionIdOf(template, task);
      const fn = template.findResources('AWS::Lambda::Function')[id]!;
      expect(fn['Properties']).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
        Handler: 'index.handler',
      });
    }
  });

  it('carry names and ARNs in their environment, never Slack secrets', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    // The task functions, the Slack app and the Prevention state machine's two functions.
    expect(functions.length).toBe(TASK_IDS.length + 3);
    for (const fn of functions) {
      const variables = fn['Properties']['Environment']['Variables'] as Record<string, unknown>;
      expect(Object.keys(variables)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/SLACK_(BOT_TOKEN|SIGNING_SECRET|APP_TOKEN)/)]),
      );
      expect(variables['SLACK_SECRET_ARN']).toEqual({ Ref: expect.stringMatching(/^SlackSecret/) });
      expect(variables['CASES_TABLE_NAME']).toEqual({ Ref: expect.stringMatching(/^CasesTable/) });
    }
  });

  it('keep their logs a year, encrypted with the data key', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(TASK_IDS.length + 3);
    for (const group of groups) {
      expect(group['Properties']).toMatchObject({
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^KeysDataKey/), 'Arn'] },
      });
    }
  });
});

describe('least privilege', () => {
  it('lets only the deletion task assume root, and only with the delete task policy', () => {
    const statements = assumeRootStatements('delete-keys');
    expect(statements).toEqual([
      expect.objectContaining({
        Action: 'sts:AssumeRoot',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:root']] },
        Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5', 'sts:TaskPolicyArn': DELETE } },
      }),
    ]);
  });

  it.each(['detect-root-keys', 'verify-removal', 'return-to-approval'])(
    'lets %s assume root with the audit task policy only',
    (task) => {
      const statements = assumeRootStatements(task);
      expect(statements).toHaveLength(1);
      expect(statements[0]!['Condition']).toEqual({
        StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5', 'sts:TaskPolicyArn': AUDIT },
      });
    },
  );

  it('gives no other task sts:AssumeRoot or sts:AssumeRole', () => {
    const readers = new Set(['delete-keys', 'detect-root-keys', 'verify-removal', 'return-to-approval']);
    for (const task of TASK_IDS.filter((t) => !readers.has(t))) {
      const actions = actionsOf(statementsOfTask(template, task));
      expect({ task, actions: actions.filter((a) => a.startsWith('sts:')) }).toEqual({ task, actions: [] });
    }
  });

  it('lets the read tasks assume only the read role, in the organization', () => {
    const assumeRole = statementsOfTask(template, 'detect-root-keys').find((s) => s['Action'] === 'sts:AssumeRole');
    expect(assumeRole).toEqual(
      expect.objectContaining({
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/RootKeyAudit']] },
        Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } },
      }),
    );
    expect(actionsOf(statementsOfTask(template, 'delete-keys'))).not.toContain('sts:AssumeRole');
  });

  it('lets only the Security Hub tasks update findings, on the hub of this account', () => {
    const withFindings = TASK_IDS.filter((t) =>
      actionsOf(statementsOfTask(template, t)).includes('securityhub:BatchUpdateFindings'),
    );
    expect(withFindings.sort()).toEqual(['request-approval', 'update-finding']);
  });

  it('keeps the Slack secret from tasks that never notify', () => {
    for (const task of ['normalize-trigger', 'detect-root-keys', 'delete-keys', 'verify-removal', 'update-finding']) {
      expect(actionsOf(statementsOfTask(template, task))).not.toContain('secretsmanager:GetSecretValue');
    }
    expect(actionsOf(statementsOfTask(template, 'request-approval'))).toContain('secretsmanager:GetSecretValue');
  });

  it('lets the normalize task do nothing but write its logs and traces', () => {
    expect(actionsOf(statementsOfTask(template, 'normalize-trigger')).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('lets the approval task answer tasks of the remediation workflow only', () => {
    const callbacks = statementsOfTask(template, 'request-approval').find((s) =>
      actionsOf([s]).includes('states:SendTaskSuccess'),
    );
    expect(callbacks).toEqual(
      expect.objectContaining({
        Action: ['states:SendTaskFailure', 'states:SendTaskSuccess'],
        Resource: { Ref: expect.stringMatching(/^RemediationStateMachine/) },
      }),
    );
  });

  it('lets the Slack app answer and start the remediation workflow', () => {
    const slack = Object.entries(template.findResources('AWS::Lambda::Function')).find(
      ([, fn]) => fn['Properties']['Environment']['Variables']['CASE_WORKFLOW_ARN'],
    );
    expect(slack).toBeDefined();
    const roleId = slack![1]['Properties']['Role']['Fn::GetAtt'][0] as string;
    const actions = actionsOf(statementsOfRole(template, roleId));
    expect(actions).toEqual(
      expect.arrayContaining(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:StartExecution']),
    );
    expect(actions).not.toContain('sts:AssumeRoot');
  });

  it('lets the Slack app invoke itself asynchronously (ack first), with retries and the alarmed dead-letter queue', () => {
    const [id, slack] = Object.entries(template.findResources('AWS::Lambda::Function')).find(
      ([, fn]) => fn['Properties']['Environment']['Variables']['CASE_WORKFLOW_ARN'],
    )!;
    const roleId = slack['Properties']['Role']['Fn::GetAtt'][0] as string;
    const invoke = statementsOfRole(template, roleId).filter((s) => actionsOf([s]).includes('lambda:InvokeFunction'));
    // Only this function, by its own ARN; no other function, no wildcard.
    expect(invoke).toEqual([expect.objectContaining({ Effect: 'Allow', Resource: { 'Fn::GetAtt': [id, 'Arn'] } })]);
    expect(actionsOf(invoke)).toEqual(['lambda:InvokeFunction']);
    // The dead-letter queue is the one the UndeliveredTriggers alarm watches.
    const dlq = slack['Properties']['DeadLetterConfig']['TargetArn']['Fn::GetAtt'][0] as string;
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find((a) =>
      JSON.stringify(a['Properties']['Dimensions'] ?? []).includes(dlq),
    );
    expect(alarm).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 240,
    });
    // Sending to the encrypted queue needs the data key as well.
    expect(actionsOf(statementsOfRole(template, roleId))).toEqual(
      expect.arrayContaining(['sqs:SendMessage', 'kms:GenerateDataKey', 'kms:Decrypt']),
    );
  });
});

describe('the case table', () => {
  it('has PITR, a customer-managed key, deletion protection and the byAccount index', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'byAccount',
          KeySchema: [
            { AttributeName: 'accountId', KeyType: 'HASH' },
            { AttributeName: 'openedAt', KeyType: 'RANGE' },
          ],
        }),
      ],
    });
  });
});

describe('the evidence bucket', () => {
  it('locks every object in COMPLIANCE mode for a year, versioned and encrypted with the data key', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
          }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^EvidenceAccessLogs') } },
    });
  });

  it('refuses requests without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^Evidence(?!AccessLogs)') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('refuses a PutObject on records, index entries and keys unless it carries If-None-Match: *', () => {
    const stack = new Stack(new App({ context: cdkJsonContext() }), 'CreateOnly');
    const storage = new EvidenceStorage(stack, 'Evidence', {
      encryptionKey: new EncryptionKeys(stack, 'Keys').dataKey,
      retentionYears: 1,
    });
    const objects = (pattern: string) => ({
      'Fn::Join': [
        '',
        [{ 'Fn::GetAtt': [stack.getLogicalId(storage.bucket.node.defaultChild as never), 'Arn'] }, `/${pattern}`],
      ],
    });

    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'EvidenceIsCreateOnly',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:PutObject',
            Resource: [objects('accounts/*'), objects('cases/*'), objects('public-key*')],
            Condition: { StringNotEquals: { 's3:if-none-match': '*' } },
          },
        ]),
      },
    });
  });

  it('lets function roles use the data key only through DynamoDB, S3, Secrets Manager or SQS, never directly', () => {
    const dataKeyId = Object.keys(template.findResources('AWS::KMS::Key')).find((id) => id.startsWith('KeysDataKey'))!;
    const roleIds = new Set(
      Object.values(template.findResources('AWS::Lambda::Function')).map(
        (fn) => fn['Properties']['Role']['Fn::GetAtt'][0] as string,
      ),
    );
    const onDataKey = [...roleIds]
      .flatMap((roleId) => statementsOfRole(template, roleId))
      .filter((st) => JSON.stringify(st['Resource']).includes(`"${dataKeyId}"`));
    // Every task role and the Slack role (UseTheDataKey), and the Slack dead-letter queue's statement.
    expect(onDataKey.filter((st) => st['Sid'] === 'UseTheDataKey').length).toBeGreaterThan(10);
    for (const st of onDataKey) {
      const conditions = st['Condition'] as Record<string, Record<string, unknown>> | undefined;
      const via = [conditions?.['StringEquals']?.['kms:ViaService'] ?? []].flat();
      expect(via.length).toBeGreaterThan(0);
      for (const service of via) expect(JSON.stringify(service)).toMatch(/^"(dynamodb|s3|secretsmanager|sqs)\./);
    }
  });

  it('denies deleting evidence objects to every principal', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^Evidence(?!AccessLogs)') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'EvidenceIsNeverDeleted',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
          }),
        ]),
      },
    });
  });

  it('keeps its retention configurable', () => {
    // The construct alone: a second synthesis of the whole app would only repeat the above.
    const stack = new Stack(new App({ context: cdkJsonContext() }), 'Retention');
    new EvidenceStorage(stack, 'Evidence', {
      encryptionKey: new EncryptionKeys(stack, 'Keys').dataKey,
      retentionYears: 7,
    });

    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: Match.objectLike({ Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } } }),
    });
  });
});

describe('keys and secrets', () => {
  it('rotates the data key and signs evidence with an ECC P-256 key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 365 });
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });

  it('keeps the Slack tokens in Secrets Manager, encrypted with the data key, with no value in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysDataKey'), 'Arn'] },
      SecretString: Match.absent(),
    });
  });
});

describe('triggers', () => {
  it('start the workflow for FAILED IAM.4 findings still to be handled', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.securityhub'],
        'detail-type': ['Security Hub Findings - Imported'],
        detail: {
          findings: {
            Compliance: { Status: ['FAILED'] },
            RecordState: ['ACTIVE'],
            Workflow: { Status: ['NEW'] },
            $or: [{ Compliance: { SecurityControlId: ['IAM.4'] } }, { ProductFields: { ControlId: ['IAM.4'] } }],
          },
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^RemediationStateMachine') } })],
    });
  });

  it('start the workflow for root CreateAccessKey on the central bus, not for keys of IAM users', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^TriggersCentralBus') },
      EventPattern: {
        source: ['aws.iam'],
        detail: Match.objectLike({
          eventName: ['CreateAccessKey'],
          userIdentity: { type: ['Root'] },
          requestParameters: { userName: [{ exists: false }] },
        }),
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('^RemediationStateMachine') },
          DeadLetterConfig: Match.anyValue(),
          RetryPolicy: Match.anyValue(),
        }),
      ],
    });
  });

  it('accept events on the central bus from accounts of the organization only', () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Action: 'events:PutEvents',
        Principal: { AWS: '*' },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      }),
    });
  });

  it('run the organization sweep daily', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 6 * * ? *)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^SweepStateMachine') } })],
    });
  });
});

describe('alarms', () => {
  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'raise %s of the three workflows to the alarm topic',
    (metric) => {
      template.resourcePropertiesCountIs(
        'AWS::CloudWatch::Alarm',
        {
          Namespace: 'AWS/States',
          MetricName: metric,
          Threshold: 1,
          AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
        },
        3,
      );
    },
  );

  it('encrypt the alarm topic with the data key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });
});

describe('the Slack endpoint', () => {
  it('takes POST /slack/events with the signature headers required', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'events' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'NONE',
      RequestParameters: {
        'method.request.header.X-Slack-Signature': true,
        'method.request.header.X-Slack-Request-Timestamp': true,
      },
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
  });

  it('throttles the stage and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: [
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }),
      ],
    });
  });

  it('prints the request URL to paste into the Slack app', () => {
    template.hasOutput('SlackRequestUrl', Match.anyValue());
  });
});

describe('synthesis', () => {
  it('needs no AWS credentials or lookups: the stack targets the configured account and Region', () => {
    expect(synthesized.central.account).toBe('222222222222');
    expect(synthesized.central.region).toBe('eu-west-1');
  });
});
