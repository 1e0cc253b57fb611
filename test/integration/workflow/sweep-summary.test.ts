import { parseScenario } from '../../../functions/adapters/sim/scenario';
import { SlackUnavailableError } from '../../../functions/core/errors';
import { synthesizeWorkflowDefinitions, type WorkflowDefinitions } from '../../../local-runner/workflow-definitions';
import { SWEEP_STATES } from '../../../infra/constructs/organization-sweep';
import { createWorld, until, type WorkflowWorld } from '../../support/workflow/workflow-fixture';

/**
 * The organization sweep posts one Slack summary, whose counts come from what each account's own
 * workflow reported (the synthesized sweep and remediation definitions, the handlers as bundled).
 */
jest.setTimeout(120_000);

let definitions: WorkflowDefinitions;
let world: WorkflowWorld | undefined;

beforeAll(() => {
  definitions = synthesizeWorkflowDefinitions();
}, 180_000);

afterEach(() => {
  world?.dispose();
  world = undefined;
});

const account = (i: number) => String(400000000000 + i);
const key = (i: number) => ({
  id: `AKIASWEEPROOTKEY${String(i).padStart(4, '0')}`,
  status: 'Active' as const,
  createdAt: '2021-01-01T00:00:00Z',
});

/** `total` member accounts, the first `withKeys` of them with a root key; options for one more account. */
function organization(total: number, withKeys: number, extra: Record<string, unknown>[] = []) {
  return parseScenario({
    features: { rootCredentialsManagement: true, rootSessions: true },
    accounts: [
      { id: '111111111111', name: 'management', management: true },
      ...Array.from({ length: total - 1 }, (_, i) => ({
        id: account(i),
        name: `workload-${i}`,
        ...(i < withKeys ? { rootKeys: [key(i)] } : {}),
      })),
      ...extra,
    ],
  });
}

const SCHEDULED = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };

describe('the organization sweep summary', () => {
  it('posts exactly one summary with the true counts, and an approval request per key found', async () => {
    // Prepare: 8 accounts, 3 with a root key (waits of 100 ms: the summary step may look up to 20 times).
    world = createWorld(definitions, { scenario: organization(8, 3), waitMs: 100 });

    // Act
    const sweep = world.workflow.startSweep(SCHEDULED);
    const result = await sweep.result;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(sweep.states()).toEqual(expect.arrayContaining([SWEEP_STATES.postSummary, 'SweepDone']));
    expect(world.notifier.sweepSummaries).toHaveLength(1);
    expect(world.notifier.sweepSummaries[0]).toEqual({
      sweepId: expect.any(String),
      accounts: 8,
      tally: { compliant: 5, 'case-opened': 3, 'case-already-open': 0, error: 0 },
      unreported: 0,
    });
    // The accounts' own workflows run on after they reported to the sweep: wait for their last steps.
    await until(
      async () =>
        world!.notifier.calls.filter((c) => c.method === 'requestApproval').length === 3 &&
        world!.notifier.calls.filter((c) => c.method === 'outcome').length >= 5
          ? true
          : undefined,
      "the three approval requests and the compliant accounts' outcomes",
    );
    // Besides the summary, only cases reach the notifier: the compliant cases' outcomes, which the
    // Slack notifier does not post (slack-adapters.test.ts), and the approval requests.
    const others = world.notifier.calls.filter((c) => c.method !== 'requestApproval');
    expect(others.map((c) => [c.method, c.status])).toEqual(Array.from({ length: 5 }, () => ['outcome', 'compliant']));
    // The sweep's state carries counts, never a list of accounts.
    expect(JSON.stringify(result.output).length).toBeLessThan(2_000);
  });

  it('counts an account whose read fails as an error, and an account with an open case as such', async () => {
    // Prepare: an account without the read role (AccessDenied), and a second sweep while cases are open.
    world = createWorld(definitions, {
      scenario: organization(4, 1, [{ id: '999999999999', name: 'locked', management: false, readRole: false }]),
      waitMs: 100,
    });
    world.sim.setFeatures({ rootCredentialsManagement: false, rootSessions: false });

    // Act
    const first = await world.workflow.startSweep(SCHEDULED).result;
    // The compliant accounts' workflows report to the sweep, then close their cases: until they have,
    // a second sweep rightly counts them as open cases. Wait for the three compliant outcomes.
    await until(
      async () => (world!.notifier.calls.filter((c) => c.method === 'outcome').length >= 3 ? true : undefined),
      "the first sweep's compliant cases to close",
    );
    const second = await world.workflow.startSweep(SCHEDULED).result;

    // Assess
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const [one, two] = world.notifier.sweepSummaries;
    expect(one).toMatchObject({
      accounts: 5,
      tally: { compliant: 3, 'case-opened': 1, 'case-already-open': 0, error: 1 },
      unreported: 0,
    });
    expect(two).toMatchObject({
      accounts: 5,
      tally: { compliant: 3, 'case-opened': 0, 'case-already-open': 1, error: 1 },
      unreported: 0,
    });
    expect(world.notifier.calls.filter((c) => c.method === 'requestApproval')).toHaveLength(1);
  });

  it('ends the sweep as succeeded when Slack refuses the summary', async () => {
    // Prepare: Slack answers the summary with a permanent error (not retried).
    world = createWorld(definitions, { scenario: organization(3, 1), waitMs: 100 });
    world.notifier.failNext('sweepSummary', new Error('channel_not_found'));

    // Act
    const sweep = world.workflow.startSweep(SCHEDULED);
    const result = await sweep.result;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(sweep.states()).toContain('SummaryNotPosted');
    expect(world.notifier.sweepSummaries).toHaveLength(0);
  });

  it('retries a summary Slack could not take for now, and posts it once', async () => {
    world = createWorld(definitions, { scenario: organization(3, 0), waitMs: 100 });
    world.notifier.failNext('sweepSummary', new SlackUnavailableError('Slack chat.postMessage failed: ratelimited'));

    const sweep = world.workflow.startSweep(SCHEDULED);
    const result = await sweep.result;

    expect(result.status).toBe('SUCCEEDED');
    expect(sweep.states()).toContain('SweepDone');
    expect(world.notifier.sweepSummaries).toEqual([
      expect.objectContaining({ accounts: 3, tally: expect.objectContaining({ compliant: 3 }), unreported: 0 }),
    ]);
  });
});
