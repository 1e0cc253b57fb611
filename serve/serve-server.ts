import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { HTTPReceiver } from '@slack/bolt';
import type { Case } from '../functions/core/case';
import { CaseNotFoundError } from '../functions/core/errors';
import { sendJson, sendText } from '../sandbox/http-util';
import { caseDetailOf, caseSummaryOf, reportUrlOf } from '../sandbox/case-views';
import { createPostEventRoute } from '../sandbox/post-event';
import { renderDashboard, type DashboardCase } from './dashboard';
import type { ServeRuntime } from './serve-runtime';

const LOOPBACK_ADDRESS = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

export interface RunningServe {
  url: string;
  server: Server;
  /** Stops taking requests, parks answers, aborts executions (their checkpoints stay). */
  close(): Promise<void>;
}

/**
 * `rootkey serve`'s HTTP server: `POST /slack/events` for Bolt (unless Socket Mode is on), the
 * read-only dashboard at `GET /`, `GET /api/cases[/:id]`, `POST /api/events` (an EventBridge event as
 * AWS delivers it, as in the sandbox) and the evidence reports. Nothing here can decide a case: only a
 * signed Slack interaction from an approver can. Listening on a loopback address, everything but the
 * Slack route answers only to a loopback Host header; a JSON body is required for POST (no simple
 * cross-site form can send one).
 */
export async function startServeServer(runtime: ServeRuntime): Promise<RunningServe> {
  const { settings } = runtime;
  const server = createServer();
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${host}:${port}`;
  const receiver = runtime.slack.receiver as HTTPReceiver;
  const loopbackOnly = LOOPBACK_ADDRESS.test(settings.host);

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
    if (path === '/slack/events') {
      if (runtime.socketMode)
        return sendJson(res, 404, { error: 'Socket Mode is on: Slack events arrive over the socket' });
      // Signature-checked by Bolt; a reverse proxy in front may present any Host.
      receiver.requestListener(req, res);
      return;
    }
    if (loopbackOnly && !LOOPBACK_HOST.test(req.headers.host ?? '')) {
      // A page elsewhere that rebinds its own name to 127.0.0.1 must not read the cases (DNS rebinding).
      return sendJson(res, 421, { error: 'This server answers only to localhost / 127.0.0.1 / [::1]' });
    }
    if (path === '/' || path === '/index.html') {
      if (method !== 'GET') return sendJson(res, 405, { error: 'GET only' });
      const all = await runtime.cases.list();
      const html = renderDashboard(all.map((c) => dashboardCase(c)).reverse(), new Date());
      res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
      return sendText(res, 200, 'text/html; charset=utf-8', html);
    }
    if (method === 'GET' && path === '/api/cases') {
      const all = await runtime.cases.list();
      return sendJson(res, 200, { cases: all.map((c) => caseSummary(c)) });
    }
    const one = /^\/api\/cases\/([^/]+)$/.exec(path);
    if (method === 'GET' && one) {
      const c = await runtime.cases.get(decodeURIComponent(one[1] ?? ''));
      return sendJson(res, 200, caseDetail(c));
    }
    if (path === '/api/events') {
      if (method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
      return postEvent(req, res);
    }
    if (method === 'GET' && path.startsWith('/evidence/reports/')) return report(path, res);
    sendJson(res, 404, { error: `Nothing at ${method} ${path}` });
  }

  /** `POST /api/events`: one implementation with the other local server (sandbox/post-event.ts). */
  const postEvent = createPostEventRoute({ cases: runtime.cases, workflow: runtime.workflow, summarize: caseSummary });

  function report(path: string, res: ServerResponse): void {
    const name = path.slice('/evidence/reports/'.length);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.(html|md)$/.test(name)) return sendJson(res, 400, { error: 'bad report name' });
    const file = join(settings.dataDir, 'evidence', 'reports', name);
    if (!existsSync(file))
      return sendJson(res, 404, { error: `No report ${name} yet (it is written when the case closes)` });
    if (name.endsWith('.html'))
      res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    sendText(
      res,
      200,
      name.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8',
      readFileSync(file),
    );
  }

  function caseSummary(c: Case) {
    return caseSummaryOf(c, runtime.executionFor(c.caseId), settings.dataDir);
  }

  function caseDetail(c: Case) {
    return caseDetailOf(c, runtime.executionFor(c.caseId), settings.dataDir);
  }

  function dashboardCase(c: Case): DashboardCase {
    const execution = runtime.executionFor(c.caseId);
    return {
      caseId: c.caseId,
      accountId: c.accountId,
      accountName: c.accountName,
      status: c.status,
      openedAt: c.openedAt,
      ...(c.closedAt ? { closedAt: c.closedAt } : {}),
      trigger: c.trigger.source,
      ...(c.decision
        ? { decision: `${c.decision.action} by ${c.decision.approvers.map((a) => a.userName ?? a.userId).join(', ')}` }
        : {}),
      ...(c.outcome ? { outcome: c.outcome.summary } : {}),
      path: execution ? execution.states() : [],
      ...(reportUrlOf(settings.dataDir, c.caseId) ? { reportUrl: reportUrlOf(settings.dataDir, c.caseId)! } : {}),
    };
  }

  return {
    url,
    server,
    async close() {
      // Stop taking new requests first, then park answers and abort executions.
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await runtime.dispose();
      server.closeAllConnections();
      await closed;
    },
  };
}
