import { parseScenario } from '../../../functions/adapters/sim/scenario';
import type { WorkflowEvent } from '../../../local-runner/local-workflow';
import type { WorkflowDefinitions } from '../../../local-runner/workflow-definitions';
import { testWorkflowDefinitions } from '../../support/workflow/definitions';
import { createWorld, type WorkflowWorld } from '../../support/workflow/workflow-fixture';

/**
 * The sweep at any size: the list of accounts goes to the sweep-list store and the Distributed Map
 * reads it with its ItemReader, so no state's input or output grows with the organization. A
 * state's input and output are at most 262,144 bytes of UTF-8 (StateEnteredEventDetails.input,
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateEnteredEventDetails.html);
 * with the list in the payload a sweep failed at ~2,900 accounts. The list step runs for real (bundled, against the simulated organization); each
 * account's StartAccountWorkflow is replaced by a recorder, so the test needs no 20,000 executions.
 */
jest.setTimeout(300_000);

const ACCOUNTS = 20_000;
const PAYLOAD_LIMIT_BYTES = 256 * 1024;
const accountId = (i: number) => String(100000000000 + i);

let definitions: WorkflowDefinitions;
let world: WorkflowWorld | undefined;

beforeAll(() => {
  definitions = testWorkflowDefinitions();
}, 180_000);

afterEach(() => {
  world?.dispose();
  world = undefined;
});

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');

it(`sweeps ${ACCOUNTS.toLocaleString('en')} accounts with every state input and output under 256 KiB`, async () => {
  // Prepare
  const scenario = parseScenario({
    features: { rootCredentialsManagement: true, rootSessions: true },
    accounts: Array.from({ length: ACCOUNTS }, (_, i) => ({
      id: accountId(i),
      // Long names, as organizations have them: ~150 bytes per item, 3 MB of items in all.
      name: `workload-${i}-production-eu-central-1-team`.padEnd(50, 'x'),
      ...(i === 0 ? { management: true } : {}),
    })),
  });
  const started: Record<string, unknown>[] = [];
  world = createWorld(definitions, {
    scenario,
    taskOverrides: {
      StartAccountWorkflow: async (input) => {
        started.push((input as { Input: Record<string, unknown> }).Input);
        return { ExecutionArn: `arn:aws:states:us-east-1:123456789012:execution:test:${started.length}` };
      },
    },
  });
  let largest = { bytes: 0, state: '', type: '' };
  let observed = 0;
  let listed: unknown;
  world.workflow.on((event: WorkflowEvent) => {
    if (event.type !== 'state-entered' && event.type !== 'state-exited') return;
    observed += 1;
    if (event.type === 'state-exited' && event.state === 'ListAccounts') listed = event.data;
    const size = bytes(event.data);
    if (size > largest.bytes) largest = { bytes: size, state: event.state, type: event.type };
  });

  // Act
  const sweep = world.workflow.startSweep({});
  const result = await sweep.result;

  // Assess
  expect(result.status).toBe('SUCCEEDED');
  expect(started).toHaveLength(ACCOUNTS);
  expect(new Set(started.map((s) => s['accountId'])).size).toBe(ACCOUNTS);
  // Each account's input carries what the list knows (the Map's ItemSelector ran on each item).
  expect(started[1]).toMatchObject({
    source: 'sweep',
    accountId: accountId(1),
    sweepExecutionId: sweep.id,
    known: {
      account: { name: expect.stringMatching(/^workload-1-/), isManagement: false },
      features: { rootCredentialsManagement: true, rootSessions: true },
    },
  });
  expect(started[0]).toMatchObject({ known: { account: { isManagement: true } } });
  // The list step's output (as the events carry it) names the list instead of holding it.
  expect(listed).toMatchObject({ sweep: { count: ACCOUNTS, list: { key: expect.stringMatching(/^sweeps\//) } } });
  // The list itself is far over the limit: only the store holds it.
  const stored = await world.workflow.sweepLists.get(
    (sweep.output as { sweep: { list: { bucket: string; key: string } } }).sweep.list,
  );
  expect(stored).toHaveLength(ACCOUNTS);
  expect(bytes(stored)).toBeGreaterThan(10 * PAYLOAD_LIMIT_BYTES);
  // Every state entered and exited (the list step, the Map, each iteration's state) stayed small.
  expect(observed).toBeGreaterThan(2 * ACCOUNTS);
  expect(bytes(sweep.input)).toBeLessThan(PAYLOAD_LIMIT_BYTES);
  expect(bytes(sweep.output)).toBeLessThan(PAYLOAD_LIMIT_BYTES);
  expect(largest.bytes).toBeLessThan(PAYLOAD_LIMIT_BYTES);
  expect(sweep.states().filter((s) => s === 'StartAccountWorkflow')).toHaveLength(ACCOUNTS);
});

it('stops starting account workflows when the sweep is aborted', async () => {
  // Prepare
  const scenario = parseScenario({
    accounts: Array.from({ length: 2_000 }, (_, i) => ({
      id: accountId(i),
      name: `account-${i}`,
      ...(i === 0 ? { management: true } : {}),
    })),
  });
  let starts = 0;
  world = createWorld(definitions, {
    scenario,
    taskOverrides: {
      StartAccountWorkflow: async () => {
        starts += 1;
        await new Promise((resolve) => setTimeout(resolve, 2));
        return { ExecutionArn: `arn:aws:states:us-east-1:123456789012:execution:test:${starts}` };
      },
    },
  });
  const sweep = world.workflow.startSweep({});
  await sweep.waitForState('StartAccountWorkflow', 60_000);

  // Act
  sweep.abort();
  const result = await sweep.result;
  const atAbort = starts;
  await new Promise((resolve) => setTimeout(resolve, 200));

  // Assess
  expect(result.status).toBe('ABORTED');
  expect(atAbort).toBeLessThan(2_000);
  // At most the iterations already running (MaxConcurrency) finish their start.
  expect(starts - atAbort).toBeLessThanOrEqual(10);
});
