import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeKmsKey, signDigestLikeKms, type FakeKmsKey } from '../../test/support/evidence/fake-kms-ecdsa';

/** The Slack secret the stub's Secrets Manager hands out (the Slack benchmark signs with it). */
export const STUB_SLACK_SECRET = { signingSecret: 'bench-signing-secret', botToken: 'xoxb-bench-token' };

/** A DynamoDB attribute value as it travels on the wire (`{"S": "…"}`, `{"M": {…}}`, …). */
type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

/** One request the stub answered: which service and action, and the status it gave. */
export interface StubCall {
  service:
    'dynamodb' | 'kms' | 'lambda' | 's3' | 'sfn' | 'secretsmanager' | 'securityhub' | 'slack' | 'query' | 'other';
  action: string;
  status: number;
  /** For Step Functions and Slack: the request's parameters (task token, channel, …). */
  params?: Record<string, unknown>;
  /** When the stub received the call (epoch ms): places it within an invocation. */
  at: number;
}

export interface AwsStubOptions {
  /** Milliseconds every AWS answer waits before it is sent (a realistic in-Region round trip). */
  awsLatencyMs?: number;
  /** Milliseconds every Slack Web API / response_url answer waits (Slack is farther away than AWS). */
  slackLatencyMs?: number;
  /**
   * Where STS, IAM, Organizations and Security Hub calls go instead (another endpoint, e.g. the
   * tests' `AwsEndpointDouble` with an organization): without one, query-protocol calls get a 400.
   */
  delegateUrl?: string;
}

export interface AwsStub {
  url: string;
  /** Requests answered so far. */
  readonly requests: number;
  readonly calls: StubCall[];
  /** Stores an item in a table as `PutItem` would (DynamoDB JSON), e.g. to seed a case. */
  putItem(table: string, item: Item): void;
  getItem(table: string, pk: string): Item | undefined;
  /** Forgets every item, object and recorded call (a fresh account for the next run). */
  reset(): void;
  /** Objects in the evidence bucket(s), keyed `bucket/key`. */
  readonly objects: ReadonlyMap<string, string>;
  /** Asynchronous Lambda invocations queued so far and not yet taken (also `GET /__stub/lambda-invocations`). */
  takeInvocations(): QueuedInvocation[];
  close(): Promise<void>;
}

/** An asynchronous `lambda:Invoke` the stub accepted (202): which function, and the event. */
export interface QueuedInvocation {
  functionName: string;
  payload: unknown;
}

/** The harness's own route: answers the queued invocations (and forgets them), without latency or record. */
export const STUB_INVOCATIONS_PATH = '/__stub/lambda-invocations';

/**
 * A local HTTP server that stands in for every AWS endpoint a rootkey Lambda calls
 * (`AWS_ENDPOINT_URL`), so that a bundled handler's invocation makes its real SDK calls, over the
 * real wire protocols, and succeeds:
 *
 * - DynamoDB (JSON 1.0, `DynamoDB_20120810.*`): GetItem, PutItem, DeleteItem, TransactWriteItems,
 *   Query, Scan over tables keyed by `pk`, with the condition expressions the case store writes
 *   (`attribute_not_exists(pk)`, `#version = :expected`, `… OR caseId = :caseId`) evaluated, so a
 *   conflicting write is refused as DynamoDB refuses it. Any other action or condition is a 400: a
 *   handler that needs more fails loudly instead of being timed on a wrong answer.
 * - KMS (`TrentService.*`): Sign (digest, ECDSA_SHA_256) and GetPublicKey of one P-256 key, so
 *   evidence records are signed and verifiable.
 * - S3 (REST, path style as the SDK uses for an IP endpoint): PutObject (with `If-None-Match: *`),
 *   GetObject, ListObjectsV2 and ListObjectVersions, with aws-chunked bodies decoded.
 * - Secrets Manager GetSecretValue (the Slack secret), Step Functions (SendTaskSuccess/Failure,
 *   StartExecution), Security Hub (GetFindings: none; BatchUpdateFindings: processed).
 * - Paths under `/slack/`: the Slack Web API (`SLACK_API_URL`) and response URLs, answering
 *   `{"ok": true}` (with `ts`/`channel` for chat.postMessage).
 * - With `delegateUrl`: STS, IAM, Organizations and Security Hub calls are forwarded there (the
 *   benchmark's organization double). Without it, query-protocol calls (STS, IAM) get a
 *   non-retryable 400 `ValidationError`.
 *
 * Every answer waits `awsLatencyMs` (Slack: `slackLatencyMs`) first. Every request is recorded.
 */
export async function startAwsStub(options: AwsStubOptions = {}): Promise<AwsStub> {
  const awsLatency = options.awsLatencyMs ?? 0;
  const slackLatency = options.slackLatencyMs ?? 0;
  const tables = new Map<string, Map<string, Item>>();
  const objects = new Map<string, string>();
  const calls: StubCall[] = [];
  const invocations: QueuedInvocation[] = [];
  const takeInvocations = () => invocations.splice(0, invocations.length);
  const key: FakeKmsKey = fakeKmsKey();
  const state = { requests: 0 };
  const table = (name: string) => {
    let t = tables.get(name);
    if (!t) tables.set(name, (t = new Map()));
    return t;
  };

  const server: Server = createServer((req, res) => {
    state.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (req.url === STUB_INVOCATIONS_PATH) {
        send(res, json(200, takeInvocations(), 'application/json'));
        return;
      }
      const isSlack = (req.url ?? '').startsWith('/slack/');
      let answer: Answer | Promise<Answer>;
      try {
        answer = isSlack
          ? slackAnswer(req, raw, calls)
          : options.delegateUrl && delegated(req)
            ? forward(options.delegateUrl, req, raw, calls)
            : awsAnswer(req, raw, { table, objects, calls, key, invocations });
      } catch (error) {
        answer = jsonError(400, 'ValidationException', `benchmark stub: ${(error as Error).message}`);
      }
      void Promise.resolve(answer).then((a) => setTimeout(() => send(res, a), isSlack ? slackLatency : awsLatency));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    calls,
    objects,
    takeInvocations,
    putItem: (name, item) => void table(name).set(pkOf(item), structuredClone(item)),
    getItem: (name, pk) => table(name).get(pk),
    reset: () => {
      tables.clear();
      objects.clear();
      calls.length = 0;
      invocations.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** STS, IAM (query protocol), Organizations and Security Hub: what an organization double answers. */
function delegated(req: IncomingMessage): boolean {
  const target = String(req.headers['x-amz-target'] ?? '');
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/.exec(
    String(req.headers.authorization ?? ''),
  )?.[1];
  return (
    target.startsWith('AWSOrganizationsV20161128.') ||
    service === 'sts' ||
    service === 'iam' ||
    service === 'securityhub'
  );
}

function forward(base: string, req: IncomingMessage, raw: Buffer, calls: StubCall[]): Promise<Answer> {
  return new Promise((resolve) => {
    const url = new URL(req.url ?? '/', base);
    const out = httpRequest(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const action =
          target || new URLSearchParams(raw.toString('utf8')).get('Action') || `${req.method} ${url.pathname}`;
        calls.push({ service: 'query', action, status: res.statusCode ?? 0, at: Date.now() });
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
        delete headers['content-length'];
        delete headers['transfer-encoding'];
        resolve({ status: res.statusCode ?? 502, headers, body: Buffer.concat(parts).toString('utf8') });
      });
    });
    out.on('error', (error) => resolve(jsonError(502, 'ServiceUnavailable', error.message)));
    out.end(raw);
  });
}

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { 'x-amzn-requestid': 'bench-stub', ...answer.headers });
  res.end(answer.body);
}

const json = (status: number, body: unknown, contentType = 'application/x-amz-json-1.0'): Answer => ({
  status,
  headers: { 'content-type': contentType },
  body: JSON.stringify(body),
});

function jsonError(status: number, code: string, message: string, extra: Record<string, unknown> = {}): Answer {
  return json(status, { __type: `com.amazonaws.stub#${code}`, message, ...extra });
}

const xml = (status: number, body: string): Answer => ({
  status,
  headers: { 'content-type': 'application/xml' },
  body,
});

function slackAnswer(req: IncomingMessage, raw: Buffer, calls: StubCall[]): Answer {
  const path = (req.url ?? '').split('?')[0]!;
  const method = path.startsWith('/slack/api/') ? path.slice('/slack/api/'.length) : 'response_url';
  const text = raw.toString('utf8');
  let params: Record<string, unknown>;
  try {
    params = text.startsWith('{')
      ? (JSON.parse(text) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(text));
  } catch {
    params = {};
  }
  calls.push({ service: 'slack', action: method, status: 200, params, at: Date.now() });
  const extra =
    method === 'chat.postMessage' || method === 'chat.postEphemeral' || method === 'chat.update'
      ? {
          channel: params['channel'] ?? 'C0ROOTKEYS',
          ts: params['ts'] ?? '1767225600.000200',
          message_ts: '1767225600.000200',
        }
      : {};
  return json(200, { ok: true, ...extra }, 'application/json');
}

interface StubState {
  table: (name: string) => Map<string, Item>;
  objects: Map<string, string>;
  calls: StubCall[];
  key: FakeKmsKey;
  invocations: QueuedInvocation[];
}

function awsAnswer(req: IncomingMessage, raw: Buffer, s: StubState): Answer {
  const target = String(req.headers['x-amz-target'] ?? '');
  const auth = String(req.headers.authorization ?? '');
  const signingService = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/.exec(auth)?.[1] ?? '';
  const record = (service: StubCall['service'], action: string, answer: Answer, params?: Record<string, unknown>) => {
    s.calls.push({ service, action, status: answer.status, ...(params ? { params } : {}), at: Date.now() });
    return answer;
  };
  const body = () => (raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {});

  if (target.startsWith('DynamoDB_20120810.')) {
    const action = target.slice('DynamoDB_20120810.'.length);
    return record('dynamodb', action, dynamodb(action, body(), s.table));
  }
  if (target.startsWith('TrentService.')) {
    const action = target.slice('TrentService.'.length);
    return record('kms', action, kms(action, body(), s.key));
  }
  if (target.startsWith('AWSStepFunctions.')) {
    const action = target.slice('AWSStepFunctions.'.length);
    const params = body();
    const answer =
      action === 'StartExecution'
        ? json(200, {
            executionArn: `arn:aws:states:us-east-1:123456789012:execution:rootkey:${String(params['name'] ?? 'bench')}`,
            startDate: Date.now() / 1000,
          })
        : action === 'SendTaskSuccess' || action === 'SendTaskFailure' || action === 'SendTaskHeartbeat'
          ? json(200, {})
          : jsonError(400, 'InvalidAction', `the stub does not answer Step Functions ${action}`);
    return record('sfn', action, answer, params);
  }
  if (target === 'secretsmanager.GetSecretValue') {
    return record(
      'secretsmanager',
      'GetSecretValue',
      json(200, {
        ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rootkey-slack-AbCdEf',
        Name: 'rootkey-slack',
        SecretString: JSON.stringify(STUB_SLACK_SECRET),
        VersionId: 'bench',
      }),
    );
  }
  if (signingService === 'securityhub') {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/findings')
      return record('securityhub', 'GetFindings', json(200, { Findings: [] }, 'application/json'));
    const ids = ((body()['FindingIdentifiers'] as unknown[] | undefined) ?? []) as unknown[];
    return record(
      'securityhub',
      'BatchUpdateFindings',
      json(200, { ProcessedFindings: ids, UnprocessedFindings: [] }, 'application/json'),
    );
  }
  if (signingService === 's3') return s3(req, raw, s);
  if (signingService === 'lambda') {
    // Invoke (REST): POST /2015-03-31/functions/{name}/invocations. Only asynchronous invocations
    // are answered (202, as Lambda answers a queued event); the harness runs them itself.
    const name = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1];
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!name || type !== 'Event') {
      return record(
        'lambda',
        'Invoke',
        jsonError(400, 'InvalidRequestContentException', 'the stub queues only asynchronous invocations'),
      );
    }
    const functionName = decodeURIComponent(name);
    s.invocations.push({ functionName, payload: JSON.parse(raw.toString('utf8')) as unknown });
    return record(
      'lambda',
      'Invoke',
      { status: 202, headers: {}, body: '' },
      { FunctionName: functionName, InvocationType: type },
    );
  }
  if (target !== '')
    return record('other', target, jsonError(400, 'InvalidAction', `the stub does not answer ${target}`));
  // Query protocol (STS, IAM): an XML error, as those services answer; non-retryable, so it fails fast.
  const action = new URLSearchParams(raw.toString('utf8')).get('Action') ?? 'unknown';
  return record(
    'query',
    `${signingService}:${action}`,
    xml(
      400,
      '<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>benchmark stub: no AWS here</Message></Error><RequestId>bench-stub</RequestId></ErrorResponse>',
    ),
  );
}

// ---- DynamoDB ---------------------------------------------------------------------------------

function pkOf(item: Item): string {
  const pk = item['pk'];
  if (!pk || typeof pk['S'] !== 'string') throw new Error('items need a string pk');
  return pk['S'];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Evaluates the condition expressions rootkey writes: terms joined by `OR`, each
 * `attribute_not_exists(a)`, `attribute_exists(a)` or `a = b` (names `#x`, values `:x`). Throws on
 * anything else so that a new expression cannot silently pass.
 */
export function conditionHolds(
  expression: string,
  item: Item | undefined,
  names: Record<string, string> = {},
  values: Record<string, AttributeValue> = {},
): boolean {
  const name = (token: string) => (token.startsWith('#') ? names[token] : token);
  const operand = (token: string) => (token.startsWith(':') ? values[token] : item?.[name(token) ?? '']);
  return expression.split(/\s+OR\s+/i).some((term) => {
    const t = term.trim().replace(/^\((.*)\)$/, '$1');
    const fn = /^attribute_(not_)?exists\(\s*([#\w]+)\s*\)$/.exec(t);
    if (fn) {
      const present = item !== undefined && item[name(fn[2]!) ?? ''] !== undefined;
      return fn[1] ? !present : present;
    }
    const eq = /^([#:\w]+)\s*=\s*([#:\w]+)$/.exec(t);
    if (eq) {
      const left = operand(eq[1]!);
      return left !== undefined && same(left, operand(eq[2]!));
    }
    throw new Error(`condition not supported: ${t}`);
  });
}

type Write = {
  kind: 'put' | 'delete';
  table: string;
  pk: string;
  item?: Item;
  condition?: string;
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
};

function dynamodb(action: string, p: Record<string, unknown>, table: (name: string) => Map<string, Item>): Answer {
  const writeOf = (kind: 'put' | 'delete', w: Record<string, unknown>): Write => {
    const t = String(w['TableName']);
    const item = w['Item'] as Item | undefined;
    return {
      kind,
      table: t,
      pk: kind === 'put' ? pkOf(item!) : pkOf(w['Key'] as Item),
      ...(item ? { item } : {}),
      ...(w['ConditionExpression'] ? { condition: String(w['ConditionExpression']) } : {}),
      names: (w['ExpressionAttributeNames'] as Record<string, string>) ?? {},
      values: (w['ExpressionAttributeValues'] as Record<string, AttributeValue>) ?? {},
    };
  };
  const holds = (w: Write) => !w.condition || conditionHolds(w.condition, table(w.table).get(w.pk), w.names, w.values);
  const apply = (w: Write) => {
    if (w.kind === 'put') table(w.table).set(w.pk, structuredClone(w.item!));
    else table(w.table).delete(w.pk);
  };
  switch (action) {
    case 'GetItem': {
      const found = table(String(p['TableName'])).get(pkOf(p['Key'] as Item));
      return json(200, found ? { Item: found } : {});
    }
    case 'PutItem':
    case 'DeleteItem': {
      const w = writeOf(action === 'PutItem' ? 'put' : 'delete', p);
      if (!holds(w)) return jsonError(400, 'ConditionalCheckFailedException', 'The conditional request failed');
      apply(w);
      return json(200, {});
    }
    case 'TransactWriteItems': {
      const writes = (p['TransactItems'] as Record<string, Record<string, unknown>>[]).map((entry) =>
        entry['Put'] ? writeOf('put', entry['Put']) : entry['Delete'] ? writeOf('delete', entry['Delete']) : undefined,
      );
      if (writes.some((w) => w === undefined)) throw new Error('only Put and Delete in TransactWriteItems');
      const reasons = (writes as Write[]).map((w) => ({ Code: holds(w) ? 'None' : 'ConditionalCheckFailed' }));
      if (reasons.some((r) => r.Code !== 'None')) {
        return jsonError(400, 'TransactionCanceledException', 'Transaction cancelled', {
          CancellationReasons: reasons,
        });
      }
      (writes as Write[]).forEach(apply);
      return json(200, {});
    }
    case 'Query':
    case 'Scan': {
      const items = [...table(String(p['TableName'])).values()];
      const values = (p['ExpressionAttributeValues'] as Record<string, AttributeValue>) ?? {};
      const matched =
        action === 'Query'
          ? items.filter((i) => same(i['accountId'], values[':account']))
          : items.filter((i) => String(i['pk']?.['S'] ?? '').startsWith(String(values[':prefix']?.['S'] ?? '')));
      return json(200, { Items: matched, Count: matched.length, ScannedCount: items.length });
    }
    default:
      return jsonError(400, 'UnknownOperationException', `the stub does not answer DynamoDB ${action}`);
  }
}

// ---- KMS --------------------------------------------------------------------------------------

const KEY_ARN_PREFIX = 'arn:aws:kms:us-east-1:123456789012:key/';

function kms(action: string, p: Record<string, unknown>, key: FakeKmsKey): Answer {
  const keyId = String(p['KeyId'] ?? '');
  const arn = keyId.startsWith('arn:') ? keyId : `${KEY_ARN_PREFIX}${keyId}`;
  switch (action) {
    case 'Sign': {
      const digest = Buffer.from(String(p['Message'] ?? ''), 'base64');
      if (p['MessageType'] !== 'DIGEST' || digest.length !== 32) {
        return jsonError(400, 'ValidationException', 'the stub signs 32-byte digests only');
      }
      return json(200, {
        KeyId: arn,
        Signature: signDigestLikeKms(key, digest).toString('base64'),
        SigningAlgorithm: 'ECDSA_SHA_256',
      });
    }
    case 'GetPublicKey':
      return json(200, {
        KeyId: arn,
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: ['ECDSA_SHA_256'],
        PublicKey: Buffer.from(key.publicKeyDer).toString('base64'),
      });
    default:
      return jsonError(400, 'UnsupportedOperationException', `the stub does not answer KMS ${action}`);
  }
}

// ---- S3 ---------------------------------------------------------------------------------------

/** The payload of an `aws-chunked` body (`<hex size>[;…]\r\n<data>\r\n … 0\r\n<trailers>`). */
export function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

const escXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function s3(req: IncomingMessage, raw: Buffer, s: StubState): Answer {
  const url = new URL(req.url ?? '/', 'http://stub');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  const record = (action: string, answer: Answer) => {
    s.calls.push({ service: 's3', action, status: answer.status, at: Date.now() });
    return answer;
  };
  const chunked =
    String(req.headers['content-encoding'] ?? '').includes('aws-chunked') ||
    String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
  if (req.method === 'PUT' && key) {
    const id = `${bucket}/${key}`;
    if (req.headers['if-none-match'] === '*' && s.objects.has(id)) {
      return record(
        'PutObject',
        xml(
          412,
          '<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>',
        ),
      );
    }
    s.objects.set(id, (chunked ? decodeAwsChunked(raw) : raw).toString('utf8'));
    return record('PutObject', { status: 200, headers: { etag: `"${s.objects.size}"` }, body: '' });
  }
  if (req.method === 'GET' && key) {
    const content = s.objects.get(`${bucket}/${key}`);
    if (content === undefined) {
      return record(
        'GetObject',
        xml(404, '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>'),
      );
    }
    return record('GetObject', { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: content });
  }
  if (req.method === 'GET') {
    const prefix = url.searchParams.get('prefix') ?? '';
    const keys = [...s.objects.keys()]
      .filter((id) => id.startsWith(`${bucket}/`))
      .map((id) => id.slice(bucket.length + 1))
      .filter((k) => k.startsWith(prefix))
      .sort();
    if (url.searchParams.has('versions')) {
      return record(
        'ListObjectVersions',
        xml(
          200,
          `<ListVersionsResult><Name>${bucket}</Name><Prefix>${escXml(prefix)}</Prefix><IsTruncated>false</IsTruncated>${keys
            .map((k) => `<Version><Key>${escXml(k)}</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest></Version>`)
            .join('')}</ListVersionsResult>`,
        ),
      );
    }
    return record(
      'ListObjectsV2',
      xml(
        200,
        `<ListBucketResult><Name>${bucket}</Name><Prefix>${escXml(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${keys
          .map(
            (k) =>
              `<Contents><Key>${escXml(k)}</Key><Size>${s.objects.get(`${bucket}/${k}`)!.length}</Size></Contents>`,
          )
          .join('')}</ListBucketResult>`,
      ),
    );
  }
  return record(
    `${req.method} ${url.pathname}`,
    xml(400, '<Error><Code>NotImplemented</Code><Message>benchmark stub</Message></Error>'),
  );
}
