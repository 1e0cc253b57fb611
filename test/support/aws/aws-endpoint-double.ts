import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signDigestLikeKms, type FakeKmsKey } from '../evidence/fake-kms-ecdsa';

/**
 * A small stand-in for the AWS endpoints `rootkey serve` calls, for tests that run `serve` as a child
 * process with `AWS_ENDPOINT_URL` pointing here. It speaks the wire protocols the installed SDK v3
 * clients use (checked in node_modules/@aws-sdk/client-*: Organizations `AwsJson1_1Protocol`, STS and
 * IAM `AwsQueryProtocol`, Security Hub `AwsRestJsonProtocol` with `POST /findings` and
 * `PATCH /findings/batchupdate`):
 *
 * - Organizations (JSON 1.1, `X-Amz-Target: AWSOrganizationsV20161128.<Action>`): DescribeOrganization,
 *   ListAccounts, DescribeAccount.
 * - STS (query, form body `Action=…`, XML answer `<ActionResponse><ActionResult>…`): GetCallerIdentity,
 *   AssumeRoot (Regional STS; `TaskPolicyArn.arn` names the root-task policy) and AssumeRole (refused:
 *   the test organization has no read role).
 * - IAM (query): ListOrganizationsFeatures for the central caller; in root sessions GetAccountSummary,
 *   ListAccessKeys, GetAccessKeyLastUsed and DeleteAccessKey without UserName, each allowed or denied by
 *   the session's task policy (IAMAuditRootUserCredentials reads; IAMDeleteRootUserCredentials lists and
 *   deletes but cannot read the account summary — the restrictions DESIGN.md cites from AWS's docs).
 * - KMS (JSON 1.1, `X-Amz-Target: TrentService.<Action>`), when a key is configured: Sign over a digest
 *   (`MessageType: DIGEST`, ECDSA_SHA_256) and GetPublicKey, for `EVIDENCE_SIGNING_KEY_ARN`.
 * - Security Hub (REST-JSON): GetFindings (filters AwsAccountId / ComplianceSecurityControlId /
 *   RecordState) and BatchUpdateFindings (`Workflow.Status`, `Note`).
 *
 * Callers are told apart by the access key id in the SigV4 `Authorization` header (signatures are not
 * verified: this is a protocol double, not an authentication one). Every call is recorded with the
 * session it came from, so tests can assert what ran with which task policy.
 */
export interface DoubleKey {
  id: string;
  status: 'Active' | 'Inactive';
  createdAt: string;
  lastUsed?: { date: string; service: string; region: string };
}

export interface DoubleAccount {
  id: string;
  name: string;
  email: string;
  keys: DoubleKey[];
}

export interface DoubleFinding {
  Id: string;
  ProductArn: string;
  AwsAccountId: string;
  ComplianceStatus: 'FAILED' | 'PASSED';
  WorkflowStatus: string;
  RecordState: 'ACTIVE' | 'ARCHIVED';
  UpdatedAt: string;
  Notes: string[];
}

export interface RecordedAwsCall {
  service: 'organizations' | 'sts' | 'iam' | 'securityhub' | 'kms' | 'unknown';
  action: string;
  params: Record<string, unknown>;
  /** The caller: 'central' or the root session's account and task policy. */
  caller: { kind: 'central' } | { kind: 'root-session'; accountId: string; taskPolicyArn: string };
  status: number;
}

interface RootSession {
  accountId: string;
  taskPolicyArn: string;
}

const AUDIT_POLICY = 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials';
const DELETE_POLICY = 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';

/** What each root-task policy lets a root session do (only the calls rootkey makes are listed). */
const TASK_POLICY_ACTIONS: Record<string, ReadonlySet<string>> = {
  [AUDIT_POLICY]: new Set([
    'GetAccountSummary',
    'ListAccessKeys',
    'GetAccessKeyLastUsed',
    'GetUser',
    'GetLoginProfile',
    'ListMFADevices',
    'ListSigningCertificates',
  ]),
  [DELETE_POLICY]: new Set([
    'ListAccessKeys',
    'DeleteAccessKey',
    'GetAccessKeyLastUsed',
    'GetLoginProfile',
    'ListMFADevices',
    'ListSigningCertificates',
  ]),
};

export interface AwsEndpointDoubleOptions {
  managementAccountId: string;
  organizationId: string;
  /** The credentials the central process signs with (its `AWS_ACCESS_KEY_ID`). */
  centralAccessKeyId: string;
  /** The central caller's ARN (GetCallerIdentity). */
  centralArn: string;
  accounts: DoubleAccount[];
  findings?: DoubleFinding[];
  features?: string[];
  /** An asymmetric KMS signing key (`EVIDENCE_SIGNING_KEY_ARN`): Sign (MessageType DIGEST) and GetPublicKey. */
  kmsKey?: { arn: string; key: FakeKmsKey };
}

/** A service control policy and where it is attached (the organization's root is `r-root`). */
export interface DoubleScp {
  id: string;
  name: string;
  content: string;
  awsManaged: boolean;
  tags: Record<string, string>;
  targets: string[];
}

const ROOT_ID = 'r-root';
const FULL_AWS_ACCESS: DoubleScp = {
  id: 'p-FullAWSAccess',
  name: 'FullAWSAccess',
  content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
  awsManaged: true,
  tags: {},
  targets: [ROOT_ID],
};

export class AwsEndpointDouble {
  readonly calls: RecordedAwsCall[] = [];
  /** SCPs (enabled at the root, one OU-less level): FullAWSAccess on the root, and what CreatePolicy adds. */
  readonly scps: DoubleScp[] = [structuredClone(FULL_AWS_ACCESS)];
  readonly accounts: DoubleAccount[];
  readonly findings: DoubleFinding[];
  private readonly sessions = new Map<string, RootSession>();
  private server?: Server;
  private port = 0;
  private requestCounter = 0;

  constructor(private readonly options: AwsEndpointDoubleOptions) {
    this.accounts = options.accounts.map((a) => ({ ...a, keys: a.keys.map((k) => ({ ...k })) }));
    this.findings = (options.findings ?? []).map((f) => ({ ...f, Notes: [...f.Notes] }));
  }

  /** Back to the organization the double was built with: keys, findings, no sessions, no calls. */
  reset(): void {
    this.accounts.splice(
      0,
      this.accounts.length,
      ...this.options.accounts.map((a) => ({ ...a, keys: a.keys.map((k) => ({ ...k })) })),
    );
    this.findings.splice(
      0,
      this.findings.length,
      ...(this.options.findings ?? []).map((f) => ({ ...f, Notes: [...f.Notes] })),
    );
    this.scps.splice(0, this.scps.length, structuredClone(FULL_AWS_ACCESS));
    this.sessions.clear();
    this.calls.length = 0;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The value for `AWS_ENDPOINT_URL`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  account(id: string): DoubleAccount {
    const found = this.accounts.find((a) => a.id === id);
    if (!found) throw new Error(`no account ${id} in the double`);
    return found;
  }

  callsTo(action: string): RecordedAwsCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  // ---- transport ------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const auth = String(req.headers.authorization ?? '');
    const credential = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
    const accessKeyId = credential?.[1] ?? '';
    const signingService = credential?.[2] ?? '';
    const session = this.sessions.get(accessKeyId);
    const caller: RecordedAwsCall['caller'] = session
      ? { kind: 'root-session', accountId: session.accountId, taskPolicyArn: session.taskPolicyArn }
      : { kind: 'central' };
    if (!session && accessKeyId !== this.options.centralAccessKeyId) {
      return this.queryError(
        res,
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const requestId = `double-${++this.requestCounter}`;
    res.setHeader('x-amzn-requestid', requestId);
    const record = (service: RecordedAwsCall['service'], action: string, params: Record<string, unknown>) => {
      const call: RecordedAwsCall = { service, action, params, caller, status: 200 };
      this.calls.push(call);
      return call;
    };

    if (target.startsWith('AWSOrganizationsV20161128.')) {
      const action = target.slice('AWSOrganizationsV20161128.'.length);
      const params = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const call = record('organizations', action, params);
      const answer = this.organizations(action, params, session);
      call.status = answer.status;
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answer.body));
      return;
    }
    if (target.startsWith('TrentService.')) {
      const action = target.slice('TrentService.'.length);
      const params = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const call = record('kms', action, params);
      const answer = this.kms(action, params);
      call.status = answer.status;
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answer.body));
      return;
    }
    if (signingService === 'securityhub') {
      const path = (req.url ?? '/').split('?')[0]!;
      const params = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const action =
        req.method === 'POST' && path === '/findings'
          ? 'GetFindings'
          : req.method === 'PATCH' && path === '/findings/batchupdate'
            ? 'BatchUpdateFindings'
            : `${req.method} ${path}`;
      const call = record('securityhub', action, params);
      const answer = this.securityHub(action, params);
      call.status = answer.status;
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
      return;
    }
    const form = Object.fromEntries(new URLSearchParams(raw));
    const action = form['Action'] ?? '';
    const service = signingService === 'sts' ? 'sts' : signingService === 'iam' ? 'iam' : 'unknown';
    const call = record(service, action, form);
    const answer =
      service === 'sts'
        ? this.sts(action, form, session)
        : service === 'iam'
          ? this.iam(action, form, session)
          : { status: 400, error: { code: 'UnknownService', message: `no ${signingService} here` } };
    call.status = answer.status;
    if ('error' in answer && answer.error)
      return this.queryError(res, answer.status, answer.error.code, answer.error.message);
    const xml = `<${action}Response xmlns="https://${service}.amazonaws.com/doc/${service === 'sts' ? '2011-06-15' : '2010-05-08'}/">${
      'result' in answer && answer.result !== undefined ? `<${action}Result>${answer.result}</${action}Result>` : ''
    }<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(xml);
  }

  private queryError(res: ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(
      `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>double-error</RequestId></ErrorResponse>`,
    );
  }

  // ---- services -------------------------------------------------------------------------------

  private organizations(
    action: string,
    params: Record<string, unknown>,
    session: RootSession | undefined,
  ): { status: number; body: unknown } {
    if (session) return jsonError(403, 'AccessDeniedException', 'root sessions cannot call Organizations');
    const { managementAccountId, organizationId } = this.options;
    const toJson = (a: DoubleAccount) => ({
      Id: a.id,
      Arn: `arn:aws:organizations::${managementAccountId}:account/${organizationId}/${a.id}`,
      Name: a.name,
      Email: a.email,
      Status: 'ACTIVE',
      State: 'ACTIVE',
      JoinedMethod: 'CREATED',
      JoinedTimestamp: 1_700_000_000,
    });
    switch (action) {
      case 'DescribeOrganization':
        return {
          status: 200,
          body: {
            Organization: {
              Id: organizationId,
              Arn: `arn:aws:organizations::${managementAccountId}:organization/${organizationId}`,
              FeatureSet: 'ALL',
              MasterAccountId: managementAccountId,
              MasterAccountArn: `arn:aws:organizations::${managementAccountId}:account/${organizationId}/${managementAccountId}`,
              MasterAccountEmail: 'management@example.com',
            },
          },
        };
      case 'ListAccounts':
        return { status: 200, body: { Accounts: this.accounts.map(toJson) } };
      case 'DescribeAccount': {
        const found = this.accounts.find((a) => a.id === params['AccountId']);
        if (!found) return jsonError(400, 'AccountNotFoundException', 'You specified an account that does not exist.');
        return { status: 200, body: { Account: toJson(found) } };
      }
      case 'ListRoots':
        return {
          status: 200,
          body: {
            Roots: [
              {
                Id: ROOT_ID,
                Name: 'Root',
                Arn: `arn:aws:organizations::${managementAccountId}:root/${organizationId}/${ROOT_ID}`,
                PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
              },
            ],
          },
        };
      case 'ListOrganizationalUnitsForParent':
        return { status: 200, body: { OrganizationalUnits: [] } };
      case 'ListAccountsForParent':
        return { status: 200, body: { Accounts: params['ParentId'] === ROOT_ID ? this.accounts.map(toJson) : [] } };
      case 'ListPolicies':
      case 'ListPoliciesForTarget': {
        const listed = this.scps.filter(
          (p) => action === 'ListPolicies' || p.targets.includes(String(params['TargetId'])),
        );
        return { status: 200, body: { Policies: listed.map((p) => this.scpSummary(p)) } };
      }
      case 'DescribePolicy': {
        const found = this.scps.find((p) => p.id === params['PolicyId']);
        if (!found)
          return jsonError(
            400,
            'PolicyNotFoundException',
            "We can't find a policy with the PolicyId that you specified.",
          );
        return { status: 200, body: { Policy: { PolicySummary: this.scpSummary(found), Content: found.content } } };
      }
      case 'ListTagsForResource': {
        const found = this.scps.find((p) => p.id === params['ResourceId']);
        return {
          status: 200,
          body: { Tags: Object.entries(found?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) },
        };
      }
      case 'CreatePolicy': {
        const tags = (params['Tags'] ?? []) as { Key: string; Value: string }[];
        const created: DoubleScp = {
          id: `p-${randomBytes(4).toString('hex')}`,
          name: String(params['Name']),
          content: String(params['Content']),
          awsManaged: false,
          tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
          targets: [],
        };
        this.scps.push(created);
        return { status: 200, body: { Policy: { PolicySummary: this.scpSummary(created), Content: created.content } } };
      }
      case 'AttachPolicy': {
        const found = this.scps.find((p) => p.id === params['PolicyId']);
        if (!found) return jsonError(400, 'PolicyNotFoundException', 'no such policy');
        const target = String(params['TargetId']);
        if (found.targets.includes(target))
          return jsonError(400, 'DuplicatePolicyAttachmentException', 'already attached');
        found.targets.push(target);
        return { status: 200, body: {} };
      }
      default:
        return jsonError(400, 'InvalidAction', `the double does not answer Organizations ${action}`);
    }
  }

  private scpSummary(p: DoubleScp): Record<string, unknown> {
    return {
      Id: p.id,
      Arn: `arn:aws:organizations::${this.options.managementAccountId}:policy/${this.options.organizationId}/service_control_policy/${p.id}`,
      Name: p.name,
      Type: 'SERVICE_CONTROL_POLICY',
      AwsManaged: p.awsManaged,
    };
  }

  private sts(
    action: string,
    form: Record<string, string>,
    session: RootSession | undefined,
  ): { status: number; result?: string; error?: { code: string; message: string } } {
    switch (action) {
      case 'GetCallerIdentity':
        if (session)
          return {
            status: 200,
            result: `<Arn>arn:aws:iam::${session.accountId}:root</Arn><UserId>${session.accountId}</UserId><Account>${session.accountId}</Account>`,
          };
        return {
          status: 200,
          result: `<Arn>${this.options.centralArn}</Arn><UserId>AIDACENTRAL</UserId><Account>${this.options.managementAccountId}</Account>`,
        };
      case 'AssumeRoot': {
        if (session)
          return { status: 403, error: { code: 'AccessDenied', message: 'root sessions cannot AssumeRoot' } };
        const accountId = form['TargetPrincipal'] ?? '';
        const taskPolicyArn = form['TaskPolicyArn.arn'] ?? '';
        const duration = Number(form['DurationSeconds'] ?? 900);
        if (!TASK_POLICY_ACTIONS[taskPolicyArn])
          return { status: 400, error: { code: 'ValidationError', message: `unknown task policy ${taskPolicyArn}` } };
        if (duration > 900)
          return { status: 400, error: { code: 'ValidationError', message: 'DurationSeconds must be at most 900' } };
        if (accountId === this.options.managementAccountId || !this.accounts.some((a) => a.id === accountId))
          return {
            status: 403,
            error: { code: 'AccessDenied', message: `AssumeRoot is not allowed for ${accountId}` },
          };
        const keyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
        this.sessions.set(keyId, { accountId, taskPolicyArn });
        const expiration = new Date(Date.now() + duration * 1000).toISOString();
        return {
          status: 200,
          result: `<Credentials><AccessKeyId>${keyId}</AccessKeyId><SecretAccessKey>${randomBytes(20).toString('hex')}</SecretAccessKey><SessionToken>${randomBytes(32).toString('base64')}</SessionToken><Expiration>${expiration}</Expiration></Credentials><SourceIdentity>rootkey</SourceIdentity>`,
        };
      }
      case 'AssumeRole':
        return { status: 403, error: { code: 'AccessDenied', message: 'the test organization has no read role' } };
      default:
        return { status: 400, error: { code: 'InvalidAction', message: `the double does not answer STS ${action}` } };
    }
  }

  private iam(
    action: string,
    form: Record<string, string>,
    session: RootSession | undefined,
  ): { status: number; result?: string; error?: { code: string; message: string } } {
    if (!session) {
      if (action === 'ListOrganizationsFeatures') {
        const features = this.options.features ?? ['RootCredentialsManagement', 'RootSessions'];
        return {
          status: 200,
          result: `<OrganizationId>${this.options.organizationId}</OrganizationId><EnabledFeatures>${features.map((f) => `<member>${f}</member>`).join('')}</EnabledFeatures>`,
        };
      }
      if (action === 'GenerateCredentialReport') return { status: 200, result: '<State>COMPLETE</State>' };
      if (action === 'GetCredentialReport') {
        const own = this.accounts.find((a) => a.id === this.options.managementAccountId);
        return {
          status: 200,
          result: `<Content>${Buffer.from(credentialReport(this.options.managementAccountId, own?.keys ?? [])).toString('base64')}</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>${new Date().toISOString()}</GeneratedTime>`,
        };
      }
      if (action === 'GetAccountSummary') {
        // The central caller reads its own (management) account.
        const own = this.accounts.find((a) => a.id === this.options.managementAccountId);
        return { status: 200, result: summary(own?.keys.length ?? 0) };
      }
      return { status: 403, error: { code: 'AccessDenied', message: `central caller may not call iam:${action}` } };
    }
    if (!TASK_POLICY_ACTIONS[session.taskPolicyArn]?.has(action)) {
      return {
        status: 403,
        error: {
          code: 'AccessDenied',
          message: `User: arn:aws:iam::${session.accountId}:root is not authorized to perform: iam:${action} (task policy ${session.taskPolicyArn})`,
        },
      };
    }
    if (form['UserName'])
      return { status: 400, error: { code: 'ValidationError', message: 'root sessions act on the root user only' } };
    const account = this.account(session.accountId);
    switch (action) {
      case 'GetAccountSummary':
        return { status: 200, result: summary(account.keys.length) };
      case 'ListAccessKeys':
        return {
          status: 200,
          result: `<AccessKeyMetadata>${account.keys
            .map(
              (k) =>
                `<member><AccessKeyId>${k.id}</AccessKeyId><Status>${k.status}</Status><CreateDate>${k.createdAt}</CreateDate></member>`,
            )
            .join('')}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`,
        };
      case 'GetAccessKeyLastUsed': {
        const key = account.keys.find((k) => k.id === form['AccessKeyId']);
        if (!key) return { status: 404, error: { code: 'NoSuchEntity', message: 'The access key does not exist' } };
        const used = key.lastUsed;
        return {
          status: 200,
          result: `<AccessKeyLastUsed>${
            used
              ? `<LastUsedDate>${used.date}</LastUsedDate><ServiceName>${used.service}</ServiceName><Region>${used.region}</Region>`
              : '<ServiceName>N/A</ServiceName><Region>N/A</Region>'
          }</AccessKeyLastUsed>`,
        };
      }
      case 'DeleteAccessKey': {
        const index = account.keys.findIndex((k) => k.id === form['AccessKeyId']);
        if (index < 0)
          return { status: 404, error: { code: 'NoSuchEntity', message: 'The access key does not exist' } };
        account.keys.splice(index, 1);
        return { status: 200 };
      }
      case 'GetLoginProfile':
        // The double's root users have no console password, MFA device or signing certificate.
        return {
          status: 404,
          error: { code: 'NoSuchEntity', message: 'Login Profile for User root cannot be found.' },
        };
      case 'ListMFADevices':
        return { status: 200, result: '<MFADevices/><IsTruncated>false</IsTruncated>' };
      case 'ListSigningCertificates':
        return { status: 200, result: '<Certificates/><IsTruncated>false</IsTruncated>' };
      default:
        return { status: 400, error: { code: 'InvalidAction', message: `the double does not answer IAM ${action}` } };
    }
  }

  /** KMS (JSON 1.1, `X-Amz-Target: TrentService.<Action>`; blobs are base64 in JSON). */
  private kms(action: string, params: Record<string, unknown>): { status: number; body: unknown } {
    const key = this.options.kmsKey;
    if (!key || params['KeyId'] !== key.arn)
      return jsonError(400, 'NotFoundException', `no key ${String(params['KeyId'])}`);
    if (action === 'GetPublicKey')
      return {
        status: 200,
        body: {
          KeyId: key.arn,
          PublicKey: Buffer.from(key.key.publicKeyDer).toString('base64'),
          KeySpec: 'ECC_NIST_P256',
          KeyUsage: 'SIGN_VERIFY',
          SigningAlgorithms: ['ECDSA_SHA_256'],
        },
      };
    if (action === 'Sign') {
      if (params['MessageType'] !== 'DIGEST' || params['SigningAlgorithm'] !== 'ECDSA_SHA_256')
        return jsonError(400, 'ValidationException', 'the double signs 32-byte digests with ECDSA_SHA_256 only');
      const digest = Buffer.from(String(params['Message']), 'base64');
      return {
        status: 200,
        body: {
          KeyId: key.arn,
          Signature: signDigestLikeKms(key.key, digest).toString('base64'),
          SigningAlgorithm: 'ECDSA_SHA_256',
        },
      };
    }
    return jsonError(400, 'InvalidAction', `the double does not answer KMS ${action}`);
  }

  private securityHub(action: string, params: Record<string, unknown>): { status: number; body: unknown } {
    if (action === 'GetFindings') {
      const filters = (params['Filters'] ?? {}) as Record<string, { Value: string; Comparison: string }[]>;
      const wanted = (name: string) => filters[name]?.map((f) => f.Value);
      const matches = this.findings.filter(
        (f) =>
          (!wanted('AwsAccountId') || wanted('AwsAccountId')!.includes(f.AwsAccountId)) &&
          (!wanted('RecordState') || wanted('RecordState')!.includes(f.RecordState)) &&
          (!wanted('ComplianceSecurityControlId') || wanted('ComplianceSecurityControlId')!.includes('IAM.4')),
      );
      return {
        status: 200,
        body: {
          Findings: matches.map((f) => ({
            SchemaVersion: '2018-10-08',
            Id: f.Id,
            ProductArn: f.ProductArn,
            GeneratorId: 'security-control/IAM.4',
            AwsAccountId: f.AwsAccountId,
            CreatedAt: f.UpdatedAt,
            UpdatedAt: f.UpdatedAt,
            Title: 'IAM root user access key should not exist',
            Description: 'This control checks whether the root user access key is available.',
            Severity: { Label: 'CRITICAL' },
            Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${f.AwsAccountId}` }],
            Compliance: { Status: f.ComplianceStatus, SecurityControlId: 'IAM.4' },
            Workflow: { Status: f.WorkflowStatus },
            RecordState: f.RecordState,
          })),
        },
      };
    }
    if (action === 'BatchUpdateFindings') {
      const ids = (params['FindingIdentifiers'] ?? []) as { Id: string; ProductArn: string }[];
      const status = (params['Workflow'] as { Status?: string } | undefined)?.Status;
      const note = (params['Note'] as { Text?: string } | undefined)?.Text;
      const processed: unknown[] = [];
      const unprocessed: unknown[] = [];
      for (const id of ids) {
        const finding = this.findings.find((f) => f.Id === id.Id && f.ProductArn === id.ProductArn);
        if (!finding) {
          unprocessed.push({ FindingIdentifier: id, ErrorCode: 'FindingNotFound', ErrorMessage: 'no such finding' });
          continue;
        }
        if (status) finding.WorkflowStatus = status;
        if (note) finding.Notes.push(note);
        processed.push(id);
      }
      return { status: 200, body: { ProcessedFindings: processed, UnprocessedFindings: unprocessed } };
    }
    return jsonError(404, 'ResourceNotFoundException', `the double does not answer Security Hub ${action}`);
  }
}

/** The IAM credential report's CSV (header as IAM documents it) with only the root user's row. */
function credentialReport(accountId: string, keys: DoubleKey[]): string {
  const header =
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
  const key = (k: DoubleKey | undefined) =>
    k
      ? [
          String(k.status === 'Active'),
          k.createdAt,
          k.lastUsed?.date ?? 'N/A',
          k.lastUsed?.region ?? 'N/A',
          k.lastUsed?.service ?? 'N/A',
        ]
      : ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  const row = [
    '<root_account>',
    `arn:aws:iam::${accountId}:root`,
    '2020-01-01T00:00:00+00:00',
    'not_supported',
    'N/A',
    'not_supported',
    'not_supported',
    'true',
    ...key(keys[0]),
    ...key(keys[1]),
    'false',
    'N/A',
    'false',
    'N/A',
  ];
  return `${header}\n${row.join(',')}\n`;
}

function summary(keys: number): string {
  return `<SummaryMap><entry><key>AccountAccessKeysPresent</key><value>${keys > 0 ? 1 : 0}</value></entry><entry><key>AccountMFAEnabled</key><value>1</value></entry></SummaryMap>`;
}

function jsonError(status: number, type: string, message: string): { status: number; body: unknown } {
  return { status, body: { __type: type, message } };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
