import { canDeleteAutomatically } from '../functions/core/removal-paths';
import { isTerminal, type Case, type DecisionAction } from '../functions/core/case';
import { ACTION_IDS, BLOCK_IDS, INPUT_IDS, runbookStepBlockId } from '../functions/adapters/slack/blocks/ids';
import { startSandboxServer, type RunningSandbox } from './sandbox-server';
import { InteractionSender } from './slack-standin/interactions';
import type { StandinMessage, StandinWorkspace } from './slack-standin/workspace';

export interface DemoOptions {
  dataDir: string;
  scenarioPath?: string;
  /** Progress lines (stderr). */
  log: (line: string) => void;
  /** Longest the whole run may take. */
  timeoutMs?: number;
}

export interface DemoCaseResult {
  accountId: string;
  accountName: string;
  caseId?: string;
  decision?: DecisionAction;
  status: string;
  expected?: string;
  ok: boolean;
  evidenceHead?: string;
  note?: string;
}

export interface DemoResult {
  ok: boolean;
  cases: DemoCaseResult[];
  evidenceDir: string;
  evidenceOk: boolean;
  evidenceProblems: string[];
  url: string;
}

const ACTION_FOR: Record<DecisionAction, string> = {
  delete: ACTION_IDS.delete,
  runbook: ACTION_IDS.runbook,
  'accept-risk': ACTION_IDS.acceptRisk,
  reject: ACTION_IDS.reject,
};

/**
 * `rootkey demo`: the sandbox run headless to the end. The organization sweep finds the keys; a
 * sandbox approver decides each case as the scenario says (`demoDecision`, or deletion where it is
 * automated and the runbook elsewhere) through real signed Slack interactions; the operator does the
 * runbook's console step in the simulated organization; then every case's end state is compared with
 * the scenario's `expect`, and the evidence is verified.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  // Always the stand-in: a headless demo must never post to a real workspace.
  const sandbox = await startSandboxServer({
    dataDir: options.dataDir,
    scenarioPath: options.scenarioPath,
    port: 0,
    host: '127.0.0.1',
    env: {},
    sweepOnStart: false,
    taskTimeoutMs: 60_000,
    waitMs: 50,
    log: options.log,
  });
  try {
    return await drive(sandbox, options, deadline);
  } finally {
    await sandbox.close();
  }
}

async function drive(sandbox: RunningSandbox, options: DemoOptions, deadline: number): Promise<DemoResult> {
  const { runtime } = sandbox;
  const ws = runtime.workspace as StandinWorkspace;
  const sender = new InteractionSender(ws, {
    eventsUrl: `${sandbox.url}/slack/events`,
    signingSecret: runtime.signingSecret as string,
    responseUrlBase: `${sandbox.url}/slack/api/response`,
  });
  const approvers = ws.users.filter((u) => u.role === 'approver');
  const startedAt = new Date().toISOString();
  const sweep = runtime.workflow.startSweep({});
  options.log(`sweep started over ${runtime.scenario.accounts.length} simulated accounts`);
  const sweepResult = await withDeadline(sweep.result, deadline, 'the organization sweep');
  if (sweepResult.status !== 'SUCCEEDED')
    options.log(`sweep ended ${sweepResult.status}: ${sweepResult.error?.cause ?? ''}`);

  const decided = new Map<string, DecisionAction>();
  const handled = new Set<string>();
  const ourCases = async () => (await runtime.cases.list()).filter((c) => c.openedAt >= startedAt);

  for (;;) {
    if (Date.now() > deadline) throw new Error('The demo did not finish in time');
    const cases = await ourCases();
    const open = cases.filter((c) => !isTerminal(c.status));
    const running = runtime.workflow.executions().filter((e) => e.status === 'RUNNING' && e.kind === 'remediation');
    if (open.length === 0 && running.length === 0) break;
    for (const c of open) {
      if (c.pendingTask?.kind === 'approval' && !decided.has(c.caseId)) {
        const action = demoDecisionFor(runtime.scenario.accounts.find((a) => a.id === c.accountId)?.demoDecision, c);
        const message = findMessageWithButton(ws, c.caseId, ACTION_FOR[action]);
        if (!message) continue;
        decided.set(c.caseId, action);
        options.log(`${c.accountName} (${c.accountId}): ${approvers[0]?.name} chooses ${action}`);
        for (const approver of approvers.slice(0, Math.max(1, c.requiredApprovals))) {
          await sender.click({
            user: approver,
            channel: message.channel,
            messageTs: message.ts,
            actionId: ACTION_FOR[action],
            blockId: BLOCK_IDS.decisionActions,
            value: c.caseId,
          });
          if (action === 'accept-risk' || action === 'reject') await submitException(ws, sender, approver.id, action);
        }
      } else if (c.pendingTask?.kind === 'runbook-step' && c.pendingTask.stepId) {
        const stepId = c.pendingTask.stepId;
        const key = `${c.caseId}:${stepId}:${c.pendingTask.since}`;
        if (handled.has(key)) continue;
        const message = findMessageWithButton(ws, c.caseId, ACTION_IDS.confirmStep, runbookStepBlockId(stepId));
        if (!message) continue;
        handled.add(key);
        if (stepId.startsWith('delete')) {
          const removed = runtime.sim.removeKeysByOperator(c.accountId);
          options.log(
            `${c.accountName}: the operator deletes ${removed.join(', ') || 'nothing (already gone)'} in the console`,
          );
        }
        options.log(`${c.accountName}: runbook step "${stepId}" confirmed`);
        await sender.click({
          user: approvers[0] ?? ws.users[0]!,
          channel: message.channel,
          messageTs: message.ts,
          actionId: ACTION_IDS.confirmStep,
          blockId: runbookStepBlockId(stepId),
          value: c.caseId,
        });
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const cases = await ourCases();
  const results: DemoCaseResult[] = runtime.scenario.accounts.map((account) => {
    const mine = cases.filter((c) => c.accountId === account.id);
    const last = mine[mine.length - 1];
    const status = last?.status ?? 'no case';
    return {
      accountId: account.id,
      accountName: account.name,
      ...(last ? { caseId: last.caseId, evidenceHead: last.evidenceHead } : {}),
      ...(last?.decision ? { decision: last.decision.action } : {}),
      status,
      ...(account.expect ? { expected: account.expect } : {}),
      ok: account.expect ? status === account.expect : last !== undefined && isTerminal(last.status),
      ...(last?.outcome?.error ? { note: `${last.outcome.error.name}: ${last.outcome.error.message}` } : {}),
    };
  });
  const verification = await runtime.evidence.verify({ requireComplete: true });
  const problems = verification.problems.map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
  return {
    ok: results.every((r) => r.ok) && verification.ok,
    cases: results,
    evidenceDir: `${runtime.dataDir}/evidence`,
    evidenceOk: verification.ok,
    evidenceProblems: problems,
    url: sandbox.url,
  };
}

/** The scenario's choice, or what a careful approver would pick: delete where automated, else the runbook. */
function demoDecisionFor(choice: DecisionAction | undefined, c: Case): DecisionAction {
  if (choice === 'delete' && !canDeleteAutomatically(c.removalPaths)) return 'runbook';
  return choice ?? (canDeleteAutomatically(c.removalPaths) ? 'delete' : 'runbook');
}

function findMessageWithButton(
  ws: StandinWorkspace,
  caseId: string,
  actionId: string,
  blockId?: string,
): StandinMessage | undefined {
  const all = ws.messages.flatMap((m) => [m, ...m.replies]).filter((m) => !m.visibleTo);
  return [...all].reverse().find((m) =>
    (m.blocks ?? []).some((b) => {
      const block = b as { block_id?: string; elements?: { action_id?: string; value?: string }[] };
      return (
        (!blockId || block.block_id === blockId) &&
        (block.elements ?? []).some((e) => e.action_id === actionId && e.value === caseId)
      );
    }),
  );
}

async function submitException(
  ws: StandinWorkspace,
  sender: InteractionSender,
  userId: string,
  action: DecisionAction,
): Promise<void> {
  // The app opens the modal after acknowledging the click, so it appears a moment later.
  let view;
  for (let i = 0; i < 100 && !view; i++) {
    view = [...ws.views.values()].reverse().find((v) => v.userId === userId && !v.closed);
    if (!view) await new Promise((r) => setTimeout(r, 50));
  }
  const user = ws.user(userId);
  if (!view || !user) throw new Error(`The ${action} modal did not open for ${userId}`);
  const expiry = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await sender.submitView({
    user,
    viewId: view.id,
    values: {
      [BLOCK_IDS.exceptionReason]: {
        [INPUT_IDS.reason]: 'Demo: the key belongs to a vendor integration being migrated; accepted for 30 days.',
      },
      [BLOCK_IDS.exceptionExpiry]: { [INPUT_IDS.expiry]: expiry },
    },
  });
}

async function withDeadline<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in time`)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
