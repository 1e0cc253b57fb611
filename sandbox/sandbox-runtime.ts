import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Logger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { isTerminal, type Case } from '../functions/core/case';
import { InvalidInputError } from '../functions/core/errors';
import { evidenceData } from '../functions/core/evidence/evidence-data';
import { withoutKeyIds } from '../functions/core/account-posture';
import { MemoryCaseStore } from '../functions/adapters/local/memory-case-store';
import { SimulatedOrganization } from '../functions/adapters/sim/simulated-organization';
import { parseScenarioText, type Scenario } from '../functions/adapters/sim/scenario';
import { SlackNotifier } from '../functions/adapters/slack/slack-notifier';
import { PreventionOfferingNotifier } from '../slack-app/prevention-offer-notifier';
import type { PreventionDeps } from '../functions/services/prevent-recurrence';
import { SlackApproverDirectory } from '../functions/adapters/slack/slack-approver-directory';
import type { EvidenceService } from '../functions/services/evidence-service';
import { createLocalEvidence } from '../local-runner/local-evidence';
import { DEFAULT_SETTINGS, type Deps } from '../functions/services/dependencies';
import { systemClock } from '../functions/ports/clock';
import { LocalWorkflow } from '../local-runner/local-workflow';
import { LocalRecheckScheduler } from '../local-runner/local-recheck-scheduler';
import { createSlackApp, type SlackApp } from '../slack-app/app';
import { parseSlackConfig } from '../functions/adapters/slack/slack-config';
import { DEFAULT_READ_ROLE_NAME } from '../functions/core/shared-names';
import { StandinWorkspace, SANDBOX_APPROVER_GROUP, SANDBOX_CHANNEL } from './slack-standin/workspace';

export const DEFAULT_SCENARIO_PATH = resolve(__dirname, '../functions/adapters/sim/scenarios/default.json');

export interface SandboxRuntimeOptions {
  /** Where cases and evidence live (`./.rootkey` by default). */
  dataDir: string;
  /** Scenario file; the default scenario when absent. */
  scenarioPath?: string;
  /** Base URL the server will listen on (the stand-in's Web API is under it). */
  baseUrl: string;
  env: NodeJS.ProcessEnv;
  /** How long an approval or runbook step waits before the reminder ladder starts (ms). */
  taskTimeoutMs?: number;
  /** Verification backoff between reads (ms); a few hundred keeps the sandbox lively. */
  waitMs?: number;
  log?: (line: string) => void;
}

/** Everything the sandbox runs, wired together; the HTTP server and `rootkey demo` sit on top. */
export interface SandboxRuntime {
  dataDir: string;
  scenario: Scenario;
  sim: SimulatedOrganization;
  cases: MemoryCaseStore;
  evidence: EvidenceService;
  workflow: LocalWorkflow;
  slack: SlackApp;
  /** The Slack stand-in's workspace; absent when talking to a real Slack workspace. */
  workspace?: StandinWorkspace;
  /** Set in stand-in mode: the sandbox signs the interactions it sends on the page's behalf. */
  signingSecret?: string;
  /** Set in stand-in mode: the token the Web API stand-in accepts. */
  botToken?: string;
  mode: 'standin' | 'slack';
  socketMode: boolean;
  dispose(): Promise<void>;
}

/** Reads the scenario, with a clear error naming the file. */
export function loadScenario(path: string | undefined): Scenario {
  const file = path ? resolve(path) : DEFAULT_SCENARIO_PATH;
  if (!existsSync(file)) throw new InvalidInputError(`Scenario file ${file} does not exist`);
  return parseScenarioText(readFileSync(file, 'utf8'), `scenario file ${file}`);
}

/**
 * Builds the sandbox: the simulated organization, cases kept in memory and written to
 * `DIR/cases.json`, evidence signed under `DIR/evidence/`, the real Bolt app, and the synthesized
 * state machine run locally with its tasks bound to the real handlers. Slack is the stand-in
 * unless `SLACK_BOT_TOKEN` is set, in which case the real workspace (and `SLACK_API_URL`) is used.
 */
export async function createSandboxRuntime(options: SandboxRuntimeOptions): Promise<SandboxRuntime> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const scenario = loadScenario(options.scenarioPath);
  const sim = new SimulatedOrganization(scenario);
  const evidence = createLocalEvidence(dataDir);
  const cases = new MemoryCaseStore(loadCases(dataDir), persistCases(dataDir));

  const realSlack = Boolean(options.env.SLACK_BOT_TOKEN);
  let workspace: StandinWorkspace | undefined;
  let slackConfig: ReturnType<typeof parseSlackConfig>;
  if (realSlack) {
    slackConfig = parseSlackConfig(options.env);
  } else {
    workspace = new StandinWorkspace();
    slackConfig = {
      // A fresh secret and token per run: nothing outside this process can sign for the stand-in.
      signingSecret: randomBytes(24).toString('hex'),
      botToken: `xoxb-sandbox-${randomBytes(12).toString('hex')}`,
      slackApiUrl: `${options.baseUrl}/slack/api/`,
      channel: SANDBOX_CHANNEL.id,
      approverGroup: SANDBOX_APPROVER_GROUP.id,
      approvers: [],
      requiredApprovals: Number(options.env.REQUIRED_APPROVALS ?? 1) || 1,
    };
  }

  const clientOptions = {
    ...(slackConfig.slackApiUrl ? { slackApiUrl: slackConfig.slackApiUrl } : {}),
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1000 },
    timeout: 5000,
  };
  const client = new WebClient(slackConfig.botToken, { ...clientOptions, logger: quietLogger(log) });
  const notifier = new SlackNotifier({
    client,
    channel: slackConfig.channel,
    clock: systemClock,
    ...(slackConfig.escalationMention ? { escalationMention: slackConfig.escalationMention } : {}),
    // Reports are served by the sandbox itself (GET /evidence/reports/<case>.html).
    reportUrl: (location) => `${options.baseUrl}/evidence/reports/${encodeURIComponent(basename(location))}`,
  });
  // "Prevent recurrence…" after a remediated case (issue 17), against the simulated organization.
  const prevention: PreventionDeps = {
    cases,
    evidence,
    clock: systemClock,
    organization: sim,
    reader: sim,
    policies: sim,
    credentialsRemover: sim,
    roleName: DEFAULT_READ_ROLE_NAME,
  };
  const approvers = new SlackApproverDirectory({
    client,
    ...(slackConfig.approverGroup ? { groupId: slackConfig.approverGroup } : {}),
    userIds: slackConfig.approvers,
  });

  const deps: Deps = {
    organization: sim,
    reader: sim,
    remover: sim,
    cases,
    evidence,
    notifier: new PreventionOfferingNotifier(notifier, prevention, log),
    findings: sim,
    clock: systemClock,
    settings: {
      ...DEFAULT_SETTINGS,
      requiredApprovals: slackConfig.requiredApprovals,
      readRoleName: DEFAULT_READ_ROLE_NAME,
    },
  };

  const holder: { workflow?: LocalWorkflow } = {};
  const scheduler = new LocalRecheckScheduler({
    // An expired risk acceptance starts the workflow again, as EventBridge Scheduler does in AWS.
    onDue: (input) => holder.workflow?.start(input),
  });
  const workflow = new LocalWorkflow({
    deps,
    scheduler,
    taskTimeoutMs: options.taskTimeoutMs ?? 15 * 60_000,
    waitMs: options.waitMs ?? 500,
    retryIntervalMs: 250,
  });
  holder.workflow = workflow;

  const socketMode = realSlack && Boolean(slackConfig.appToken);
  const slack = createSlackApp({
    receiver: socketMode ? { type: 'socket', appToken: slackConfig.appToken as string } : { type: 'http' },
    signingSecret: slackConfig.signingSecret,
    botToken: slackConfig.botToken,
    ...(slackConfig.slackApiUrl ? { slackApiUrl: slackConfig.slackApiUrl } : {}),
    channel: slackConfig.channel,
    ...(slackConfig.escalationMention ? { escalationMention: slackConfig.escalationMention } : {}),
    services: {
      cases,
      evidence,
      clock: systemClock,
      callbacks: workflow.callbacks,
      approvers,
      starter: workflow,
      prevention,
    },
    logger: quietLogger(log),
  });
  if (socketMode) await slack.start();

  await closeCasesLeftOpen(cases, evidence, log);

  return {
    dataDir,
    scenario,
    sim,
    cases,
    evidence,
    workflow,
    slack,
    ...(workspace ? { workspace, signingSecret: slackConfig.signingSecret, botToken: slackConfig.botToken } : {}),
    mode: realSlack ? 'slack' : 'standin',
    socketMode,
    async dispose() {
      workflow.dispose();
      await slack.stop().catch(() => undefined);
    },
  };
}

function casesFile(dataDir: string): string {
  return join(dataDir, 'cases.json');
}

function loadCases(dataDir: string): Case[] {
  const file = casesFile(dataDir);
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { cases?: Case[] };
    // Files written by earlier versions may hold full key ids: they are masked on the next write.
    return Array.isArray(parsed.cases) ? parsed.cases.map((c) => ({ ...c, posture: withoutKeyIds(c.posture) })) : [];
  } catch (error) {
    throw new InvalidInputError(
      `${file} is not readable JSON (${(error as Error).message}); move it away to start fresh`,
    );
  }
}

/** Writes every change through a temporary file and a rename, so a crash never leaves half a file. */
function persistCases(dataDir: string): (c: Case) => void {
  const all = new Map<string, Case>(loadCases(dataDir).map((c) => [c.caseId, c]));
  const file = casesFile(dataDir);
  return (c) => {
    const { pendingTask: _token, ...withoutToken } = c;
    all.set(c.caseId, withoutToken as Case);
    writeFileSync(`${file}.tmp`, JSON.stringify({ cases: [...all.values()] }, null, 2));
    renameSync(`${file}.tmp`, file);
  };
}

/**
 * A case that was still open when the sandbox last stopped lost its execution with the process.
 * Close it as failed, with an outcome record saying why, so it neither blocks the account forever
 * nor disappears from the evidence.
 */
async function closeCasesLeftOpen(
  cases: MemoryCaseStore,
  evidence: EvidenceService,
  log: (line: string) => void,
): Promise<void> {
  for (const c of await cases.list({ openOnly: true })) {
    const at = new Date().toISOString();
    const summary =
      'The sandbox stopped while this case was open; its local execution was lost. A new scan opens a new case.';
    const recorded = await evidence.record({
      caseId: c.caseId,
      accountId: c.accountId,
      type: 'outcome',
      at,
      data: evidenceData('outcome', {
        status: 'failed',
        summary,
        error: { name: 'SandboxRestarted', message: summary },
      }),
    });
    await cases.update(c.caseId, c.version, (cur) => ({
      ...cur,
      status: isTerminal(cur.status) ? cur.status : 'failed',
      closedAt: at,
      updatedAt: at,
      evidenceHead: recorded.digest,
      evidenceCount: cur.evidenceCount + 1,
      outcome: { status: 'failed', summary, at, error: { name: 'SandboxRestarted', message: summary } },
    }));
    // The report too: the page links it, and an auditor reads why the case ended.
    await evidence.writeReport(c.caseId);
    log(`closed case ${c.caseId} left open by an earlier run (recorded as failed)`);
  }
}

/** Bolt's logger, reduced to warnings and errors on the sandbox's log (`rootkey serve` uses it too). */
export function quietLogger(log: (line: string) => void) {
  let level = 'info';
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...msg: unknown[]) => log(`slack: ${msg.map(String).join(' ')}`),
    error: (...msg: unknown[]) => log(`slack error: ${msg.map(String).join(' ')}`),
    setLevel: (l: string) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  } as unknown as Logger;
}
