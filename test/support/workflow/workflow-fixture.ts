import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import { StaticApproverDirectory } from '../../../functions/adapters/slack/slack-approver-directory';
import { parseScenario, type Scenario } from '../../../functions/adapters/sim/scenario';
import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import type { Case, DecisionAction } from '../../../functions/core/case';
import { LocalWorkflow, type LocalExecution, type LocalWorkflowOptions } from '../../../local-runner/local-workflow';
import { handlerSourceFromEnv } from '../../../local-runner/handler-bundles';
import type { WorkflowDefinitions } from '../../../local-runner/workflow-definitions';
import { systemClock } from '../../../functions/ports/clock';
import { DEFAULT_SETTINGS, type Deps, type WorkflowSettings } from '../../../functions/services/dependencies';
import { createLocalEvidence } from '../../../local-runner/local-evidence';
import { verifyStoredEvidence } from '../../../functions/services/verify-stored-evidence';
import { confirmRunbookStep } from '../../../functions/services/confirm-runbook-step';
import { recordVote, type VoteResult } from '../../../functions/services/record-vote';
import { RecordingNotifier } from './recording-notifier';
import { fileEvidenceStore } from '../evidence/evidence-stores';

export const MEMBER = '333333333333';
export const MANAGEMENT = '111111111111';
export const COMPLIANT = '222222222222';

/** Management account with an inactive key (runbook), a clean member, a member whose key AssumeRoot can delete. */
export function workflowScenario(overrides: Partial<Scenario['faults']> = {}): Scenario {
  return parseScenario({
    features: { rootCredentialsManagement: true, rootSessions: true },
    accounts: [
      {
        id: MANAGEMENT,
        name: 'management',
        management: true,
        rootKeys: [{ id: 'AKIAMGMTROOTKEY00001', status: 'Inactive', createdAt: '2019-03-14T09:12:00Z' }],
      },
      { id: COMPLIANT, name: 'security-tooling' },
      {
        id: MEMBER,
        name: 'payments-prod',
        rootKeys: [
          {
            id: 'AKIAPAYMENTSROOT0042',
            status: 'Active',
            createdAt: '2020-11-02T08:00:00Z',
            lastUsed: { date: '2026-11-20T06:15:00Z', service: 'ec2', region: 'eu-west-1' },
          },
        ],
      },
    ],
    faults: { throttleRate: 0, serverErrorRate: 0, latencyMs: 0, visibilityDelayMs: 0, seed: 1, ...overrides },
  });
}

export interface WorkflowWorld {
  workflow: LocalWorkflow;
  sim: SimulatedOrganization;
  cases: MemoryCaseStore;
  notifier: RecordingNotifier;
  deps: Deps;
  dataDir: string;
  /** The case the execution opened (from its path's OpenCase output or the store). */
  caseOf(execution: LocalExecution): Promise<Case>;
  /** Waits until the case waits for a human in `kind` and returns its current token. */
  waitingToken(caseId: string, kind: 'approval' | 'runbook-step', timeoutMs?: number): Promise<string>;
  /** The evidence record types of a case, in chain order. */
  evidenceTypes(caseId: string): Promise<string[]>;
  /** Verifies the evidence folder with the EVIDENCE verifier (complete cases, digests known from outside). */
  verifyEvidence(expectedDigests?: string[]): ReturnType<typeof verifyStoredEvidence>;
  dispose(): void;
}

/** Settings that keep local runs short: two reminders, three verification attempts, one-second waits. */
export const FAST_SETTINGS: WorkflowSettings = {
  ...DEFAULT_SETTINGS,
  readRoleName: 'RootKeyReadOnly',
  maxReminders: 2,
  verification: { maxAttempts: 3, initialWaitSeconds: 1, maxWaitSeconds: 1 },
};

/**
 * A world for one workflow test: the simulated organization, an in-memory case store, the real
 * evidence service writing signed files to a temporary folder, a recording notifier, and the local
 * runner over the definitions synthesized once per test file.
 */
export function createWorld(
  definitions: WorkflowDefinitions,
  options: {
    scenario?: Scenario;
    settings?: Partial<WorkflowSettings>;
    taskTimeoutMs?: number;
    /** The simulated organization's clock (deletion visibility), in epoch ms; real time when absent. */
    simNow?: () => number;
    /** Replaces Task states' local bindings by state name (see `LocalWorkflowOptions.taskOverrides`). */
    taskOverrides?: LocalWorkflowOptions['taskOverrides'];
    /** How long every Wait state waits locally (default 5 ms). */
    waitMs?: number;
  } = {},
): WorkflowWorld {
  const dataDir = mkdtempSync(join(tmpdir(), 'rootkey-workflow-'));
  const sim = new SimulatedOrganization(options.scenario ?? workflowScenario(), {
    sleep: async () => {},
    ...(options.simNow ? { now: options.simNow } : {}),
  });
  const cases = new MemoryCaseStore();
  const notifier = new RecordingNotifier();
  const deps: Deps = {
    organization: sim,
    reader: sim,
    remover: sim,
    findings: sim,
    cases,
    evidence: createLocalEvidence(dataDir),
    notifier,
    clock: systemClock,
    settings: { ...FAST_SETTINGS, ...options.settings },
  };
  const workflow = new LocalWorkflow({
    deps,
    definitions,
    taskTimeoutMs: options.taskTimeoutMs ?? 5_000,
    waitMs: options.waitMs ?? 5,
    retryIntervalMs: 0,
    // What ships: the handlers bundled as infra bundles them, unless ROOTKEY_HANDLERS=source.
    handlers: handlerSourceFromEnv(process.env, 'bundled'),
    ...(options.taskOverrides ? { taskOverrides: options.taskOverrides } : {}),
  });
  return {
    workflow,
    sim,
    cases,
    notifier,
    deps,
    dataDir,
    async caseOf(execution) {
      const accountId = (execution.input as { accountId?: string }).accountId;
      const all = await cases.list(accountId ? { accountId } : {});
      const last = all.at(-1);
      if (!last) throw new Error(`No case for execution ${execution.name}`);
      return last;
    },
    async waitingToken(caseId, kind, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const c = await cases.get(caseId).catch(() => undefined);
        const pending = c?.pendingTask;
        const registered = workflow.callbacks.waiting().some((w) => w.token === pending?.token);
        if (pending?.kind === kind && registered) return pending.token;
        if (Date.now() > deadline) throw new Error(`Case ${caseId} is not waiting for ${kind} (status ${c?.status})`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async evidenceTypes(caseId) {
      const files = await fileEvidenceStore(dataDir).listCaseFiles(caseId);
      return files
        .map((f) => JSON.parse(f.content) as { type: string; sequence: number })
        .sort((a, b) => a.sequence - b.sequence)
        .map((r) => r.type);
    },
    verifyEvidence(expectedDigests = []) {
      return verifyStoredEvidence(fileEvidenceStore(dataDir), { requireComplete: true, expectedDigests });
    },
    dispose() {
      workflow.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The approver the tests click as (the directory of the real vote service). */
export const APPROVER = 'U0APPROVER';
export const approvers = new StaticApproverDirectory([APPROVER, 'U0SECOND']);

/** Waits for the approval request and clicks `action` through the Slack app's real vote service. */
export async function approve(
  world: WorkflowWorld,
  caseId: string,
  action: DecisionAction,
  extra: { reason?: string; expiresAt?: string; userId?: string } = {},
): Promise<VoteResult> {
  await world.waitingToken(caseId, 'approval');
  return recordVote(world.deps, world.workflow.callbacks, approvers, {
    caseId,
    userId: extra.userId ?? APPROVER,
    userName: 'Ada Approver',
    action,
    ...(extra.reason ? { reason: extra.reason } : {}),
    ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}),
  });
}

/**
 * Polls `probe` until it answers something, or fails after `timeoutMs`. The default is generous:
 * CI runs one jest worker per core next to other work, and a wait that only bounds a hang should
 * not decide a test by the machine's load.
 */
export async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Confirms runbook steps through the Slack app's real runbook service until the case leaves the
 * runbook (verification); `beforeStep(stepId)` runs before each confirmation (the operator's work).
 */
export async function walkRunbook(
  world: WorkflowWorld,
  caseId: string,
  beforeStep: (stepId: string) => void = () => {},
): Promise<string[]> {
  const confirmed: string[] = [];
  const registered = (token: string) => world.workflow.callbacks.waiting().some((w) => w.token === token);
  await until(
    async () => ((await world.cases.get(caseId)).status === 'runbook' ? true : undefined),
    'the runbook to start',
  );
  for (;;) {
    const next = await until(async () => {
      const c = await world.cases.get(caseId);
      if (c.pendingTask?.kind === 'runbook-step' && registered(c.pendingTask.token)) {
        return { stepId: c.pendingTask.stepId!, token: c.pendingTask.token };
      }
      return c.status === 'runbook' ? undefined : { done: true as const };
    }, `case ${caseId} to wait for a runbook step`);
    if ('done' in next) return confirmed;
    beforeStep(next.stepId);
    const result = await confirmRunbookStep(world.deps, world.workflow.callbacks, approvers, {
      caseId,
      userId: APPROVER,
      userName: 'Ada Approver',
      stepId: next.stepId,
    });
    if (result.status !== 'sent') throw new Error(`Step ${next.stepId} was not accepted: ${JSON.stringify(result)}`);
    confirmed.push(next.stepId);
    await until(async () => (registered(next.token) ? undefined : true), 'the workflow to take the step');
  }
}
