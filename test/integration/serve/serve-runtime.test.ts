import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { ACTION_IDS } from '../../../functions/adapters/slack/blocks/ids';
import { createServeRuntime } from '../../../serve/serve-runtime';
import { startServeServer, type RunningServe } from '../../../serve/serve-server';
import { resolveServeSettings } from '../../../serve/serve-settings';
import { rootCreateAccessKeyEvent } from '../../support/reliability/trigger-events';
import {
  ALICE,
  CHANNEL,
  eventually,
  KMS_KEY_ARN,
  SANDBOX_ACCOUNT,
  SIGNING_SECRET,
  useServeWorld,
  WORKLOAD,
  WORKLOAD_KEYS,
} from '../../support/serve/serve-fixture';
import { buttonClickBody, sendToSlackApp, slashCommandBody } from '../../support/slack/signed-requests';

jest.setTimeout(300_000);

interface CaseDetail {
  caseId: string;
  accountId: string;
  status: string;
  decision?: { action: string };
  approval?: { message?: { channel: string; ts: string } };
}

/**
 * `serve`'s runtime in this process (the child-process tests cover the CLI): here the stop can be
 * staged precisely — the runtime disposed while its HTTP server still takes one last click.
 */
describe('rootkey serve runtime', () => {
  const saved = { ...process.env };
  const open: RunningServe[] = [];
  // Declared before the world so that it runs first: the runtimes stop before their data directory goes.
  afterEach(async () => {
    for (const server of open.splice(0)) await server.close();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });
  const world = useServeWorld();

  /** The SDK reads its standard configuration from process.env: point it at the doubles. */
  const startServe = async (flags: Record<string, unknown> = {}, extraEnv: NodeJS.ProcessEnv = {}) => {
    const env = world().env(extraEnv);
    Object.assign(process.env, env);
    const settings = await resolveServeSettings(
      { 'data-dir': world().dataDir, port: '0', 'no-sweep': true, ...flags },
      env,
    );
    const runtime = await createServeRuntime(settings, env, () => undefined);
    const server = await startServeServer(runtime);
    open.push(server);
    return { runtime, server };
  };

  const caseOf = async (server: RunningServe, accountId: string): Promise<CaseDetail | undefined> => {
    const { cases } = (await (await fetch(`${server.url}/api/cases`)).json()) as { cases: CaseDetail[] };
    const found = cases.filter((c) => c.accountId === accountId).at(-1);
    return found ? ((await (await fetch(`${server.url}/api/cases/${found.caseId}`)).json()) as CaseDetail) : undefined;
  };

  it('keeps a vote that lands while serve is stopping and hands the decision to the resumed case at the next start', async () => {
    // Prepare: a case awaiting approval
    const { aws, dataDir } = world();
    const first = await startServe();
    first.runtime.sweep();
    const pending = await eventually(async () => {
      const c = await caseOf(first.server, WORKLOAD);
      return c?.status === 'awaiting-approval' && c.approval?.message ? c : undefined;
    }, 'the approval request');

    // Act: the stop begins (answers are parked, executions aborted), and one last click still arrives
    await first.runtime.dispose();
    const click = await sendToSlackApp(
      `${first.server.url}/slack/events`,
      buttonClickBody({
        user: ALICE,
        actionId: ACTION_IDS.delete,
        value: pending.caseId,
        channel: CHANNEL,
        messageTs: pending.approval!.message!.ts,
      }),
      { signingSecret: SIGNING_SECRET },
    );
    expect(click.status).toBe(200);
    await eventually(async () => (await caseOf(first.server, WORKLOAD))?.decision, 'the decision on the case');
    await eventually(() => readdirSync(join(dataDir, 'serve', 'answers')).length === 1, 'the parked answer');
    expect(aws.callsTo('DeleteAccessKey')).toEqual([]);
    await first.server.close();
    open.splice(0);

    // Act: the next start, with no further click
    const second = await startServe();

    // Assess: the parked decision reached the resumed execution, and the keys went
    await eventually(
      async () => (await caseOf(second.server, WORKLOAD))?.status === 'remediated',
      'the case to be remediated',
    );
    expect(
      aws
        .callsTo('DeleteAccessKey')
        .map((c) => c.params['AccessKeyId'])
        .sort(),
    ).toEqual(WORKLOAD_KEYS);
    expect(readdirSync(join(dataDir, 'serve', 'answers'))).toEqual([]);
    const executions = join(dataDir, 'serve', 'executions');
    await eventually(
      () => readdirSync(executions).length === 0,
      'the checkpoints to go with the finished executions',
    ).catch(() => {
      const left = readdirSync(executions).map((f) => readFileSync(join(executions, f), 'utf8').slice(0, 300));
      throw new Error(`checkpoints left: ${left.join('\n')}`);
    });
  });

  it('starts a check from /rootkey scan ACCOUNT and from POST /api/events, as in the sandbox', async () => {
    // Prepare
    const { slack } = world();
    const { server } = await startServe();

    // Act: the slash command for a compliant account
    const command = await sendToSlackApp(
      `${server.url}/slack/events`,
      slashCommandBody({
        user: ALICE,
        text: `scan ${SANDBOX_ACCOUNT}`,
        channel: CHANNEL,
        responseUrl: slack.responseUrl('scan'),
      }),
      { signingSecret: SIGNING_SECRET },
    );

    // Assess
    expect(command.status).toBe(200);
    await eventually(
      async () => (await caseOf(server, SANDBOX_ACCOUNT))?.status === 'compliant',
      'the scanned account to be recorded as compliant',
    );

    // Act: CloudTrail's CreateAccessKey by the workload account's root user
    const response = await fetch(`${server.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(rootCreateAccessKeyEvent(WORKLOAD)),
    });

    // Assess: the answer names the case, which asks for approval
    expect(response.status).toBe(202);
    const body = (await response.json()) as { started: boolean; case?: { caseId: string; accountId: string } };
    expect(body).toMatchObject({ started: true, case: { accountId: WORKLOAD } });
    await eventually(
      async () => (await caseOf(server, WORKLOAD))?.status === 'awaiting-approval',
      'the approval request from the CloudTrail event',
    );
  });

  it('answers the dashboard and the API only to a loopback Host (no DNS rebinding), and refuses to decide anything', async () => {
    // Prepare
    const { server } = await startServe();
    const get = (path: string, host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}${path}`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });

    // Act + Assess
    expect(await get('/api/cases', 'rebound.example:80')).toBe(421);
    expect(await get('/', 'rebound.example')).toBe(421);
    expect(await get('/api/cases', `localhost:${new URL(server.url).port}`)).toBe(200);
    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(await page.text()).not.toMatch(/<form|<script|<button/i);
    expect((await fetch(`${server.url}/api/cases`, { method: 'POST' })).status).toBe(404);
  });

  it('signs evidence with the KMS key EVIDENCE_SIGNING_KEY_ARN names, which rootkey evidence verify checks against its public key', async () => {
    // Prepare
    const { aws, dataDir } = world();
    const { runtime } = await startServe({}, { EVIDENCE_SIGNING_KEY_ARN: KMS_KEY_ARN });
    const waiting = new Set<string>();
    runtime.workflow.on((event) => {
      if (event.type === 'task-waiting') waiting.add(event.executionId);
    });

    // Act: one sweep, until every execution ended or waits for a human (nothing is being written)
    runtime.sweep();
    await eventually(() => {
      const executions = runtime.workflow.executions();
      return (
        executions.length === 4 &&
        executions.every((e) => e.status !== 'RUNNING' || waiting.has(e.id)) &&
        waiting.size === 1
      );
    }, 'the sweep to settle');
    let out = '';
    const pinned = join(world().home, 'kms-public-key.pem');
    // The pinned file names the key id the signatures carry (the ARN), as the published key file does.
    writeFileSync(pinned, `Key-Id: ${KMS_KEY_ARN}\n${world().kmsPublicKeyPem}`);
    const code = await main(['evidence', 'verify', dataDir, '--public-key', pinned], {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (out += text) },
      env: process.env,
    });

    // Assess
    expect(aws.callsTo('Sign').length).toBeGreaterThan(0);
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('INTACT') });
    expect(out).toContain(KMS_KEY_ARN);
  });

  it('updates no finding with --no-security-hub and says so in the evidence', async () => {
    // Prepare
    const { aws } = world();
    const { runtime, server } = await startServe({ 'no-security-hub': true });

    // Act
    runtime.sweep();

    // Assess
    await eventually(
      async () => (await caseOf(server, SANDBOX_ACCOUNT))?.status === 'compliant',
      'the compliant account to close',
    );
    expect(aws.calls.filter((c) => c.service === 'securityhub')).toEqual([]);
    const records = readdirSync(join(world().dataDir, 'evidence', 'cases'), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.json'))
      .map((name) => readFileSync(join(world().dataDir, 'evidence', 'cases', name), 'utf8'));
    const findingUpdates = records.filter((r) => r.includes('"finding-update"'));
    expect(findingUpdates.length).toBeGreaterThan(0);
    for (const record of findingUpdates) {
      expect(record).toContain('"updated":false');
      expect(record).toContain('rootkey serve --no-security-hub');
    }
  });
});
