import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, type Logger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import { parseScenario, type SimFaults } from '../../../functions/adapters/sim/scenario';
import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import { SlackNotifier } from '../../../functions/adapters/slack/slack-notifier';
import { StaticApproverDirectory } from '../../../functions/adapters/slack/slack-approver-directory';
import type { RootAccessFeatures } from '../../../functions/core/account';
import { isTerminal, type DecisionAction } from '../../../functions/core/case';
import { describeError } from '../../../functions/core/errors';
import { LocalWorkflow, type LocalExecution } from '../../../local-runner/local-workflow';
import { handlerSourceFromEnv } from '../../../local-runner/handler-bundles';
import type { WorkflowDefinitions } from '../../../local-runner/workflow-definitions';
import { systemClock } from '../../../functions/ports/clock';
import type { NotifierPort } from '../../../functions/ports/notifier';
import { requestVerifyNow } from '../../../functions/services/confirm-runbook-step';
import { DEFAULT_SETTINGS, type Deps, type WorkflowSettings } from '../../../functions/services/dependencies';
import type { EvidenceService } from '../../../functions/services/evidence-service';
import { createLocalEvidence } from '../../../local-runner/local-evidence';
import { recordVote } from '../../../functions/services/record-vote';
import { createSlackApp, type SlackApp } from '../../../slack-app/app';
import { ACTION_IDS, runbookStepBlockId } from '../../../functions/adapters/slack/blocks/ids';
import { RecordingNotifier } from '../removal/removal-doubles';
import { buttonClickBody, sendToSlackApp, viewSubmissionBody, type SlackUser } from '../slack/signed-requests';
import { SlackWebApiDouble } from '../slack/slack-web-api-double';
import { FaultInjectingSlackProxy } from './fault-injecting-slack-proxy';
import type { LambdaDeadline } from './lambda-deadline';
import { TokenRecordingCaseStore } from './token-recording-case-store';
import { rootCreateAccessKeyEvent, securityHubFindingEvent } from './trigger-events';

export const MANAGEMENT_ACCOUNT = '100000000000';
export const APPROVER: SlackUser = { id: 'U0RELALICE', name: 'alice' };
export const SECOND_APPROVER: SlackUser = { id: 'U0RELBOB', name: 'bob' };
export const OUTSIDER: SlackUser = { id: 'U0RELMALLORY', name: 'mallory' };
export const SIGNING_SECRET = 'reliability-signing-secret-5d41402abc4b2a76';
export const BOT_TOKEN = 'xoxb-reliability-bot-token';
export const CHANNEL = 'C0RELIABLE';

/** Member account ids `1000000000NN`, each with one active root key. */
export function memberAccountId(index: number): string {
  return `1${String(index + 1).padStart(11, '0')}`;
}

/** What outside text (organization account names, key metadata AWS reports) looks like in a scenario. */
export interface ExternalText {
  accountName(index: number): string;
  keyUse(index: number): { service: string; region: string };
}

const PLAIN_TEXT: ExternalText = {
  accountName: (i) => `member-${i + 1}`,
  keyUse: () => ({ service: 's3', region: 'eu-central-1' }),
};

/** An organization of `members` member accounts with one root key each, plus a clean management account. */
export function memberScenario(
  members: number,
  faults: Partial<SimFaults> = {},
  features?: RootAccessFeatures,
  text: ExternalText = PLAIN_TEXT,
) {
  return parseScenario({
    description: `${members} member accounts with one active root key each`,
    ...(features ? { features } : {}),
    accounts: [
      { id: MANAGEMENT_ACCOUNT, name: 'management', management: true },
      ...Array.from({ length: members }, (_, i) => ({
        id: memberAccountId(i),
        name: text.accountName(i),
        rootKeys: [
          {
            id: `AKIARELIABILITY${String(i + 1).padStart(5, '0')}`,
            status: i % 3 === 0 ? 'Inactive' : 'Active',
            createdAt: '2021-04-01T09:00:00Z',
            lastUsed: { date: '2026-10-01T10:00:00Z', ...text.keyUse(i) },
          },
        ],
      })),
    ],
    faults: { throttleRate: 0, serverErrorRate: 0, latencyMs: 0, visibilityDelayMs: 0, seed: 7, ...faults },
  });
}

/** Bolt stays quiet: the tests read outcomes, not logs. */
export const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

export interface WorldOptions {
  definitions: WorkflowDefinitions;
  /** Member accounts with a root key (default 20). */
  members?: number;
  faults?: Partial<SimFaults>;
  features?: RootAccessFeatures;
  settings?: Partial<WorkflowSettings>;
  /** How long a waiting task waits for its answer (default 10 s: nothing times out unless a test wants it). */
  taskTimeoutMs?: number | Record<string, number>;
  /** Puts the Lambda timeout double around the deletion (the remover port). */
  deadline?: LambdaDeadline;
  /** Posts through the real SlackNotifier and takes clicks through the real Bolt app over signed HTTP. */
  slack?: { clientTimeoutMs?: number };
  /** Account names and key metadata as the organization reports them (default: plain names). */
  externalText?: ExternalText;
}

/** The Slack side of a world: Web API double, the fault proxy in front of it, and the Bolt app. */
export interface SlackSide {
  double: SlackWebApiDouble;
  proxy: FaultInjectingSlackProxy;
  app: SlackApp;
  eventsUrl: string;
  /** Clicks a button of a case the way Slack delivers it: form-encoded, signed, over HTTP. */
  click(user: SlackUser, actionId: string, caseId: string, blockId?: string): Promise<{ status: number }>;
  /** Submits the exception modal the app opened for `caseId` with a reason and an expiry date. */
  submitException(user: SlackUser, caseId: string, reason: string, date: string): Promise<{ status: number }>;
}

/** What an approver decides for an account; `undefined` leaves the approval unanswered. */
export type DecisionPolicy = (accountId: string) => DecisionAction | undefined;

/** The counts every fault scenario reports. */
export interface FaultTally {
  /** Workflow executions started (each starts or continues one case). */
  casesStarted: number;
  /** Executions that ended (succeeded, failed or aborted) before the deadline. */
  casesEnded: number;
  /** Executions whose account has a case with a complete evidence chain (an `outcome` record). */
  casesWithEvidence: number;
  /** Evidence verified with `requireComplete`: digests, both chains, index, signatures, an outcome per case. */
  evidenceVerifies: boolean;
  evidenceProblems: string[];
  evidenceCases: number;
  evidenceRecords: number;
  /** Cases still open in the store after every execution ended (stuck cases). */
  openCases: number;
  /** Outcome of every evidence case, by status. */
  outcomes: Record<string, number>;
  /** Execution end states, by status. */
  executions: Record<string, number>;
  /** Executions that closed their case as remediated after a retried or caught fault (delayed, not changed). */
  delayed: number;
}

/**
 * A world for one reliability scenario: a simulated organization of member accounts with root keys,
 * the in-memory case store (recording every task token), the real evidence service writing signed
 * files to a temporary folder, the synthesized workflow run locally with the real handlers, and an
 * autopilot that answers approvals and runbook steps the way people would (through the same
 * services, or through the Bolt app over signed HTTP when `slack` is set).
 */
export class ReliabilityWorld {
  readonly sim: SimulatedOrganization;
  readonly cases: TokenRecordingCaseStore;
  readonly evidence: EvidenceService;
  readonly workflow: LocalWorkflow;
  readonly deps: Deps;
  readonly accountIds: string[];
  readonly approvers = new StaticApproverDirectory([APPROVER.id, SECOND_APPROVER.id]);
  slack?: SlackSide;
  /** What the autopilot decides per account (default: delete); `undefined` leaves it waiting. */
  decide: DecisionPolicy = () => 'delete';
  /** Whether the autopilot answers runbook steps: the operator removes the keys and clicks "Verify now". */
  answerRunbookSteps = true;
  /** Who clicks in Slack (the name is what Slack puts in the payload, so it is outside text too). */
  clicker: SlackUser = APPROVER;
  /** The reason typed into the exception modal. */
  exceptionReason = 'Reliability test: a documented exception';
  /** Unexpected errors of the autopilot (a refusal is an answer, not an error). */
  readonly autopilotErrors: string[] = [];
  /** Answers the autopilot gave, by kind and result. */
  readonly answers: Record<string, number> = {};
  /** Retries (`state-retried`) and catches (`state-caught`) of every execution, by state. */
  readonly retried: Record<string, number> = {};
  readonly caught: Record<string, number> = {};
  private readonly dataDir: string;
  private readonly pending = new Set<Promise<void>>();
  private stopListening?: () => void;

  private constructor(
    options: WorldOptions,
    /** Where the workflow's messages go: a recording double, or the real SlackNotifier over HTTP. */
    readonly notifier: NotifierPort,
    private readonly slackParts?: { double: SlackWebApiDouble; proxy: FaultInjectingSlackProxy; client: WebClient },
  ) {
    const members = options.members ?? 20;
    this.accountIds = Array.from({ length: members }, (_, i) => memberAccountId(i));
    this.dataDir = mkdtempSync(join(tmpdir(), 'rootkey-reliability-'));
    this.sim = new SimulatedOrganization(
      memberScenario(members, options.faults, options.features, options.externalText),
      {
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
    );
    // The Lambda timeout double surrounds the deletion (the remover port): the fault is a DeleteKeys
    // invocation running past its function timeout while its AWS calls go on.
    const remover = options.deadline ? options.deadline.wrap(this.sim) : this.sim;
    this.cases = new TokenRecordingCaseStore(new MemoryCaseStore());
    this.evidence = createLocalEvidence(this.dataDir, { clock: systemClock });
    this.deps = {
      organization: this.sim,
      reader: this.sim,
      remover,
      findings: this.sim,
      cases: this.cases,
      evidence: this.evidence,
      notifier,
      clock: systemClock,
      settings: {
        ...DEFAULT_SETTINGS,
        readRoleName: 'RootKeyReadOnly',
        maxReminders: 1,
        verification: { maxAttempts: 3, initialWaitSeconds: 1, maxWaitSeconds: 1 },
        ...options.settings,
      },
    };
    this.workflow = new LocalWorkflow({
      deps: this.deps,
      definitions: options.definitions,
      taskTimeoutMs: options.taskTimeoutMs ?? 10_000,
      waitMs: 1,
      retryIntervalMs: 0,
      // What ships: the handlers bundled as infra bundles them, unless ROOTKEY_HANDLERS=source.
      handlers: handlerSourceFromEnv(process.env, 'bundled'),
    });
    this.stopListening = this.workflow.on((event) => {
      if (event.type === 'state-retried') this.retried[event.state] = (this.retried[event.state] ?? 0) + 1;
      if (event.type === 'state-caught') this.caught[event.state] = (this.caught[event.state] ?? 0) + 1;
      if (event.type !== 'task-waiting' || !event.caseId) return;
      this.track(this.answer(event.caseId));
    });
  }

  /** Builds a world (with the Slack side started when asked for). */
  static async create(options: WorldOptions): Promise<ReliabilityWorld> {
    if (!options.slack) return new ReliabilityWorld(options, new RecordingNotifier());
    const double = new SlackWebApiDouble(BOT_TOKEN);
    await double.start();
    const proxy = new FaultInjectingSlackProxy(double.apiUrl);
    await proxy.start();
    const clientOptions = {
      slackApiUrl: proxy.apiUrl,
      // Two quick retries, as the app configures them, without the waits (the proxy decides how long an outage lasts).
      retryConfig: { retries: 2, factor: 1, minTimeout: 0, maxTimeout: 0 },
      timeout: options.slack.clientTimeoutMs ?? 2_000,
      logger: quietLogger,
    };
    const client = new WebClient(BOT_TOKEN, clientOptions);
    const notifier = new SlackNotifier({ client, channel: CHANNEL, clock: systemClock });
    const world = new ReliabilityWorld(options, notifier, { double, proxy, client });
    const app = createSlackApp({
      receiver: { type: 'http', port: 0, processBeforeResponse: true },
      signingSecret: SIGNING_SECRET,
      botToken: BOT_TOKEN,
      slackApiUrl: proxy.apiUrl,
      channel: CHANNEL,
      logger: quietLogger,
      clientOptions,
      services: {
        cases: world.cases,
        evidence: world.evidence,
        clock: systemClock,
        callbacks: world.workflow.callbacks,
        approvers: world.approvers,
      },
    });
    const { port } = await app.start();
    const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
    world.slack = {
      double,
      proxy,
      app,
      eventsUrl,
      click: async (user, actionId, caseId, blockId) => {
        const body = buttonClickBody({
          user,
          actionId,
          value: caseId,
          channel: CHANNEL,
          messageTs: '1780315200.000100',
          ...(blockId ? { blockId } : {}),
        });
        return sendToSlackApp(eventsUrl, body, { signingSecret: SIGNING_SECRET });
      },
      submitException: async (user, caseId, reason, date) => {
        const opened = double
          .callsTo('views.open')
          .map((c) => c.args['view'] as Record<string, unknown>)
          .filter((v) => String(v['private_metadata']).includes(caseId))
          .at(-1);
        if (!opened) throw new Error(`No exception modal was opened for ${caseId}`);
        const body = viewSubmissionBody({
          user,
          view: opened,
          values: {
            'rootkey.exception.reason': { reason: { type: 'plain_text_input', value: reason } },
            'rootkey.exception.expiry': { expiry: { type: 'datepicker', selected_date: date } },
          },
        });
        return sendToSlackApp(eventsUrl, body, { signingSecret: SIGNING_SECRET });
      },
    };
    return world;
  }

  /**
   * Starts one execution per member account, cycling through the real trigger shapes: a Security
   * Hub IAM.4 finding, a CloudTrail root CreateAccessKey, and a manual start.
   */
  startAll(): LocalExecution[] {
    return this.accountIds.map((accountId, i) => this.workflow.start(this.trigger(accountId, i)));
  }

  trigger(accountId: string, i: number): Record<string, unknown> {
    switch (i % 3) {
      case 0: {
        const finding = this.sim.finding(accountId);
        return securityHubFindingEvent(accountId, finding && { id: finding.id, productArn: finding.productArn });
      }
      case 1:
        return rootCreateAccessKeyEvent(accountId);
      default:
        return { source: 'manual', accountId, requestedBy: APPROVER.id };
    }
  }

  /** Waits until every execution ended (or `timeoutMs` passed) and the autopilot is idle. */
  async settle(executions: LocalExecution[], timeoutMs = 30_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(executions.map((e) => e.result)), deadline]);
    clearTimeout(timer);
    await this.idle();
  }

  /** Resolves when every answer the autopilot started has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Resolves when every account's case waits for approval (or `timeoutMs` passed). */
  async allAwaitingApproval(timeoutMs = 15_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const open = await this.cases.list({ openOnly: true });
      const waiting = open.filter((c) => c.status === 'awaiting-approval' && c.pendingTask?.kind === 'approval');
      const registered = new Set(this.workflow.callbacks.waiting().map((w) => w.token));
      const ready = waiting.filter((c) => registered.has(c.pendingTask!.token)).length;
      if (ready >= this.accountIds.length || Date.now() > until) return ready;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Counts what happened to every execution and verifies the evidence with `requireComplete`. */
  async tally(executions: LocalExecution[]): Promise<FaultTally> {
    const verification = await this.evidence.verify({ requireComplete: true });
    const completeByAccount = new Map<string, number>();
    const outcomes: Record<string, number> = {};
    for (const c of verification.cases) {
      if (c.complete) completeByAccount.set(c.accountId, (completeByAccount.get(c.accountId) ?? 0) + 1);
      const key = c.outcome ?? 'no outcome';
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    const executionsByAccount = new Map<string, number>();
    const statuses: Record<string, number> = {};
    for (const e of executions) {
      const accountId = accountOf(e.input);
      executionsByAccount.set(accountId, (executionsByAccount.get(accountId) ?? 0) + 1);
      statuses[e.status] = (statuses[e.status] ?? 0) + 1;
    }
    let casesWithEvidence = 0;
    for (const [accountId, started] of executionsByAccount) {
      casesWithEvidence += Math.min(started, completeByAccount.get(accountId) ?? 0);
    }
    const open = (await this.cases.list({ openOnly: true })).filter((c) => !isTerminal(c.status));
    return {
      casesStarted: executions.length,
      casesEnded: executions.filter((e) => e.status !== 'RUNNING').length,
      casesWithEvidence,
      evidenceVerifies: verification.ok,
      evidenceProblems: verification.problems.map((p) => `${p.kind}: ${p.message}`),
      evidenceCases: verification.cases.length,
      evidenceRecords: verification.records,
      openCases: open.length,
      outcomes,
      executions: statuses,
      delayed: executions.filter(
        (e) => e.visited('CloseRemediated') && e.status === 'SUCCEEDED' && e.path.some((p) => p.retried || p.error),
      ).length,
    };
  }

  async dispose(): Promise<void> {
    this.stopListening?.();
    await endWaitingTasks(this.workflow);
    this.workflow.dispose();
    await this.idle().catch(() => undefined);
    if (this.slack) await this.slack.app.stop();
    if (this.slackParts) {
      await this.slackParts.proxy.stop();
      await this.slackParts.double.stop();
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  // ---- the autopilot ------------------------------------------------------------------------

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => {
        const { name, message } = describeError(error);
        this.autopilotErrors.push(`${name}: ${message}`);
      })
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private count(key: string): void {
    this.answers[key] = (this.answers[key] ?? 0) + 1;
  }

  private async answer(caseId: string): Promise<void> {
    const c = await this.cases.get(caseId);
    if (c.pendingTask?.kind === 'approval') {
      const action = this.decide(c.accountId);
      if (!action) return;
      if (this.slack) {
        const response = await this.slack.click(this.clicker, CLICKS[action], caseId);
        this.count(`approval click ${response.status}`);
        if (action === 'accept-risk' || action === 'reject') {
          const submitted = await this.slack.submitException(
            this.clicker,
            caseId,
            this.exceptionReason,
            inDays(30).slice(0, 10),
          );
          this.count(`exception submitted ${submitted.status}`);
        }
        return;
      }
      const result = await recordVote(this.deps, this.workflow.callbacks, this.approvers, {
        caseId,
        userId: APPROVER.id,
        userName: APPROVER.name,
        action,
        ...(action === 'accept-risk' || action === 'reject'
          ? { reason: 'Reliability test: a documented exception', expiresAt: inDays(30) }
          : {}),
      });
      this.count(`approval ${result.status}`);
      return;
    }
    if (c.pendingTask?.kind === 'runbook-step' && this.answerRunbookSteps) {
      // The operator does what the runbook says, then asks for the check at once.
      this.sim.removeKeysByOperator(c.accountId);
      if (this.slack) {
        const blockId = runbookStepBlockId(c.pendingTask.stepId ?? 'unknown');
        const response = await this.slack.click(this.clicker, ACTION_IDS.verifyNow, caseId, blockId);
        this.count(`verify-now click ${response.status}`);
        return;
      }
      const result = await requestVerifyNow(this.deps, this.workflow.callbacks, this.approvers, {
        caseId,
        userId: APPROVER.id,
        userName: APPROVER.name,
      });
      this.count(`verify-now ${result.status}`);
    }
  }
}

/**
 * Fails every task still waiting for a human and waits (briefly) for the executions to end, so that
 * each execution ends through its own failure path (with evidence) before the world is disposed.
 */
export async function endWaitingTasks(workflow: LocalWorkflow, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const waiting = workflow.callbacks.waiting();
    const running = workflow.executions().filter((e) => e.status === 'RUNNING');
    if (waiting.length === 0 && running.length === 0) return;
    for (const task of waiting) {
      await workflow.callbacks.sendTaskFailure(task.token, 'TestEnded', 'The test ended').catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The button each decision is clicked with. */
const CLICKS: Record<DecisionAction, string> = {
  delete: ACTION_IDS.delete,
  runbook: ACTION_IDS.runbook,
  'accept-risk': ACTION_IDS.acceptRisk,
  reject: ACTION_IDS.reject,
};

/** The account an execution is about, from its trigger (direct start, Security Hub finding or CloudTrail event). */
export function accountOf(input: unknown): string {
  const event = input as { accountId?: string; account?: string; detail?: { findings?: { AwsAccountId?: string }[] } };
  return event.accountId ?? event.detail?.findings?.[0]?.AwsAccountId ?? event.account ?? 'unknown';
}

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString();
}
