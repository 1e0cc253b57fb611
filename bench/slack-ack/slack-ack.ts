import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { signSlackRequest } from '../../sandbox/slack-standin/interactions';
import { SANDBOX_TEAM, SANDBOX_USERS } from '../../sandbox/slack-standin/workspace';
import { DEFAULT_ACK_FIRST } from '../../slack-app/work-after-ack';
import type { BenchmarkSection } from '../lib/report';
import { seededRandom } from '../lib/seeded-random';
import { percentile, round } from '../lib/stats';
import { ACK_SIGNING_SECRET, type AckServerCase, type AckServerReply, type AckServerRequest } from './ack-server';

/** How many clicks go out at once, and over how many cases. */
export interface AckModel {
  clicks: number;
  cases: number;
  warmupClicks: number;
  /** Clicks sent one at a time on cases of their own: the latency of a click that has the app to itself. */
  singleClicks: number;
}

export const DEFAULT_ACK_MODEL: AckModel = { clicks: 200, cases: 80, warmupClicks: 20, singleClicks: 20 };

type Stopped = Extract<AckServerReply, { type: 'stopped' }>;

/** Forks `ack-server.ts` (with this process' tsx loader), sends `request` and waits for the answer of type `expected`. */
async function startServer<T extends AckServerReply['type']>(
  request: AckServerRequest,
  expected: T,
): Promise<{ child: ChildProcess; ready: Extract<AckServerReply, { type: T }> }> {
  const child = fork(join(__dirname, 'ack-server.ts'), [], {
    execArgv: [...process.execArgv, ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Extract<AckServerReply, { type: T }>>((resolve, reject) => {
    child.once('message', (message: AckServerReply) =>
      message.type === expected
        ? resolve(message as Extract<AckServerReply, { type: T }>)
        : reject(new Error(message.type === 'error' ? message.message : message.type)),
    );
    child.once('exit', (code) => reject(new Error(`a benchmark server process exited (${code})`)));
    child.send(request);
  });
  return { child, ready };
}

/** Tells a server process to start counting its CPU time. */
async function mark(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    child.once('message', (message: AckServerReply) =>
      message.type === 'marked' ? resolve() : reject(new Error(`unexpected ${message.type}`)),
    );
    child.send({ type: 'mark' } satisfies AckServerRequest);
  });
}

async function stopServer(child: ChildProcess): Promise<Stopped> {
  const stopped = await new Promise<AckServerReply>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`a benchmark server process exited (${code})`)));
    child.send({ type: 'stop' } satisfies AckServerRequest);
  });
  if (stopped.type !== 'stopped') throw new Error(stopped.type === 'error' ? stopped.message : stopped.type);
  // Let it exit on its own (it flushes what it has to); the caller kills it only if it hangs.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return stopped;
}

/** A signed `block_actions` body: a click on "Delete the key" of one case, as Slack posts it. */
export function decisionClickBody(
  user: { id: string; name: string },
  c: AckServerCase,
  channel: string,
  responseUrlBase: string,
): string {
  const payload = {
    type: 'block_actions',
    user: { id: user.id, username: user.name, name: user.name, team_id: SANDBOX_TEAM.id },
    api_app_id: 'A0ROOTKEY',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: c.messageTs, channel_id: channel, is_ephemeral: false },
    trigger_id: `${user.id}.bench`,
    team: SANDBOX_TEAM,
    channel: { id: channel, name: 'root-keys' },
    message: { type: 'message', ts: c.messageTs, text: 'approval request', blocks: [] },
    response_url: `${responseUrlBase}/${encodeURIComponent(channel)}/${user.id}/${c.messageTs}`,
    actions: [
      {
        type: 'button',
        action_id: 'rootkey.decide.delete',
        block_id: 'rootkey.decision-actions',
        value: c.caseId,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Posts one signed body; resolves with the status and the milliseconds until the response arrived. */
function post(url: string, body: string, agent: Agent): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(body)),
    ...signSlackRequest(ACK_SIGNING_SECRET, body),
  };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Clicks: every approver on every case (one decides, the other is told it is decided) plus outsiders, shuffled. */
function clickPlan(
  cases: AckServerCase[],
  count: number,
  seed: number,
): { user: (typeof SANDBOX_USERS)[number]; c: AckServerCase }[] {
  const plan: { user: (typeof SANDBOX_USERS)[number]; c: AckServerCase }[] = [];
  for (let i = 0; plan.length < count; i++) {
    plan.push({ user: SANDBOX_USERS[i % SANDBOX_USERS.length], c: cases[i % cases.length] });
  }
  const random = seededRandom(seed);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }
  return plan;
}

export interface AckVariantResult {
  variant: string;
  clicks: number;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
  decided: number;
  cases: number;
  evidenceRecords: number;
  /** CPU the app process spent on the measured clicks (before and after the acks). */
  appCpuMs: number;
  slackApiCpuMs: number;
  /** Median of clicks sent one at a time. */
  singleP50: number;
  /** Milliseconds from the first click of the burst until the last case was decided. */
  lastDecisionMs?: number;
}

type Variant = 'ack-first' | 'after-work' | 'ack-only';

const VARIANT_NAMES: Record<Variant, string> = {
  'ack-first': 'ack first (HTTP receiver)',
  'after-work': 'ack after the work (processBeforeResponse, as in Lambda)',
  'ack-only': 'floor: ack only, listener work suspended',
};

async function runVariant(model: AckModel, variant: Variant): Promise<AckVariantResult> {
  const processBeforeResponse = variant === 'after-work';
  const slackApi = await startServer({ type: 'start-slack-api' }, 'slack-api-ready');
  const { child, ready } = await startServer(
    {
      type: 'start',
      cases: model.cases + model.warmupClicks + model.singleClicks,
      processBeforeResponse,
      webUrl: slackApi.ready.webUrl,
      skipWorkAfterAck: variant === 'ack-only',
    },
    'ready',
  );
  const agent = new Agent({ keepAlive: true, maxSockets: model.clicks });
  try {
    const cases = ready.cases.slice(0, model.cases);
    const warmCases = ready.cases.slice(model.cases, model.cases + model.warmupClicks);
    const singleCases = ready.cases.slice(model.cases + model.warmupClicks);
    // Warm-up: the first requests compile Bolt's and our code paths; Slack's traffic finds them compiled.
    await Promise.all(
      clickPlan(warmCases, model.warmupClicks, 3).map(({ user, c }) =>
        post(ready.eventsUrl, decisionClickBody(user, c, ready.channel, ready.responseUrlBase), agent),
      ),
    );
    // One approver's click at a time, each deciding its own case.
    const single: number[] = [];
    for (const c of singleCases) {
      const body = decisionClickBody(SANDBOX_USERS[0], c, ready.channel, ready.responseUrlBase);
      single.push((await post(ready.eventsUrl, body, agent)).ms);
      // Let the work after an early ack finish, so that the next click has the app to itself.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const bodies = clickPlan(cases, model.clicks, 11).map(({ user, c }) =>
      decisionClickBody(user, c, ready.channel, ready.responseUrlBase),
    );
    await mark(child);
    await mark(slackApi.child);
    const results = await Promise.all(bodies.map((body) => post(ready.eventsUrl, body, agent)));
    const stats = await stopServer(child);
    const slackApiStats = await stopServer(slackApi.child);
    const measured = new Set(cases.map((c) => c.caseId));
    const latencies = results.map((r) => r.ms);
    const statuses: Record<string, number> = {};
    for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    return {
      variant: VARIANT_NAMES[variant],
      clicks: results.length,
      statuses,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      singleP50: percentile(single, 50),
      decided: stats.decidedCaseIds.filter((id) => measured.has(id)).length,
      cases: model.cases,
      evidenceRecords: stats.evidenceRecords,
      appCpuMs: stats.cpuMs,
      slackApiCpuMs: slackApiStats.cpuMs,
      ...(stats.lastDecisionMs !== undefined ? { lastDecisionMs: stats.lastDecisionMs } : {}),
    };
  } finally {
    agent.destroy();
    if (child.exitCode === null) child.kill();
    if (slackApi.child.exitCode === null) slackApi.child.kill();
  }
}

const ms = (value: number) => `${round(value, 0)} ms`;
const lastDecision = (v: AckVariantResult) =>
  v.lastDecisionMs === undefined ? 'never' : `${ms(v.lastDecisionMs)} after the burst began`;

/** Benchmark 2: time to ack 200 concurrent signed clicks on loopback against the real Bolt app. */
export async function benchmarkSlackAck(
  progress: (line: string) => void,
  model: AckModel = DEFAULT_ACK_MODEL,
): Promise<BenchmarkSection> {
  const run = async (variant: Variant) => {
    progress(`Slack ack: ${model.clicks} concurrent signed clicks on ${model.cases} cases, ${VARIANT_NAMES[variant]}`);
    const result = await runVariant(model, variant);
    progress(`  p50 ${ms(result.p50)}, p99 ${ms(result.p99)}`);
    return result;
  };
  const ackFirst = await run('ack-first');
  const afterWork = await run('after-work');
  const floor = await run('ack-only');
  const all200 = (v: AckVariantResult) => (v.statuses['200'] ?? 0) === v.clicks;
  /** Issue #18: a burst on one process is judged against Bolt alone on the same machine, in the same run. */
  const FLOOR_FACTOR = 3;
  const met = ackFirst.p99 <= FLOOR_FACTOR * floor.p99 && all200(ackFirst);
  return {
    id: 'slack-ack',
    title: 'Slack acknowledgement',
    rows: [
      {
        benchmark: `Slack burst on one process (self-hosted \`serve\`/sandbox): ${model.clicks} concurrent signed clicks`,
        figure: `p50 ${ms(ackFirst.p50)}, p99 ${ms(ackFirst.p99)} (max ${ms(ackFirst.max)}); ${ackFirst.statuses['200'] ?? 0}/${ackFirst.clicks} answered 200`,
        comparison: `Bolt-only floor (work suspended after the ack), same run: p50 ${ms(floor.p50)}, p99 ${ms(floor.p99)} (${round(ackFirst.p99 / Math.max(1, floor.p99), 1)}×); answered after the work: p99 ${ms(afterWork.p99)}`,
        goal: `p99 within ${FLOOR_FACTOR}× the Bolt-only floor measured in the same run (Slack allows 3,000 ms)`,
        met,
        ...(met
          ? {}
          : {
              note: all200(ackFirst)
                ? `p99 was ${ms(ackFirst.p99)}, ${round(ackFirst.p99 / Math.max(1, floor.p99), 1)}× the floor; with the listeners' work suspended after the ack the same burst gives p99 ${ms(floor.p99)} on this machine. The app's one event loop acks each request and runs the work of the clicks it has already acked (${round(ackFirst.appCpuMs / model.clicks, 1)} ms CPU per click, ${DEFAULT_ACK_FIRST.turns} clicks working at a time), so later acks wait behind earlier work. One click alone is acked in ${ms(ackFirst.singleP50)}; in AWS each click is its own Lambda invocation and does not share a loop.`
                : `not every click was answered 200: ${JSON.stringify(ackFirst.statuses)}`,
            }),
      },
    ],
    details: [
      `**Method.** The real Bolt app (\`createSlackApp\`, HTTP receiver, signature verification on) runs in its own Node process on loopback with the in-memory case store, file evidence signed with a local key, the local workflow callbacks and the approver directory (user group lookup through the sandbox's Slack Web API stand-in, \`sandbox/slack-standin/web-api.ts\`, which also receives the app's message updates and replies). ${model.cases} cases await approval. After ${model.warmupClicks} warm-up clicks, the benchmark process sends ${model.clicks} "Delete the key" clicks at once — every sandbox user (two approvers, one outsider) on every case, shuffled — each signed with \`signSlackRequest\` from \`sandbox/slack-standin/interactions.ts\`, and times each until the HTTP answer. Percentiles interpolate between ranks.`,
      `**Outcome check.** Ack first: ${ackFirst.decided} of ${model.cases} cases decided (each exactly once: one vote decides, the other approver is told), ${ackFirst.evidenceRecords} evidence records, the last ${lastDecision(ackFirst)}. After the work: ${afterWork.decided} decided, the last ${lastDecision(afterWork)}.`,
      `**Work after the ack.** \`rootkey serve\`, the sandbox and Socket Mode run every click's work on the process that acks the next clicks, so the clicks take turns (\`slack-app/work-after-ack.ts\`: ${DEFAULT_ACK_FIRST.turns} at a time; a click that has worked ${DEFAULT_ACK_FIRST.turnMs} ms, waiting for AWS or Slack, lets the next start). The acks go first; the decisions follow in the order of the clicks, and the last one lands as stated above.`,
      `**CPU.** The app process spent ${ms(ackFirst.appCpuMs)} of CPU on the ${model.clicks} clicks (${round(ackFirst.appCpuMs / model.clicks, 1)} ms per click: signature check, vote, evidence, Slack updates), the Web API stand-in ${ms(ackFirst.slackApiCpuMs)}. Every request is acked on one event loop, and the work of the clicks already acked runs on the same loop; on a busy machine (see the load average in the header) the acks queue behind it.`,
      `**One click at a time.** ${model.singleClicks} clicks sent one after the other, each on its own case: median ${ms(ackFirst.singleP50)} ack first, ${ms(afterWork.singleP50)} answered after the work. In AWS every request is its own Lambda invocation (no shared event loop), so the second figure plus a cold start is what one click costs there; the burst above is what one sandbox or self-hosted HTTP process sees.`,
      `**Floor.** The control run answers the same ${model.clicks} clicks with every listener suspended right after its \`ack()\` (a wrapper around the receiver's ack in \`bench/slack-ack/ack-server.ts\`): p50 ${ms(floor.p50)}, p99 ${ms(floor.p99)}. That is what receiving, verifying and dispatching alone cost on this machine at this load; the distance to the first figure is the work after the ack competing for the same event loop.`,
      `**Comparison.** With \`processBeforeResponse\` the answer goes out only when the listener has recorded the vote, written evidence, answered the workflow and updated Slack: that is how \`AwsLambdaReceiver\` behaves (the Lambda returns once the listeners are done), so it is the figure to expect behind API Gateway, minus the Lambda cold start; the "Slack clicks through the Lambda function" section measures that directly on the bundled function.`,
    ],
    data: { model, ackFirst, afterWork, floor },
  };
}
