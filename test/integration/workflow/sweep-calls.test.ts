import { parseScenario } from '../../../functions/adapters/sim/scenario';
import type { WorkflowDefinitions } from '../../../local-runner/workflow-definitions';
import { testWorkflowDefinitions } from '../../support/workflow/definitions';
import { createWorld, type WorkflowWorld } from '../../support/workflow/workflow-fixture';

/**
 * The sweep reads the organization once (ListAccounts, ListOrganizationsFeatures) and hands each
 * account's workflow what the list already knows (name, management or not, the features), so a
 * compliant member account costs AssumeRoot + GetAccountSummary (+ ListAccessKeys at most), not
 * also DescribeAccount and ListOrganizationsFeatures again: ≤ 3 account-reading AWS calls.
 */
jest.setTimeout(120_000);

const MEMBERS = 40;
const MANAGEMENT = '100000000000';
const memberId = (i: number) => String(200000000000 + i);

let definitions: WorkflowDefinitions;
let world: WorkflowWorld | undefined;

beforeAll(() => {
  definitions = testWorkflowDefinitions();
}, 180_000);

afterEach(() => {
  world?.dispose();
  world = undefined;
});

/** The APIs that read accounts and the organization (Security Hub's finding lookups are not counted). */
const ACCOUNT_APIS = /^(organizations|iam|sts):/;

it('makes at most 3 account-reading AWS calls per compliant member account and reads the features once', async () => {
  // Prepare
  const scenario = parseScenario({
    features: { rootCredentialsManagement: true, rootSessions: true },
    accounts: [
      { id: MANAGEMENT, name: 'management', management: true },
      ...Array.from({ length: MEMBERS }, (_, i) => ({ id: memberId(i), name: `member-${i}` })),
    ],
    faults: { throttleRate: 0, serverErrorRate: 0, latencyMs: 0, visibilityDelayMs: 0, seed: 1 },
  });
  world = createWorld(definitions, { scenario });
  const before = { ...world.sim.calls };

  // Act
  const sweep = await world.workflow.startSweep({}).result;
  const started = world.workflow.executions().filter((e) => e.kind === 'remediation');
  const results = await Promise.all(started.map((e) => e.result));

  // Assess
  expect(sweep.status).toBe('SUCCEEDED');
  expect(results.every((r) => r.status === 'SUCCEEDED')).toBe(true);
  expect(started.filter((e) => e.states().at(-1) === 'Compliant')).toHaveLength(MEMBERS + 1);
  const made = Object.fromEntries(
    Object.entries(world.sim.calls)
      .filter(([api]) => ACCOUNT_APIS.test(api))
      .map(([api, n]) => [api, n - (before[api] ?? 0)]),
  );
  expect(made['organizations:ListOrganizationsFeatures']).toBe(1);
  expect(made['organizations:DescribeAccount'] ?? 0).toBe(0);
  for (let i = 0; i < MEMBERS; i += 1) {
    const calls = world.sim.callsByAccount.get(memberId(i)) ?? 0;
    expect({ account: memberId(i), withinThree: calls > 0 && calls <= 3 }).toEqual({
      account: memberId(i),
      withinThree: true,
    });
  }
  // Every account-reading call of the sweep: the two list calls, the management account's reads,
  // and at most 3 per member.
  const total = Object.values(made).reduce((a, b) => a + b, 0);
  const management = world.sim.callsByAccount.get(MANAGEMENT) ?? 0;
  expect(total - 2 - management).toBeLessThanOrEqual(3 * MEMBERS);
});
