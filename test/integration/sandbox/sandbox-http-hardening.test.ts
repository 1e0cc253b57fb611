import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandboxServer, type RunningSandbox } from '../../../sandbox/sandbox-server';
import { ACTION_IDS } from '../../../functions/adapters/slack/blocks/ids';
import { allowedHosts, exposureWarning, isExactJson } from '../../../sandbox/request-guard';

/**
 * The sandbox as a page on another origin (or a DNS-rebinding name) would attack it: simple
 * cross-origin requests without a preflight, forged Host and Origin headers, the response_url
 * stand-in without its secret. Each refusal must change nothing: no message, no Slack call, no case
 * change, no execution.
 */

jest.setTimeout(90_000);

let sandbox: RunningSandbox;
let dataDir: string;
let pageToken: string;
let hostHeader: string;
const VICTIM = '333333333333';

interface Answer {
  status: number;
  body: string;
}

/** A raw HTTP request, so that Host and Origin can be set as an attacker's browser would send them. */
function send(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const target = new URL(path, sandbox.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const securityHubEvent = (accountId: string) => ({
  version: '0',
  id: 'c0ffee00-0000-4000-8000-000000000009',
  'detail-type': 'Security Hub Findings - Imported',
  source: 'aws.securityhub',
  account: accountId,
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

/** Everything a refused request could have changed. */
async function state() {
  const ws = sandbox.runtime.workspace!;
  const cases = await sandbox.runtime.cases.list();
  return JSON.stringify({
    messages: ws.messages.map((m) => [m.ts, m.text, m.replies.length, JSON.stringify(m.blocks ?? [])]),
    calls: ws.calls.length,
    cases: cases.map((c) => [c.caseId, c.status, c.version, c.decision?.action ?? null]),
    executions: [...sandbox.runtime.workflow.executions()].length,
  });
}

/** The approval message's Delete click for the victim's case, as the page would send it. */
function deleteClick(): Record<string, string> {
  const ws = sandbox.runtime.workspace!;
  const message = [...ws.messages]
    .reverse()
    .find((m) =>
      (m.blocks ?? []).some((b) =>
        ((b as { elements?: { action_id?: string; value?: string }[] }).elements ?? []).some(
          (e) => e.action_id === ACTION_IDS.delete && (e.value ?? '').includes(VICTIM),
        ),
      ),
    );
  if (!message) throw new Error('no approval message for the victim yet');
  const caseId = (message.blocks ?? [])
    .flatMap((b) => (b as { elements?: { action_id?: string; value?: string }[] }).elements ?? [])
    .find((e) => e.action_id === ACTION_IDS.delete)?.value;
  return {
    userId: 'U0SANDBOXAL',
    channel: message.channel,
    messageTs: message.ts,
    actionId: ACTION_IDS.delete,
    value: caseId ?? '',
  };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rootkey-sandbox-hardening-'));
  sandbox = await startSandboxServer({ dataDir, port: 0, host: '127.0.0.1', env: {}, sweepOnStart: false, waitMs: 20 });
  hostHeader = new URL(sandbox.url).host;
  const page = await send('GET', '/', { headers: { host: hostHeader } });
  pageToken = /name="rootkey-sandbox-token" content="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const started = await send('POST', '/api/events', {
    headers: { host: hostHeader, 'content-type': 'application/json' },
    body: JSON.stringify(securityHubEvent(VICTIM)),
  });
  expect(started.status).toBe(202);
  // Wait until the case waits for approval and has settled (no write for half a second).
  const deadline = Date.now() + 20_000;
  let last = '';
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const now = await state().catch(() => '');
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 500 && now.includes('awaiting-approval')) {
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  deleteClick(); // throws when there is no approval message to click
});

afterAll(async () => {
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const ALICE_FROM_ELSEWHERE = 'http://evil.example';

describe('the sandbox refuses what a foreign page can send, and changes nothing', () => {
  it('serves the page with a per-run token and no CORS grant', async () => {
    const page = await send('GET', '/', { headers: { host: hostHeader } });
    expect(pageToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(page.body).toContain(pageToken);
    const api = await send('GET', '/api/cases', { headers: { host: hostHeader } });
    expect(api.body).not.toContain(pageToken);
  });

  it.each([
    [
      'a simple cross-origin POST (text/plain; application/json, no token)',
      { 'content-type': 'text/plain; application/json', origin: ALICE_FROM_ELSEWHERE },
    ],
    ['exact JSON without the page token', { 'content-type': 'application/json' }],
    ['a wrong page token', { 'content-type': 'application/json', 'x-rootkey-sandbox-token': 'guess' }],
    [
      'the right token from a foreign Origin',
      { 'content-type': 'application/json', origin: ALICE_FROM_ELSEWHERE, token: true },
    ],
    [
      'the right token under a rebinding Host',
      { 'content-type': 'application/json', host: 'evil.example:3000', token: true },
    ],
    [
      'the right token with text/plain; application/json',
      { 'content-type': 'text/plain; application/json', token: true },
    ],
  ])('refuses Alice\'s "Delete" click sent as %s', async (_label, h) => {
    const { token, host, ...rest } = h as Record<string, string | boolean>;
    const headers: Record<string, string> = {
      host: (host as string) ?? hostHeader,
      ...(rest as Record<string, string>),
    };
    if (token) headers['x-rootkey-sandbox-token'] = pageToken;
    const before = await state();

    const answer = await send('POST', '/sandbox/click', { headers, body: JSON.stringify(deleteClick()) });
    await new Promise((r) => setTimeout(r, 200));

    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(await state()).toBe(before);
  });

  it.each([
    '/sandbox/sweep',
    '/sandbox/command',
    '/sandbox/submit',
    '/sandbox/close-view',
    '/sandbox/operator/remove-keys',
  ])('refuses %s without the page token (and with a non-JSON type) and starts nothing', async (path) => {
    const before = await state();

    const noToken = await send('POST', path, {
      headers: { host: hostHeader, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'U0SANDBOXAL', text: 'status', accountId: VICTIM, viewId: 'V1', values: {} }),
    });
    const wrongType = await send('POST', path, {
      headers: { host: hostHeader, 'content-type': 'text/plain', 'x-rootkey-sandbox-token': pageToken },
      body: '{}',
    });
    await new Promise((r) => setTimeout(r, 200));

    expect(noToken.status).toBe(403);
    expect(wrongType.status).toBe(415);
    expect(await state()).toBe(before);
  });

  it('refuses the response_url stand-in without its per-run secret', async () => {
    const ws = sandbox.runtime.workspace!;
    const before = await state();

    const answer = await send('POST', `/slack/api/response/C0ROOTKEYS/U0SANDBOXAL/-`, {
      headers: { host: hostHeader, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Approved by Alice', replace_original: false }),
    });

    expect(answer.status).toBe(404);
    expect(ws.messages.some((m) => m.text === 'Approved by Alice')).toBe(false);
    expect(await state()).toBe(before);
  });

  it('checks Host on every route, reads included (DNS rebinding)', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/api/cases'],
      ['GET', '/sandbox/state?user=U0SANDBOXAL'],
      ['POST', '/slack/events'],
      ['POST', '/api/events'],
    ] as const) {
      const answer = await send(method, path, {
        headers: { host: 'rebound.evil.example:3000', 'content-type': 'application/json' },
        body: method === 'POST' ? JSON.stringify(securityHubEvent('111111111111')) : undefined,
      });
      expect([path, answer.status]).toEqual([path, 403]);
    }
  });

  it('keeps POST /api/events usable from scripts without a token, but only as exact JSON from its own Host', async () => {
    const before = (await sandbox.runtime.cases.list()).length;
    const simple = await send('POST', '/api/events', {
      headers: { host: hostHeader, 'content-type': 'text/plain; application/json' },
      body: JSON.stringify(securityHubEvent('111111111111')),
    });
    const foreignOrigin = await send('POST', '/api/events', {
      headers: { host: hostHeader, 'content-type': 'application/json', origin: ALICE_FROM_ELSEWHERE },
      body: JSON.stringify(securityHubEvent('111111111111')),
    });
    expect(simple.status).toBe(415);
    expect(foreignOrigin.status).toBe(403);
    expect((await sandbox.runtime.cases.list()).length).toBe(before);

    const script = await send('POST', '/api/events', {
      headers: { host: hostHeader, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(securityHubEvent('111111111111')),
    });
    expect(script.status).toBe(202);
  });

  it("accepts the page's own click: token, exact JSON, own Host and Origin", async () => {
    const answer = await send('POST', '/sandbox/click', {
      headers: {
        host: hostHeader,
        origin: sandbox.url,
        'content-type': 'application/json',
        'x-rootkey-sandbox-token': pageToken,
      },
      body: JSON.stringify(deleteClick()),
    });
    expect(answer.status).toBe(200);
  });
});

describe('request guard', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON; Charset=UTF-8', true],
    ['text/plain; application/json', false],
    ['application/json; text/plain', false],
    ['application/jsonp', false],
    ['text/plain', false],
    [undefined, false],
  ])('treats content-type %s as JSON: %s', (type, expected) => {
    expect(isExactJson(type)).toBe(expected);
  });

  it('allows only the loopback names for a loopback bind', () => {
    expect([...allowedHosts('127.0.0.1', 3100)].sort()).toEqual(['127.0.0.1:3100', '[::1]:3100', 'localhost:3100']);
  });

  it('warns, naming what becomes reachable, when bound beyond loopback', async () => {
    expect(exposureWarning('127.0.0.1', 'http://127.0.0.1:3100')).toBeUndefined();
    const lines: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'rootkey-sandbox-wide-'));
    const wide = await startSandboxServer({
      dataDir: dir,
      port: 0,
      host: '0.0.0.0',
      env: {},
      sweepOnStart: false,
      waitMs: 20,
      log: (line) => lines.push(line),
    });
    await wide.close();
    rmSync(dir, { recursive: true, force: true });
    const warning = lines.find((l) => l.startsWith('WARNING'));
    expect(warning).toMatch(/--host 0\.0\.0\.0/);
    expect(warning).toMatch(/approve key deletions/);
    expect(warning).toMatch(/POST \/api\/events/);
  });
});
