/**
 * The two servers of the acknowledgement benchmark, each run in its own process (as Slack is not
 * in the app's process, and the clicking client is in neither):
 *
 * - `app`: the real Bolt app (`createSlackApp`, HTTP receiver) over the real in-memory case store,
 *   file evidence with local signatures, the local workflow callbacks and the approver directory;
 * - `slack-api`: the sandbox's Slack Web API stand-in (`sandbox/slack-standin/web-api.ts`), which
 *   answers the app's Web API calls (user group lookup, message updates) and response URLs.
 *
 * Protocol over IPC: `{ type: 'start', … }` → `{ type: 'ready', … }`; `{ type: 'stop' }` →
 * `{ type: 'stopped', … }` and exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, type Logger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { MemoryCaseStore } from '../../functions/adapters/local/memory-case-store';
import { SlackApproverDirectory } from '../../functions/adapters/slack/slack-approver-directory';
import type { Case } from '../../functions/core/case';
import { LocalWorkflowCallbacks } from '../../local-runner/local-workflow-callbacks';
import { systemClock } from '../../functions/ports/clock';
import { createLocalEvidence } from '../../local-runner/local-evidence';
import { SlackWebApiStandin } from '../../sandbox/slack-standin/web-api';
import { SANDBOX_APPROVER_GROUP, SANDBOX_CHANNEL, StandinWorkspace } from '../../sandbox/slack-standin/workspace';
import { createSlackApp } from '../../slack-app/app';

export const ACK_SIGNING_SECRET = 'bench-signing-secret-0f8e2c';
const BOT_TOKEN = 'xoxb-bench-bot-token';

export interface AckServerCase {
  caseId: string;
  messageTs: string;
}

export type AckServerRequest =
  | { type: 'start-slack-api' }
  | {
      type: 'start';
      cases: number;
      processBeforeResponse: boolean;
      webUrl: string;
      /** Control run: suspend every listener right after its ack, so only Bolt's own path to the ack is timed. */
      skipWorkAfterAck?: boolean;
    }
  /** From now on, count this process' CPU time (the measured clicks start). */
  | { type: 'mark' }
  | { type: 'stop' };

export type AckServerReply =
  | { type: 'slack-api-ready'; webUrl: string }
  | { type: 'ready'; eventsUrl: string; responseUrlBase: string; channel: string; cases: AckServerCase[] }
  | { type: 'marked' }
  | {
      type: 'stopped';
      decidedCaseIds: string[];
      evidenceRecords: number;
      webApiCalls: number;
      /** CPU time (user + system) since `mark`, milliseconds. */
      cpuMs: number;
      /** Milliseconds from `mark` until the last case decided after it was (undefined: none was). */
      lastDecisionMs?: number;
    }
  | { type: 'error'; message: string };

const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** A case as WORKFLOW's request-approval leaves it: awaiting approval, token stored, message posted. */
function awaitingCase(index: number, token: string, messageTs: string, now: Date): Case {
  const accountId = String(200_000_000_000 + index);
  const at = now.toISOString();
  const key = {
    id: `AKIA${String(index).padStart(16, '0')}`,
    maskedId: `AKIA************${String(index).padStart(4, '0').slice(-4)}`,
    status: 'Active' as const,
    createdAt: '2021-03-01T00:00:00Z',
  };
  return {
    caseId: `RK-${accountId}-${at.replace(/[-:T]/g, '').slice(0, 14)}-${index.toString(36).padStart(4, '0').slice(-4)}`,
    accountId,
    accountName: `account-${index}`,
    status: 'awaiting-approval',
    openedAt: at,
    updatedAt: at,
    trigger: { source: 'security-hub', accountId, detectedAt: at },
    posture: {
      account: { id: accountId, name: `account-${index}`, isManagement: false },
      status: 'NON_COMPLIANT',
      keys: [key],
      reason: 'ListAccessKeys shows 1 active root access key.',
      method: 'assume-root-audit',
      removalPaths: ['assume-root-delete', 'console-privileged-action', 'root-sign-in', 'password-recovery'],
      signals: { accountAccessKeysPresent: 1, listedKeys: [key] },
      checkedAt: at,
    },
    removalPaths: ['assume-root-delete', 'console-privileged-action', 'root-sign-in', 'password-recovery'],
    requiredApprovals: 1,
    approval: {
      requestedAt: at,
      reminders: 0,
      escalated: false,
      votes: [],
      message: { channel: SANDBOX_CHANNEL.id, ts: messageTs },
    },
    pendingTask: { kind: 'approval', token, since: at },
    evidenceCount: 0,
    version: 1,
  };
}

/**
 * Wraps the receiver's `ack` so that a listener's `await ack()` never returns: the request is
 * answered and nothing else happens. The benchmark's floor: what signature checking, parsing and
 * dispatching alone cost on this machine under this load.
 */
function suspendAfterAck(bolt: unknown): void {
  const app = bolt as { processEvent: (event: { ack: (response?: unknown) => Promise<void> }) => Promise<void> };
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event) =>
    processEvent({
      ...event,
      ack: async (response?: unknown) => {
        await event.ack(response);
        await new Promise<never>(() => undefined);
      },
    });
}

interface Running {
  stop(): Promise<AckServerReply>;
}

let cpuMark: NodeJS.CpuUsage | undefined;
/** Wall clock at `mark` (decisions carry wall-clock times). */
let markedWallAt = 0;
const cpuMsSinceMark = () => {
  const used = process.cpuUsage(cpuMark);
  return (used.user + used.system) / 1000;
};

/** The Slack Web API stand-in on a loopback port. */
async function startSlackApi(): Promise<[AckServerReply, Running]> {
  const workspace = new StandinWorkspace();
  const standin = new SlackWebApiStandin(workspace, BOT_TOKEN);
  const web: Server = createServer((req, res) => {
    const url = req.url ?? '';
    const api = /^\/slack\/api\/([\w.]+)/.exec(url);
    const response = /^\/slack\/response\/([^/]+)\/([^/]+)\/([^/]+)/.exec(url);
    if (api) {
      void standin.handle(api[1], req, res);
    } else if (response) {
      const ts = decodeURIComponent(response[3]);
      void standin.handleResponseUrl(
        decodeURIComponent(response[1]),
        response[2],
        ts === '-' ? undefined : ts,
        req,
        res,
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  const webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  return [
    { type: 'slack-api-ready', webUrl },
    {
      async stop() {
        web.closeAllConnections();
        await new Promise<void>((resolve) => web.close(() => resolve()));
        return {
          type: 'stopped',
          decidedCaseIds: [],
          evidenceRecords: 0,
          webApiCalls: workspace.calls.length,
          cpuMs: cpuMsSinceMark(),
        };
      },
    },
  ];
}

async function start(request: Extract<AckServerRequest, { type: 'start' }>): Promise<[AckServerReply, Running]> {
  const { webUrl } = request;
  let seq = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'rootkey-bench-slack-'));
  const callbacks = new LocalWorkflowCallbacks();
  const now = new Date();
  const cases: Case[] = [];
  const answers: Promise<unknown>[] = [];
  for (let i = 0; i < request.cases; i++) {
    const { token, answer } = callbacks.register(`bench-execution-${i}`, 'RequestApproval');
    answers.push(answer.catch(() => undefined));
    cases.push(awaitingCase(i, token, nextTs(), now));
  }
  const store = new MemoryCaseStore(cases);
  const evidence = createLocalEvidence(dataDir);
  const app = createSlackApp({
    receiver: { type: 'http', port: 0, host: '127.0.0.1', processBeforeResponse: request.processBeforeResponse },
    signingSecret: ACK_SIGNING_SECRET,
    botToken: BOT_TOKEN,
    slackApiUrl: `${webUrl}/slack/api/`,
    channel: SANDBOX_CHANNEL.id,
    logger: quietLogger,
    services: {
      cases: store,
      evidence,
      clock: systemClock,
      callbacks,
      approvers: new SlackApproverDirectory({
        client: new WebClient(BOT_TOKEN, { slackApiUrl: `${webUrl}/slack/api/`, logger: quietLogger }),
        groupId: SANDBOX_APPROVER_GROUP.id,
      }),
    },
  });
  if (request.skipWorkAfterAck) suspendAfterAck(app.app);
  const { port } = await app.start();
  const ready: AckServerReply = {
    type: 'ready',
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    responseUrlBase: `${webUrl}/slack/response`,
    channel: SANDBOX_CHANNEL.id,
    cases: cases.map((c) => ({ caseId: c.caseId, messageTs: c.approval?.message?.ts ?? '' })),
  };
  return [
    ready,
    {
      async stop() {
        // Listeners keep working after the ack: wait until every case is decided, or until no case has
        // been decided for 500 ms.
        const decidedCount = async () => {
          let n = 0;
          for (const c of cases) if ((await store.get(c.caseId))?.decision) n++;
          return n;
        };
        let count = await decidedCount();
        let quietSince = performance.now();
        while (count < cases.length && performance.now() - quietSince < 500) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          const now = await decidedCount();
          if (now !== count) [count, quietSince] = [now, performance.now()];
        }
        const cpuMs = cpuMsSinceMark();
        const decidedCaseIds: string[] = [];
        let evidenceRecords = 0;
        let lastDecidedAt: number | undefined;
        for (const c of cases) {
          const stored = await store.get(c.caseId);
          evidenceRecords += stored?.evidenceCount ?? 0;
          if (!stored?.decision) continue;
          decidedCaseIds.push(c.caseId);
          const at = Date.parse(stored.decision.decidedAt);
          if (at >= markedWallAt) lastDecidedAt = Math.max(lastDecidedAt ?? at, at);
        }
        await app.stop();
        rmSync(dataDir, { recursive: true, force: true });
        return {
          type: 'stopped',
          decidedCaseIds,
          evidenceRecords,
          webApiCalls: 0,
          cpuMs,
          ...(lastDecidedAt !== undefined ? { lastDecisionMs: lastDecidedAt - markedWallAt } : {}),
        };
      },
    },
  ];
}

if (require.main === module) {
  let running: Running | undefined;
  const reply = (message: AckServerReply) => process.send?.(message);
  process.on('message', (message: AckServerRequest) => {
    void (async () => {
      try {
        if (message.type === 'mark') {
          cpuMark = process.cpuUsage();
          markedWallAt = Date.now();
          reply({ type: 'marked' });
        } else if (message.type === 'start' || message.type === 'start-slack-api') {
          const [ready, handle] = message.type === 'start' ? await start(message) : await startSlackApi();
          running = handle;
          reply(ready);
        } else {
          const stopped = running ? await running.stop() : ({ type: 'error', message: 'not started' } as const);
          reply(stopped);
          process.disconnect?.();
          setTimeout(() => process.exit(0), 100).unref();
        }
      } catch (error) {
        reply({ type: 'error', message: (error as Error).stack ?? String(error) });
      }
    })();
  });
}
