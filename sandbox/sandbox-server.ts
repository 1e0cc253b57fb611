import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HTTPReceiver } from '@slack/bolt';
import * as z from 'zod';
import type { Case } from '../functions/core/case';
import { CaseNotFoundError } from '../functions/core/errors';
import type { LocalExecution } from '../local-runner/local-workflow';
import { createSandboxRuntime, type SandboxRuntime, type SandboxRuntimeOptions } from './sandbox-runtime';
import { SlackWebApiStandin } from './slack-standin/web-api';
import { InteractionSender } from './slack-standin/interactions';
import { SANDBOX_APPROVER_GROUP, SANDBOX_CHANNEL } from './slack-standin/workspace';
import { readJson, sendJson, sendText } from './http-util';
import { caseDetailOf, caseSummaryOf } from './case-views';
import { createPostEventRoute } from './post-event';
import { PAGE_TOKEN_HEADER, allowedHosts, checkHostAndOrigin, exposureWarning, tokenMatches } from './request-guard';

const WEB_DIR = resolve(__dirname, 'web');
/**
 * The page's assets by file name: its stylesheet and every ES module in sandbox/web/ (app.js imports
 * the others). Only names listed here are served, so no path from a request reaches the file system.
 * Module scripts need a JavaScript MIME type, which `nosniff` enforces as well:
 * https://html.spec.whatwg.org/multipage/webappapis.html#fetch-a-single-module-script
 */
const ASSETS: Record<string, string> = webAssets(WEB_DIR);

function webAssets(dir: string): Record<string, string> {
  const types: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.js')) types[name] = 'text/javascript; charset=utf-8';
    else if (name.endsWith('.css')) types[name] = 'text/css; charset=utf-8';
  }
  return types;
}

/**
 * The page's Content-Security-Policy: its own modules, stylesheet and API only; no inline script or
 * style (the page sets no style attribute: https://developer.mozilla.org/docs/Web/HTTP/Headers/Content-Security-Policy/style-src),
 * no plugins, no framing. A message that got markup past the renderer still could not run script.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface SandboxServerOptions extends Omit<SandboxRuntimeOptions, 'baseUrl'> {
  port: number;
  host: string;
  /** Start the organization sweep as soon as the server listens (what `npm start` does). */
  sweepOnStart?: boolean;
  /** Awaited once the port listens, before the runtime is built (requests meanwhile get 503). */
  onListening?: (url: string) => void | Promise<void>;
}

export interface RunningSandbox {
  url: string;
  runtime: SandboxRuntime;
  server: Server;
  close(): Promise<void>;
}

/** Runbook steps at (or after) which the operator deletes the key in the console. */
const OPERATOR_DELETE_STEPS = new Set(['delete-root-credentials', 'delete-keys', 'verify']);

const clickSchema = z.strictObject({
  userId: z.string().min(1),
  channel: z.string().min(1),
  messageTs: z.string().min(1),
  actionId: z.string().min(1),
  blockId: z.string().optional(),
  value: z.string().optional(),
});
const submitSchema = z.strictObject({
  userId: z.string().min(1),
  viewId: z.string().min(1),
  values: z.record(z.string(), z.record(z.string(), z.string())),
});
const commandSchema = z.strictObject({ userId: z.string().min(1), text: z.string().max(500) });
const accountSchema = z.strictObject({ accountId: z.string().regex(/^\d{12}$/, 'a 12-digit account id') });

/**
 * The sandbox's one HTTP server: the Slack stand-in page at `/`, the Web API stand-in under
 * `/slack/api/`, the real Bolt app at `POST /slack/events`, and the JSON API (`/api/cases`,
 * `/api/cases/:id`, `POST /api/events`, `/api/workflow`), plus the evidence reports.
 */
export async function startSandboxServer(options: SandboxServerOptions): Promise<RunningSandbox> {
  const server = createServer();
  const startedAt = new Date().toISOString();
  // Per-run secrets: the page token is written into the served page only; the response_url secret
  // makes the response_url stand-in as unguessable as Slack's own hooks.slack.com/actions/… URLs.
  const pageToken = randomBytes(32).toString('base64url');
  const responseSecret = randomBytes(24).toString('hex');
  // The page token goes into the page itself: only a page served from here can read it. The page
  // served while starting carries it too, so that it keeps working once the runtime is up.
  const pageHtml = (): string =>
    readFileSync(join(WEB_DIR, 'index.html'), 'utf8').replace(
      '<head>',
      `<head>\n    <meta name="rootkey-sandbox-token" content="${pageToken}" />`,
    );
  const sendPage = (res: ServerResponse): void => {
    res.setHeader('content-security-policy', PAGE_CSP);
    sendText(res, 200, 'text/html; charset=utf-8', pageHtml());
  };
  // Building the runtime (synthesizing the state machine) takes seconds: requests that arrive
  // meanwhile are answered at once, the page and its assets normally, everything else with 503 and
  // Retry-After, so that nothing waits on a connection that is never answered.
  const starting = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    // No keep-alive: a connection kept from these answers could be reused just as it times out
    // (ECONNRESET) while the runtime is still busy being built.
    res.setHeader('connection', 'close');
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) return sendPage(res);
    const asset = req.method === 'GET' && path.startsWith('/sandbox/assets/') ? path.slice(16) : undefined;
    if (asset && ASSETS[asset]) return sendText(res, 200, ASSETS[asset], readFileSync(join(WEB_DIR, asset)));
    req.resume();
    res.setHeader('retry-after', '1');
    sendJson(res, 503, { starting: true, error: 'The sandbox is starting; try again in a moment.' });
  };
  server.on('request', starting);
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  const hosts = allowedHosts(options.host, port);
  const warning = exposureWarning(options.host, url);
  if (warning) (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)))(warning);
  await options.onListening?.(url);
  let runtime: SandboxRuntime;
  try {
    runtime = await createSandboxRuntime({ ...options, baseUrl: url });
  } catch (error) {
    server.close();
    throw error;
  }
  const webApi =
    runtime.workspace && runtime.botToken ? new SlackWebApiStandin(runtime.workspace, runtime.botToken) : undefined;
  const sender =
    runtime.workspace && runtime.signingSecret
      ? new InteractionSender(runtime.workspace, {
          eventsUrl: `${url}/slack/events`,
          signingSecret: runtime.signingSecret,
          responseUrlBase: `${url}/slack/api/response/${responseSecret}`,
        })
      : undefined;
  const receiver = runtime.slack.receiver as HTTPReceiver;

  server.off('request', starting);
  server.on('request', (req, res) => {
    route(req, res).catch((error: unknown) => {
      const status = error instanceof CaseNotFoundError ? 404 : 500;
      if (!res.headersSent) sendJson(res, status, { error: (error as Error).message });
      else res.end();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', url).pathname;
    const method = req.method ?? 'GET';

    // With a real workspace over HTTP, Slack reaches /slack/events through a tunnel whose Host is the
    // tunnel's name; Bolt's signature check is what guards that route then. Everything else is checked.
    const viaSlackTunnel = path === '/slack/events' && !runtime.workspace;
    const refused = viaSlackTunnel ? undefined : checkHostAndOrigin(req.headers, hosts);
    if (refused) return refuse(req, res, refused);

    if (path === '/slack/events') {
      if (runtime.socketMode)
        return sendJson(res, 404, { error: 'Socket Mode is on: Slack events arrive over the socket' });
      receiver.requestListener(req, res);
      return;
    }
    if (path.startsWith('/slack/api/')) {
      if (!webApi || !runtime.workspace)
        return sendJson(res, 404, { ok: false, error: 'the sandbox talks to a real Slack workspace' });
      if (method !== 'POST') return sendJson(res, 405, { ok: false, error: 'method_not_allowed' });
      const rest = path.slice('/slack/api/'.length);
      if (rest.startsWith('response/')) {
        const [secret = '', channel = '', user = '', ts = '-'] = rest
          .slice('response/'.length)
          .split('/')
          .map(safeDecode);
        if (!tokenMatches(secret, responseSecret)) {
          return refuse(req, res, { status: 404, error: 'no such response_url' });
        }
        return webApi.handleResponseUrl(channel, user, ts === '-' ? undefined : ts, req, res);
      }
      return webApi.handle(rest, req, res);
    }
    if (method === 'GET' && (path === '/' || path === '/index.html')) return sendPage(res);
    if (method === 'GET' && path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (method === 'GET' && path.startsWith('/sandbox/assets/')) {
      const name = path.slice('/sandbox/assets/'.length);
      const type = ASSETS[name];
      if (!type) return sendJson(res, 404, { error: 'no such asset' });
      return sendText(res, 200, type, readFileSync(join(WEB_DIR, name)));
    }
    if (path.startsWith('/api/')) return api(path, method, req, res);
    if (path.startsWith('/sandbox/')) return sandboxPage(path, method, req, res);
    if (method === 'GET' && path.startsWith('/evidence/reports/')) return report(path, res);
    sendJson(res, 404, { error: `Nothing at ${method} ${path}` });
  }

  async function api(path: string, method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (method === 'GET' && path === '/api/cases') {
      const all = await runtime.cases.list();
      return sendJson(res, 200, { cases: all.map((c) => caseSummary(c)) });
    }
    const one = /^\/api\/cases\/([^/]+)$/.exec(path);
    if (method === 'GET' && one) {
      const c = await runtime.cases.get(decodeURIComponent(one[1] ?? ''));
      return sendJson(res, 200, caseDetail(c));
    }
    if (method === 'GET' && path === '/api/workflow') {
      return sendJson(res, 200, { definition: runtime.workflow.definitions.remediation.definition });
    }
    if (method === 'POST' && path === '/api/events') return postEvent(req, res);
    sendJson(res, 404, { error: `Nothing at ${method} ${path}` });
  }

  /** `POST /api/events`: one implementation with the other local server (sandbox/post-event.ts). */
  const postEvent = createPostEventRoute({ cases: runtime.cases, workflow: runtime.workflow, summarize: caseSummary });

  async function sandboxPage(path: string, method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ws = runtime.workspace;
    if (method === 'GET' && path === '/sandbox/state') {
      const userId = new URL(req.url ?? '/', url).searchParams.get('user') ?? '';
      const cases = await runtime.cases.list();
      return sendJson(res, 200, {
        mode: runtime.mode,
        // The page tells a restart by a new startedAt; cases opened before it come from an earlier run.
        startedAt,
        dataDir: runtime.dataDir,
        users: ws?.users ?? [],
        channel: SANDBOX_CHANNEL,
        // The page shows <!subteam^ID> as @handle, the way Slack does.
        groups: [SANDBOX_APPROVER_GROUP],
        messages: ws && userId ? ws.visibleTo(userId) : [],
        views: ws && userId ? [...ws.views.values()].filter((v) => v.userId === userId) : [],
        cases: cases.map((c) => caseSummary(c)),
      });
    }
    if (method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
    // Every state-changing page route: the page token first, before the body is even read.
    if (!tokenMatches(req.headers[PAGE_TOKEN_HEADER], pageToken)) {
      return refuse(req, res, {
        status: 403,
        error: `Missing or wrong ${PAGE_TOKEN_HEADER}: page actions come from the page this sandbox served`,
      });
    }
    if (path === '/sandbox/sweep') {
      if ((await readJson(req, res)) === undefined) return;
      const execution = runtime.workflow.startSweep({});
      return sendJson(res, 202, { executionId: execution.id });
    }
    if (path === '/sandbox/operator/remove-keys') {
      const body = accountSchema.safeParse(await readJson(req, res));
      if (res.headersSent) return;
      if (!body.success) return sendJson(res, 400, { error: body.error.issues.map((i) => i.message).join('; ') });
      const removed = runtime.sim.removeKeysByOperator(body.data.accountId);
      return sendJson(res, 200, { removed });
    }
    if (!ws || !sender)
      return sendJson(res, 409, { error: 'The sandbox talks to a real Slack workspace: use Slack itself.' });
    const raw = await readJson(req, res);
    if (raw === undefined) return;
    if (path === '/sandbox/click') {
      const body = clickSchema.safeParse(raw);
      if (!body.success) return sendJson(res, 400, { error: body.error.message });
      const user = ws.user(body.data.userId);
      if (!user) return sendJson(res, 400, { error: `Unknown sandbox user ${body.data.userId}` });
      const answer = await sender.click({ ...body.data, user });
      return sendJson(res, answer.status === 200 ? 200 : 502, { slackStatus: answer.status, body: answer.body });
    }
    if (path === '/sandbox/submit') {
      const body = submitSchema.safeParse(raw);
      if (!body.success) return sendJson(res, 400, { error: body.error.message });
      const user = ws.user(body.data.userId);
      if (!user) return sendJson(res, 400, { error: `Unknown sandbox user ${body.data.userId}` });
      const answer = await sender.submitView({ user, viewId: body.data.viewId, values: body.data.values });
      return sendJson(res, answer.status === 200 ? 200 : 502, { slackStatus: answer.status, body: answer.body });
    }
    if (path === '/sandbox/close-view') {
      const id = typeof (raw as { viewId?: unknown }).viewId === 'string' ? (raw as { viewId: string }).viewId : '';
      const view = ws.views.get(id);
      if (view) view.closed = true;
      return sendJson(res, 200, { closed: Boolean(view) });
    }
    if (path === '/sandbox/command') {
      const body = commandSchema.safeParse(raw);
      if (!body.success) return sendJson(res, 400, { error: body.error.message });
      const user = ws.user(body.data.userId);
      if (!user) return sendJson(res, 400, { error: `Unknown sandbox user ${body.data.userId}` });
      const answer = await sender.command(user, SANDBOX_CHANNEL.id, '/rootkey', body.data.text);
      // A slash command's direct answer is shown only to its user, as Slack does.
      if (answer.status === 200 && answer.body) {
        try {
          const parsed = JSON.parse(answer.body) as { text?: string; blocks?: unknown[] };
          ws.messages.push({
            ts: ws.nextTs(),
            channel: SANDBOX_CHANNEL.id,
            user: 'U0ROOTKEYBOT',
            text: parsed.text ?? '',
            ...(parsed.blocks ? { blocks: parsed.blocks } : {}),
            visibleTo: user.id,
            replies: [],
          });
        } catch {
          // Plain-text answer: nothing to render beyond the ack.
        }
      }
      return sendJson(res, answer.status === 200 ? 200 : 502, { slackStatus: answer.status });
    }
    sendJson(res, 404, { error: `Nothing at ${method} ${path}` });
  }

  /** Answers a refusal without reading (or acting on) the body. */
  function refuse(req: IncomingMessage, res: ServerResponse, refusal: { status: number; error: string }): void {
    req.resume();
    sendJson(res, refusal.status, { error: refusal.error });
  }

  function report(path: string, res: ServerResponse): void {
    const name = path.slice('/evidence/reports/'.length);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.(html|md)$/.test(name)) return sendJson(res, 400, { error: 'bad report name' });
    const file = join(runtime.dataDir, 'evidence', 'reports', name);
    if (!existsSync(file))
      return sendJson(res, 404, { error: `No report ${name} yet (it is written when the case closes)` });
    sendText(
      res,
      200,
      name.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8',
      readFileSync(file),
    );
  }

  // Which execution works on which case: the first case id an execution's state output names.
  const executionCase = new Map<string, string>();
  runtime.workflow.on((event) => {
    if (executionCase.has(event.executionId)) return;
    const data =
      event.type === 'task-waiting'
        ? event.caseId
        : event.type === 'state-exited'
          ? JSON.stringify(event.data ?? '')
          : '';
    const id = data ? /RK-\d{12}-\d{14}-[0-9a-z]{4}/.exec(data)?.[0] : undefined;
    if (id) executionCase.set(event.executionId, id);
  });

  function executionFor(c: Case): LocalExecution | undefined {
    return [...runtime.workflow.executions()]
      .reverse()
      .find((e) => e.kind === 'remediation' && executionCase.get(e.id) === c.caseId);
  }

  function caseSummary(c: Case) {
    return {
      ...caseSummaryOf(c, executionFor(c), runtime.dataDir),
      // Why a case ended the way it did (a failed case's reason above all), shown on its card.
      outcome: c.outcome
        ? {
            status: c.outcome.status,
            summary: c.outcome.summary,
            ...(c.outcome.error ? { error: c.outcome.error } : {}),
          }
        : undefined,
      needsAction: c.status === 'awaiting-approval' || c.status === 'runbook',
      fromEarlierRun: c.openedAt < startedAt,
      // Offered once the runbook reaches the step that deletes the key, as the operator would.
      canOperatorRemove:
        c.status === 'runbook' &&
        OPERATOR_DELETE_STEPS.has(c.pendingTask?.stepId ?? '') &&
        runtime.sim.liveKeyIds(c.accountId).length > 0,
    };
  }

  function caseDetail(c: Case) {
    return caseDetailOf(c, executionFor(c), runtime.dataDir);
  }

  if (options.sweepOnStart) runtime.workflow.startSweep({});

  return {
    url,
    runtime,
    server,
    async close() {
      await runtime.dispose();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return '';
  }
}
