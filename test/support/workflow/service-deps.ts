import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import type { Case } from '../../../functions/core/case';
import { systemClock } from '../../../functions/ports/clock';
import type { Deps } from '../../../functions/services/dependencies';
import { createLocalEvidence } from '../../../local-runner/local-evidence';
import { RecordingNotifier } from './recording-notifier';
import { FAST_SETTINGS, workflowScenario } from './workflow-fixture';

export interface ServiceDeps {
  deps: Deps;
  cases: MemoryCaseStore;
  notifier: RecordingNotifier;
  sim: SimulatedOrganization;
  dispose(): void;
}

/** Deps for calling the workflow's services directly (no state machine): sim, memory store, real evidence. */
export function serviceDeps(initial: Case[] = []): ServiceDeps {
  const dataDir = mkdtempSync(join(tmpdir(), 'rootkey-services-'));
  const sim = new SimulatedOrganization(workflowScenario(), { sleep: async () => {} });
  const cases = new MemoryCaseStore(initial);
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
    settings: FAST_SETTINGS,
  };
  return { deps, cases, notifier, sim, dispose: () => rmSync(dataDir, { recursive: true, force: true }) };
}
