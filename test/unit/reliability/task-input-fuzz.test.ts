import fc from 'fast-check';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import { parseScenario } from '../../../functions/adapters/sim/scenario';
import defaultScenario from '../../../functions/adapters/sim/scenarios/default.json';
import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import { RootKeyError } from '../../../functions/core/errors';
import { TASK_HANDLER_FACTORIES } from '../../../functions/handlers/task-handlers';
import { TASK_IDS, type TaskId } from '../../../functions/handlers/task-ids';
import { DEFAULT_SETTINGS, type Deps } from '../../../functions/services/dependencies';
import { hostileJson, mutationsOf } from '../../support/reliability/json-mutations';
import { ReliabilityRecorder } from '../../support/reliability/reliability-results';
import { RecordingEvidenceRecorder, RecordingNotifier } from '../../support/removal/removal-doubles';
import { awaitingCase, manualClock } from '../../support/slack/case-fixture';
import { WorkflowCallbacksDouble } from '../../support/slack/workflow-callbacks-double';
import { MemorySweepListStore } from '../../../functions/adapters/local/memory-sweep-list-store';
import { createApplyPreventionHandler } from '../../../functions/handlers/apply-prevention';
import { createOfferPreventionHandler } from '../../../functions/handlers/offer-prevention';
import { caseFixture } from '../../support/workflow/case-fixture';

/**
 * Every Lambda task of the workflow parses its input at the edge (a hand-started execution, an edited
 * definition or the sandbox can send anything). Fuzzed inputs — mutations of plausible task inputs
 * and arbitrary JSON — must either be handled or refused with a typed error (RootKeyError), and a
 * refused input must change nothing: no case write, no evidence, no message, no answer to the
 * workflow, no change to the (simulated) AWS accounts.
 */

const RUNS_PER_TASK = 60;
const ACCOUNT = '333333333333';
const CASE_ID = `RK-${ACCOUNT}-20260601110000-ab12`;
const recorder = new ReliabilityRecorder('task-input-fuzz', 'test/unit/reliability/task-input-fuzz.test.ts');

afterAll(async () => {
  await recorder.flush();
});

/** Inputs shaped like what the state machine passes, to be mutated. */
const trigger = {
  source: 'manual',
  accountId: ACCOUNT,
  detectedAt: '2026-06-01T10:00:00.000Z',
  requestedBy: 'U0ALICE',
};
const PLAUSIBLE: unknown[] = [
  { caseId: CASE_ID },
  { caseId: CASE_ID, token: 'task-token' },
  { caseId: CASE_ID, decision: { action: 'delete', approvers: [], decidedAt: trigger.detectedAt, approvedKeys: [] } },
  { trigger },
  { caseId: CASE_ID, trigger },
  { caseId: CASE_ID, stepId: 'open-root-access-management', token: 'task-token', reminders: 0 },
  { caseId: CASE_ID, attempt: 1 },
  { caseId: CASE_ID, status: 'RESOLVED' },
  { caseId: CASE_ID, reason: 'decision' },
  { caseId: CASE_ID, output: { kind: 'verify-now', by: { userId: 'U0ALICE' }, at: trigger.detectedAt } },
  { error: { Error: 'TransientAwsError', Cause: 'x' }, case: { caseId: CASE_ID } },
];

/** A fresh world per input, so that one accepted input cannot hide the effect of the next. */
function world() {
  const sim = new SimulatedOrganization(parseScenario(defaultScenario), { sleep: async () => undefined });
  const cases = new MemoryCaseStore([awaitingCase({ accountId: ACCOUNT, caseId: CASE_ID })]);
  const evidence = new RecordingEvidenceRecorder();
  const notifier = new RecordingNotifier();
  const callbacks = new WorkflowCallbacksDouble();
  const deps: Deps = {
    organization: sim,
    reader: sim,
    remover: sim,
    findings: sim,
    cases,
    evidence,
    notifier,
    clock: manualClock(),
    settings: { ...DEFAULT_SETTINGS, readRoleName: 'RootKeyReadOnly' },
  };
  const snapshot = async () =>
    JSON.stringify({
      cases: await cases.list(),
      evidence: evidence.events.length,
      reports: evidence.reports.length,
      notified: notifier.calls.length,
      answered: callbacks.successes.length + callbacks.failures.length,
      keys: sim.liveKeyIds(ACCOUNT),
      finding: sim.finding(ACCOUNT),
    });
  return { deps, callbacks, snapshot };
}

/** What the fuzzing counted (the reliability report's counts). */
type FuzzTotals = Record<'inputs' | 'handled' | 'refused' | 'crashes' | 'changedWhileRefusing', number>;

/**
 * Feeds one handler mutations of `plausible` and arbitrary JSON, each on a fresh world, and counts
 * what happened; a crash (not a RootKeyError) or a refusal that changed something is noted in `problems`
 * under `name:`.
 */
async function fuzzHandler(
  name: string,
  plausible: unknown[],
  seed: number,
  fresh: () => { handler: (input: unknown) => Promise<unknown>; snapshot: () => Promise<string> },
  totals: FuzzTotals,
  problems: string[],
): Promise<void> {
  const inputs = fc.oneof(
    fc.constantFrom(...plausible).chain((p) => mutationsOf(p)),
    hostileJson,
  );
  await fc.assert(
    fc.asyncProperty(inputs, async (input) => {
      const { handler, snapshot } = fresh();
      const before = await snapshot();
      totals.inputs += 1;
      try {
        await handler(input);
        totals.handled += 1;
      } catch (error) {
        if (!(error instanceof RootKeyError)) {
          totals.crashes += 1;
          problems.push(
            `${name}: ${(error as Error).name}: ${(error as Error).message} for ${JSON.stringify(input)?.slice(0, 200)}`,
          );
          return;
        }
        totals.refused += 1;
        if ((await snapshot()) !== before) {
          totals.changedWhileRefusing += 1;
          problems.push(`${name}: ${error.name} after changing state, for ${JSON.stringify(input)?.slice(0, 200)}`);
        }
      }
    }),
    { numRuns: RUNS_PER_TASK, seed },
  );
}

describe('every workflow task refuses bad input with a typed error and changes nothing', () => {
  const totals: FuzzTotals = { inputs: 0, handled: 0, refused: 0, crashes: 0, changedWhileRefusing: 0 };
  const problems: string[] = [];

  afterAll(() => {
    recorder.add({
      id: 'bad-input.task-inputs',
      section: 'bad-input',
      title: `Workflow task inputs (${TASK_IDS.length} Lambda handlers)`,
      injected: `${RUNS_PER_TASK} mutated or arbitrary inputs per task, each on a fresh case store and simulated organization`,
      outcome: `${totals.refused} refused with a typed error (nothing changed), ${totals.handled} handled as valid, ${totals.crashes} crashes, ${totals.changedWhileRefusing} refusals that changed something`,
      counts: totals,
      holds: totals.crashes === 0 && totals.changedWhileRefusing === 0,
    });
  });

  it.each(TASK_IDS.map((t) => [t]))('%s', async (task: TaskId) => {
    await fuzzHandler(
      task,
      PLAUSIBLE,
      20261128,
      () => {
        const { deps, callbacks, snapshot } = world();
        const handler = TASK_HANDLER_FACTORIES[task]({ deps, callbacks, sweepLists: new MemorySweepListStore() });
        return { handler, snapshot };
      },
      totals,
      problems,
    );
    expect(problems.filter((p) => p.startsWith(`${task}:`))).toEqual([]);
  });
});

/** The Prevention state machine's two functions: the same rule, on a remediated case of the account. */
describe('the Prevention functions refuse bad input with a typed error and change nothing', () => {
  const PREVENTION = {
    'offer-prevention': createOfferPreventionHandler,
    'apply-prevention': createApplyPreventionHandler,
  };
  const totals: FuzzTotals = { inputs: 0, handled: 0, refused: 0, crashes: 0, changedWhileRefusing: 0 };
  const problems: string[] = [];
  const plausible: unknown[] = [
    { caseId: CASE_ID },
    { caseId: CASE_ID, step: 'offer' },
    { caseId: CASE_ID, error: { Error: 'TransientAwsError', Cause: '{"errorMessage":"Rate exceeded"}' } },
  ];

  afterAll(() => {
    recorder.add({
      id: 'bad-input.prevention-inputs',
      section: 'bad-input',
      title: `Prevention function inputs (${Object.keys(PREVENTION).length} Lambda handlers)`,
      injected: `${RUNS_PER_TASK} mutated or arbitrary inputs per function, each on a fresh case store and simulated organization`,
      outcome: `${totals.refused} refused with a typed error (nothing changed), ${totals.handled} handled as valid, ${totals.crashes} crashes, ${totals.changedWhileRefusing} refusals that changed something`,
      counts: totals,
      holds: totals.crashes === 0 && totals.changedWhileRefusing === 0,
    });
  });

  function preventionWorld() {
    const sim = new SimulatedOrganization(parseScenario(defaultScenario), { sleep: async () => undefined });
    const cases = new MemoryCaseStore([caseFixture({ accountId: ACCOUNT, caseId: CASE_ID, status: 'remediated' })]);
    const evidence = new RecordingEvidenceRecorder();
    const replies: string[] = [];
    const deps = {
      cases,
      evidence,
      clock: manualClock(),
      organization: sim,
      reader: sim,
      policies: sim,
      credentialsRemover: sim,
      replies: { reply: async (_c: unknown, message: { text?: string }) => void replies.push(message.text ?? '') },
    };
    const snapshot = async () =>
      JSON.stringify({
        cases: await cases.list(),
        evidence: evidence.events.length,
        replies: replies.length,
        policies: await sim.policySnapshot(),
        keys: sim.liveKeyIds(ACCOUNT),
      });
    return { deps, snapshot };
  }

  it.each(Object.keys(PREVENTION).map((name) => [name]))('%s', async (name: string) => {
    await fuzzHandler(
      name,
      plausible,
      20261201,
      () => {
        const { deps, snapshot } = preventionWorld();
        return { handler: PREVENTION[name as keyof typeof PREVENTION](deps as never), snapshot };
      },
      totals,
      problems,
    );
    expect(problems.filter((p) => p.startsWith(`${name}:`))).toEqual([]);
  });
});
