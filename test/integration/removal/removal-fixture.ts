import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import { parseScenario, type Scenario, type SimFaults } from '../../../functions/adapters/sim/scenario';
import defaultScenario from '../../../functions/adapters/sim/scenarios/default.json';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import type { Case, Decision, DecisionAction } from '../../../functions/core/case';
import { DEFAULT_SETTINGS, type Deps, type WorkflowSettings } from '../../../functions/services/dependencies';
import { detectAccount } from '../../../functions/services/scan-accounts';
import { openCaseForTrigger } from '../../../functions/services/open-case';
import { requestApproval } from '../../../functions/services/request-approval';
import { applyDecision } from '../../../functions/services/apply-decision';
import { RecordingEvidenceRecorder, RecordingNotifier } from './removal-doubles';

export const START = Date.parse('2026-11-28T10:00:00Z');

export interface RemovalFixture {
  deps: Deps;
  sim: SimulatedOrganization;
  evidence: RecordingEvidenceRecorder;
  notifier: RecordingNotifier;
  /** Moves the shared clock (deps.clock and the simulation) forward. */
  advance(seconds: number): void;
}

/** The simulated organization, an in-memory case store and recording doubles, on one controllable clock. */
export function removalFixture(
  options: { scenario?: unknown; settings?: Partial<WorkflowSettings>; faults?: Partial<SimFaults> } = {},
): RemovalFixture {
  let nowMs = START;
  const scenario: Scenario = parseScenario(options.scenario ?? defaultScenario);
  const sim = new SimulatedOrganization(scenario, { now: () => nowMs, sleep: async () => undefined });
  if (options.faults) sim.setFaults(options.faults);
  const evidence = new RecordingEvidenceRecorder();
  const notifier = new RecordingNotifier();
  const deps: Deps = {
    organization: sim,
    reader: sim,
    remover: sim,
    findings: sim,
    cases: new MemoryCaseStore(),
    evidence,
    notifier,
    clock: { now: () => new Date(nowMs) },
    settings: { ...DEFAULT_SETTINGS, readRoleName: 'rootkey-read', ...options.settings },
  };
  return {
    deps,
    sim,
    evidence,
    notifier,
    advance: (seconds) => {
      nowMs += seconds * 1000;
    },
  };
}

/**
 * Takes an account through the workflow's services up to the decision: detect, open the case,
 * request approval (finding NOTIFIED) and apply an approver's decision on the keys they were shown.
 */
export async function decideCase(
  fx: RemovalFixture,
  accountId: string,
  action: DecisionAction,
  extra: Partial<Decision> = {},
): Promise<Case> {
  const posture = await detectAccount(fx.deps, accountId);
  const opened = await openCaseForTrigger(fx.deps, {
    trigger: { source: 'manual', accountId, detectedAt: fx.deps.clock.now().toISOString(), requestedBy: 'test' },
    posture,
  });
  await requestApproval(fx.deps, { caseId: opened.caseId, token: `token-${opened.caseId}` });
  const at = fx.deps.clock.now().toISOString();
  const decision: Decision = {
    action,
    approvers: [{ userId: 'U0APPROVER', userName: 'alice', action, at, ...pick(extra) }],
    decidedAt: at,
    approvedKeys: posture.keys.map((k) => k.maskedId),
    ...extra,
  };
  await applyDecision(fx.deps, { caseId: opened.caseId, decision });
  return fx.deps.cases.get(opened.caseId);
}

function pick(extra: Partial<Decision>): { reason?: string; expiresAt?: string } {
  return {
    ...(extra.reason ? { reason: extra.reason } : {}),
    ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}),
  };
}
