import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SCENARIO_PATH } from '../../../sandbox/sandbox-runtime';
import { startSandboxServer, type RunningSandbox } from '../../../sandbox/sandbox-server';
import { signSlackRequest } from '../../../sandbox/slack-standin/interactions';
import { until } from '../../support/workflow/workflow-fixture';

jest.setTimeout(60_000);

let sandbox: RunningSandbox;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rootkey-sandbox-api-'));
  sandbox = await startSandboxServer({ dataDir, port: 0, host: '127.0.0.1', env: {}, sweepOnStart: false, waitMs: 20 });
});

afterAll(async () => {
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function postEvent(body: unknown, contentType = 'application/json') {
  const res = await fetch(`${sandbox.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const securityHubEvent = (accountId: string) => ({
  version: '0',
  id: 'c0ffee00-0000-4000-8000-000000000001',
  'detail-type': 'Security Hub Findings - Imported',
  source: 'aws.securityhub',
  account: '222222222222',
  time: '2026-11-28T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    findings: [
      {
        SchemaVersion: '2018-10-08',
        Id: `arn:aws:securityhub:us-east-1:${accountId}:security-control/IAM.4/finding/abc`,
        ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
        AwsAccountId: accountId,
        Region: 'us-east-1',
        UpdatedAt: '2026-11-28T09:59:00Z',
        RecordState: 'ACTIVE',
        Compliance: { Status: 'FAILED', SecurityControlId: 'IAM.4' },
        Workflow: { Status: 'NEW' },
        ProductFields: { ControlId: 'IAM.4' },
      },
    ],
  },
});

const createAccessKeyEvent = (userName?: string) => ({
  version: '0',
  id: 'c0ffee00-0000-4000-8000-000000000002',
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.iam',
  account: '444444444444',
  time: '2026-11-28T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    eventVersion: '1.09',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateAccessKey',
    eventTime: '2026-11-28T10:00:00Z',
    eventID: 'e1',
    recipientAccountId: '444444444444',
    userIdentity: { type: 'Root', accountId: '444444444444', arn: 'arn:aws:iam::444444444444:root' },
    requestParameters: userName ? { userName } : null,
  },
});

describe('POST /api/events', () => {
  it('starts a case for a failed IAM.4 finding and answers with the case', async () => {
    const { status, body } = await postEvent(securityHubEvent('333333333333'));
    expect(status).toBe(202);
    expect(body.started).toBe(true);
    expect((body.case as { accountId: string; caseId: string }).accountId).toBe('333333333333');
  });

  it('does not start a second case while one is open for the account', async () => {
    const { body } = await postEvent(securityHubEvent('333333333333'));
    expect(body.case).toBeUndefined();
    expect(String(body.duplicateOf)).toMatch(/^RK-333333333333-/);
    const cases = (await (await fetch(`${sandbox.url}/api/cases`)).json()) as { cases: { accountId: string }[] };
    expect(cases.cases.filter((c) => c.accountId === '333333333333')).toHaveLength(1);
  });

  it('ignores a root CreateAccessKey made for an IAM user, saying why', async () => {
    const { status, body } = await postEvent(createAccessKeyEvent('deploy-bot'));
    expect(status).toBe(200);
    expect(body).toMatchObject({ started: false, ignored: true });
    expect(String(body.reason)).toMatch(/IAM user/i);
  });

  it('refuses a body that is not JSON, or not sent as JSON, and changes nothing', async () => {
    const before = (await (await fetch(`${sandbox.url}/api/cases`)).json()) as { cases: unknown[] };
    expect((await postEvent('{not json')).status).toBe(400);
    expect((await postEvent(securityHubEvent('111111111111'), 'text/plain')).status).toBe(415);
    expect(
      (await postEvent({ source: 'aws.securityhub', 'detail-type': 'Security Hub Findings - Imported' })).status,
    ).toBe(400);
    const after = (await (await fetch(`${sandbox.url}/api/cases`)).json()) as { cases: unknown[] };
    expect(after.cases).toHaveLength(before.cases.length);
  });
});

describe('GET /api/cases/:id', () => {
  it('returns the case without its task token', async () => {
    const list = (await (await fetch(`${sandbox.url}/api/cases`)).json()) as { cases: { caseId: string }[] };
    const id = list.cases[0]?.caseId ?? '';
    // The workflow runs on after the 202: wait until it waits for approval (it holds a task token).
    const stored = await until(async () => {
      const current = await sandbox.runtime.cases.get(id);
      return current.pendingTask?.token ? current : undefined;
    }, 'the case to wait for approval');
    const res = await fetch(`${sandbox.url}/api/cases/${encodeURIComponent(id)}`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ caseId: id, accountId: '333333333333' });
    expect(stored.pendingTask?.token).toBeTruthy();
    expect(text).not.toContain(stored.pendingTask?.token ?? 'no-token');
  });

  it('shows key ids masked, in the answer and in cases.json, as everywhere outside the AWS calls', async () => {
    const list = (await (await fetch(`${sandbox.url}/api/cases`)).json()) as { cases: { caseId: string }[] };
    const id = list.cases[0]?.caseId ?? '';
    const scenario = JSON.parse(readFileSync(DEFAULT_SCENARIO_PATH, 'utf8')) as {
      accounts: { rootKeys?: { id: string }[] }[];
    };
    const fullIds = scenario.accounts.flatMap((a) => (a.rootKeys ?? []).map((k) => k.id));
    expect(fullIds).toContain('AKIAPAYMENTSROOT0042');

    const text = await (await fetch(`${sandbox.url}/api/cases/${encodeURIComponent(id)}`)).text();
    const file = readFileSync(join(dataDir, 'cases.json'), 'utf8');

    expect(text).toMatch(/AKIA\*+[A-Z0-9]{4}/);
    for (const full of fullIds) {
      expect(text).not.toContain(full);
      expect(file).not.toContain(full);
    }
  });

  it('answers 404 for an unknown case', async () => {
    const res = await fetch(`${sandbox.url}/api/cases/RK-000000000000-20260101000000-zzzz`);
    expect(res.status).toBe(404);
  });
});

describe('POST /slack/events', () => {
  it('refuses a forged signature with 401', async () => {
    const body = new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions' }) }).toString();
    const res = await fetch(`${sandbox.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest('not-the-secret', body) },
      body,
    });
    expect(res.status).toBe(401);
  });
});
