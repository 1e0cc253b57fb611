import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import { parseScenario, type Scenario, type SimFaults } from '../../../functions/adapters/sim/scenario';
import defaultScenario from '../../../functions/adapters/sim/scenarios/default.json';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import type { Case, Decision, DecisionAction } from '../../../functions/core/case';
import type { EvidenceEventType } from '../../../functions/ports/evidence-recorder';
import type { EvidenceService } from '../../../functions/services/evidence-service';
import { createLocalEvidence } from '../../../local-runner/local-evidence';
import { DEFAULT_SETTINGS, type Deps, type WorkflowSettings } from '../../../functions/services/dependencies';
import { detectAccount } from '../../../functions/services/scan-accounts';
import { openCaseForTrigger } from '../../../functions/services/open-case';
import { requestApproval } from '../../../functions/services/request-approval';
import { applyDecision } from '../../../functions/services/apply-decision';
import { RecordingNotifier } from './removal-doubles';

export const START = Date.parse('2026-11-28T10:00:00Z');

/** One evidence record as the tests look at it. */
export interface RecordView {
  type: EvidenceEventType;
  sequence: number;
  digest: string;
  data: Record<string, unknown>;
}

export interface RemovalFixture {
  deps: Deps;
  sim: SimulatedOrganization;
  /** The real evidence service over files in a temporary data directory, signed with a local key. */
  evidence: EvidenceService;
  notifier: RecordingNotifier;
  /** Moves the shared clock (deps.clock and the simulation) forward. */
  advance(seconds: number): void;
  /** The case's evidence records, in chain order, optionally of one type. */
  records(caseId: string, type?: EvidenceEventType): Promise<RecordView[]>;
}

const dataDirs: string[] = [];

/** Removes the temporary data directories of every fixture made so far (call in `afterAll`). */
export function removeFixtureDirs(): void {
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The simulated organization, an in-memory case store, the real evidence service (temporary data
 * directory) and a recording notifier double, all on one controllable clock.
 */
export function removalFixture(
  options: { scenario?: unknown; settings?: Partial<WorkflowSettings>; faults?: Partial<SimFaults> } = {},
): RemovalFixture {
  let nowMs = START;
  const clock = { now: () => new Date(nowMs) };
  const scenario: Scenario = parseScenario(options.scenario ?? defaultScenario);
  const sim = new SimulatedOrganization(scenario, { now: () => nowMs, sleep: async () => undefined });
  if (options.faults) sim.setFaults(options.faults);
  const dataDir = mkdtempSync(join(tmpdir(), 'rootkey-removal-'));
  dataDirs.push(dataDir);
  const evidence = createLocalEvidence(dataDir, { clock });
  const notifier = new RecordingNotifier();
  const deps: Deps = {
    organization: sim,
    reader: sim,
    remover: sim,
    findings: sim,
    cases: new MemoryCaseStore(),
    evidence,
    notifier,
    clock,
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
    records: async (caseId, type) =>
      (await evidence.readCase(caseId))
        .filter((r) => !type || r.type === type)
        .map((r) => ({ type: r.type, sequence: r.sequence, digest: r.digest, data: r.data })),
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
    approvers: [{ userId: 'U0APPROVER', userName: 'alice', action, at, ...reasonAndExpiry(extra) }],
    decidedAt: at,
    approvedKeys: posture.keys.map((k) => k.maskedId),
    ...extra,
  };
  await applyDecision(fx.deps, { caseId: opened.caseId, decision });
  return fx.deps.cases.get(opened.caseId);
}

function reasonAndExpiry(extra: Partial<Decision>): { reason?: string; expiresAt?: string } {
  return {
    ...(extra.reason ? { reason: extra.reason } : {}),
    ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}),
  };
}
