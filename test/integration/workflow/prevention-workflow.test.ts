import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import { parseScenario } from '../../../functions/adapters/sim/scenario';
import type { Case } from '../../../functions/core/case';
import { AccessDeniedError, TransientAwsError } from '../../../functions/core/errors';
import { systemClock } from '../../../functions/ports/clock';
import type { OrganizationPoliciesPort } from '../../../functions/ports/organization-policies';
import { createApplyPreventionHandler } from '../../../functions/handlers/apply-prevention';
import { createOfferPreventionHandler } from '../../../functions/handlers/offer-prevention';
import { bundleTaskHandlers, handlerSourceFromEnv, loadBundledFactory } from '../../../local-runner/handler-bundles';
import { recordPreventionVote, type PreventionDeps } from '../../../functions/services/prevent-recurrence';
import { PREVENTION_STATES } from '../../../infra/constructs/prevention-workflow';
import { extractStateMachines } from '../../../local-runner/definition-extraction';
import { createLocalEvidence } from '../../../local-runner/local-evidence';
import { synthesizeApp } from '../../support/infra/synth';
import { caseFixture } from '../../support/workflow/case-fixture';

/**
 * The Prevention state machine as `infra/` synthesizes it, executed locally (aws-local-stepfunctions)
 * with its two Lambda tasks bound to the real handler factories (`offer-prevention`,
 * `apply-prevention`) over the simulated organization, local signed evidence and an in-memory case
 * store. The Slack reply is the one seam replaced: a recorder of what would be posted. Retry waits
 * are 0 ms (every attempt of the budget is made, without its waiting).
 *
 * The factories come from the functions bundled as `infra/` bundles them (minified, names kept), so
 * that the error names the state machine's Retry and Catch match are the ones the bundles throw;
 * `ROOTKEY_HANDLERS=source` runs the TypeScript modules instead.
 */
const HANDLERS = handlerSourceFromEnv(process.env, 'bundled');
const factories =
  HANDLERS === 'bundled'
    ? (() => {
        const dir = bundleTaskHandlers();
        return {
          offer: loadBundledFactory<typeof createOfferPreventionHandler>(dir, 'offer-prevention'),
          apply: loadBundledFactory<typeof createApplyPreventionHandler>(dir, 'apply-prevention'),
        };
      })()
    : { offer: createOfferPreventionHandler, apply: createApplyPreventionHandler };

const MANAGEMENT = '111111111111';
const PAYMENTS = '333333333333';

function preventionDefinition(): Record<string, unknown> {
  const machine = extractStateMachines(synthesizeApp().centralTemplate.toJSON() as never).find(
    (m) => m.workflow === 'prevention',
  );
  if (!machine) throw new Error('The central template has no state machine tagged rootkey:workflow=prevention');
  return machine.definition;
}

/** Every state with a Retry gets a 0 ms interval; the attempts themselves stay as synthesized. */
function noRetryWaits(definition: Record<string, unknown>): Record<string, number> {
  const states = definition['States'] as Record<string, Record<string, unknown>>;
  return Object.fromEntries(
    Object.entries(states)
      .filter(([, state]) => Array.isArray(state['Retry']))
      .map(([name]) => [name, 0]),
  );
}

/** Attempts the apply task makes on TransientAwsError: the first call plus the Retry entry's MaxAttempts. */
function transientAttempts(definition: Record<string, unknown>): number {
  const apply = (definition['States'] as Record<string, { Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[] }>)[
    PREVENTION_STATES.apply
  ]!;
  const entry = apply.Retry!.find((r) => r.ErrorEquals.includes('TransientAwsError'))!;
  return 1 + (entry.MaxAttempts ?? 3);
}

interface World {
  sim: SimulatedOrganization;
  cases: MemoryCaseStore;
  deps: PreventionDeps;
  replies: string[];
  evidenceEvents(caseId: string): Promise<string[]>;
  run(input: Record<string, unknown>): Promise<{ status: string; states: string[]; output: unknown }>;
  dispose(): void;
}

function world(options: { policies?: (sim: SimulatedOrganization) => OrganizationPoliciesPort } = {}): World {
  const dataDir = mkdtempSync(join(tmpdir(), 'rootkey-prevention-sm-'));
  const sim = new SimulatedOrganization(
    parseScenario({
      accounts: [
        { id: MANAGEMENT, name: 'management', management: true },
        { id: PAYMENTS, name: 'payments-prod' },
      ],
    }),
    { sleep: async () => undefined },
  );
  const remediated: Case = caseFixture({ status: 'remediated' });
  const cases = new MemoryCaseStore([remediated]);
  const evidence = createLocalEvidence(dataDir);
  const deps: PreventionDeps = {
    cases,
    evidence,
    clock: systemClock,
    organization: sim,
    reader: sim,
    policies: options.policies ? options.policies(sim) : sim,
    credentialsRemover: sim,
  };
  const replies: string[] = [];
  const replier = {
    reply: async (c: Case, message: { text?: string }) => {
      replies.push(`${c.caseId}: ${message.text ?? ''}`);
    },
  } as never;
  const offer = factories.offer({ ...deps, replies: replier });
  const apply = factories.apply({ ...deps, replies: replier });
  if (!synthesized) throw new Error('the Prevention definition is synthesized in beforeAll');
  const definition = synthesized;
  const machine = new StateMachine(JSON.parse(JSON.stringify(definition)) as StateMachineDefinition);
  return {
    sim,
    cases,
    deps,
    replies,
    evidenceEvents: async (caseId) =>
      ((await evidence.readCase(caseId)) as unknown as { type: string; data: { event?: string } }[])
        .filter((r) => r.type === 'guardrail')
        .map((r) => String(r.data.event)),
    run: async (input) => {
      const states: string[] = [];
      const execution = machine.run(input as never, {
        overrides: {
          taskResourceLocalHandlers: {
            [PREVENTION_STATES.offer]: async (event) => (await offer(event)) as never,
            [PREVENTION_STATES.apply]: async (event) => (await apply(event)) as never,
            [PREVENTION_STATES.recordFailure]: async (event) => (await apply(event)) as never,
          },
          retryIntervalOverrides: noRetryWaits(definition),
        },
        noThrowOnAbort: true,
      });
      const recording = (async () => {
        for await (const entry of execution.eventLogs) {
          const log = entry as unknown as { type: string; state?: { name: string } };
          if (log.type === 'StateEntered' && log.state) states.push(log.state.name);
        }
      })();
      try {
        const output = await execution.result;
        await recording;
        return { status: 'SUCCEEDED', states, output };
      } catch (error) {
        await recording.catch(() => undefined);
        // The library wraps the Fail state's error (its name is the state's Error) in an ExecutionError.
        const failure = (error as { cause?: Error }).cause ?? (error as Error);
        return { status: `FAILED: ${failure.name}`, states, output: undefined };
      }
    },
    dispose: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** What the Slack button does before it starts the state machine: the approvers' vote (one suffices here). */
async function approve(w: World, caseId: string): Promise<void> {
  const vote = await recordPreventionVote(w.deps, { approverIds: async () => new Set(['U0ALICE']) } as never, {
    caseId,
    userId: 'U0ALICE',
    userName: 'alice',
  });
  expect(vote.status).toBe('approved');
}

/**
 * The remediated case's offer (record-outcome's start) and the approvers' vote; `afterOffer` runs in
 * between (a fault that starts once the offer is made). Answers the case id, for the approvers' start.
 */
async function offeredAndApproved(w: World, afterOffer: () => void = () => {}): Promise<string> {
  const caseId = (await w.cases.list())[0]!.caseId;
  await w.run({ caseId, step: 'offer' });
  afterOffer();
  await approve(w, caseId);
  return caseId;
}

/** The Prevention path when applying fails: the state machine's states, the case and its evidence. */
async function expectPreventionFailed(
  w: World,
  caseId: string,
  applied: Awaited<ReturnType<World['run']>>,
  afterApply: string,
): Promise<void> {
  expect(applied.status).toBe('FAILED: PreventionFailed');
  expect(applied.states).toEqual([
    PREVENTION_STATES.step,
    PREVENTION_STATES.apply,
    afterApply,
    PREVENTION_STATES.failed,
  ]);
  expect((await w.cases.get(caseId)).guardrail?.status).toBe('failed');
  expect((await w.evidenceEvents(caseId)).at(-1)).toBe('failed');
}

/** Synthesized once, before the first test (a cold synthesis takes longer than a test's timeout). */
let synthesized: Record<string, unknown> | undefined;
beforeAll(() => {
  synthesized = preventionDefinition();
}, 240_000);

let current: World | undefined;
afterEach(() => {
  current?.dispose();
  current = undefined;
});

describe('the Prevention state machine, synthesized and run locally with its handlers', () => {
  it('offers prevention for a remediated case of an uncovered account, then applies the approved offer', async () => {
    // Prepare
    const w = (current = world());
    const caseId = (await w.cases.list())[0]!.caseId;

    // Act: record-outcome's start, then the approvers' start.
    const offered = await w.run({ caseId, step: 'offer' });
    await approve(w, caseId);
    const applied = await w.run({ caseId });

    // Assess
    expect(offered).toMatchObject({ status: 'SUCCEEDED' });
    expect(offered.states).toEqual([PREVENTION_STATES.step, PREVENTION_STATES.offer, PREVENTION_STATES.offered]);
    expect(applied).toMatchObject({ status: 'SUCCEEDED' });
    expect(applied.states).toEqual([
      PREVENTION_STATES.step,
      PREVENTION_STATES.apply,
      'PreventionApplied?',
      PREVENTION_STATES.done,
    ]);
    expect((await w.cases.get(caseId)).guardrail?.status).toBe('applied');
    const snapshot = await w.sim.policySnapshot();
    expect(snapshot.policies.some((p) => p.name === 'rootkey-deny-root-access-keys')).toBe(true);
    expect(await w.evidenceEvents(caseId)).toEqual(['offered', 'approved', 'applied']);
    expect(w.replies).toHaveLength(2);
  });

  it('retries a throttled Organizations call and still applies the offer', async () => {
    // Prepare: the first CreatePolicy is throttled.
    let throttled = 0;
    const w = (current = world({
      policies: (sim) => ({
        policySnapshot: () => sim.policySnapshot(),
        attachPolicy: (id, target) => sim.attachPolicy(id, target),
        createPolicy: async (input) => {
          if (throttled++ === 0) throw new TransientAwsError('Throttling: Rate exceeded');
          return sim.createPolicy(input);
        },
      }),
    }));
    const caseId = await offeredAndApproved(w);

    // Act
    const applied = await w.run({ caseId });

    // Assess: the same task ran again and the case ends as if nothing had happened.
    expect(applied.status).toBe('SUCCEEDED');
    expect(applied.states.filter((s) => s === PREVENTION_STATES.apply).length).toBe(1);
    expect(throttled).toBe(2);
    expect((await w.cases.get(caseId)).guardrail?.status).toBe('applied');
    expect(await w.evidenceEvents(caseId)).toEqual(['offered', 'approved', 'applied']);
  });

  it('records and reports a refusal (the caller may not attach policies), and the execution fails', async () => {
    // Prepare
    const w = (current = world({
      policies: (sim) => ({
        policySnapshot: () => sim.policySnapshot(),
        createPolicy: (input) => sim.createPolicy(input),
        attachPolicy: async () => {
          throw new AccessDeniedError('organizations:AttachPolicy', 'the central account');
        },
      }),
    }));
    const caseId = await offeredAndApproved(w);

    // Act
    const applied = await w.run({ caseId });

    // Assess: the failure is the case's evidence and its thread's reply; the alarm sees a failed execution.
    await expectPreventionFailed(w, caseId, applied, 'PreventionApplied?');
    expect(w.replies.at(-1)).toMatch(caseId);
  });

  it('once a transient fault outlasts its retry budget, records the failure through the Catch state and fails', async () => {
    // Prepare: once the offer is made, Organizations throttles every read and never recovers. The
    // task leaves transient errors to the state machine's Retry; when the budget is spent, the Catch
    // sends the error to the same function, which records it.
    let broken = false;
    let reads = 0;
    const w = (current = world({
      policies: (sim) => ({
        policySnapshot: async () => {
          if (broken) {
            reads += 1;
            throw new TransientAwsError('Throttling: Rate exceeded');
          }
          return sim.policySnapshot();
        },
        createPolicy: (input) => sim.createPolicy(input),
        attachPolicy: (id, target) => sim.attachPolicy(id, target),
      }),
    }));
    const caseId = await offeredAndApproved(w, () => {
      broken = true;
    });

    // Act
    const applied = await w.run({ caseId });

    // Assess
    await expectPreventionFailed(w, caseId, applied, PREVENTION_STATES.recordFailure);
    // Every attempt of the synthesized budget was made (one read per attempt).
    expect(reads).toBe(transientAttempts(preventionDefinition()));
  });
});
