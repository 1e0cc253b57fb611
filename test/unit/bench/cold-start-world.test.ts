import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { discoverEntries } from '../../../bench/cold-start/cold-start';
import {
  BENCH_ACCESS_KEY_ID,
  CASES_TABLE,
  startBenchWorld,
  type BenchWorld,
} from '../../../bench/cold-start/bench-world';
import {
  BENCH_ACCOUNT,
  BENCH_MANAGEMENT_ACCOUNT,
  TASK_CASES,
  TASK_EVENTS,
} from '../../../bench/cold-start/handler-events';

/** Entries that create their case or need none (every other entry with a caseId must have one seeded). */
const NO_SEED = new Set([
  'normalize-trigger',
  'detect-root-keys',
  'open-case',
  'record-failure',
  'list-sweep-accounts',
  'post-sweep-summary',
]);

describe('the cold-start benchmark’s events and seeded cases', () => {
  const entries = discoverEntries().map((e) => e.name);

  it('has an event for every task entry, and none for an entry that does not exist', () => {
    const tasks = entries.filter((name) => name !== 'slack-app');

    expect(tasks.filter((name) => !(name in TASK_EVENTS))).toEqual([]);
    expect(Object.keys(TASK_EVENTS).filter((name) => !entries.includes(name))).toEqual([]);
  });

  it('seeds the case of every entry whose event names one, and only for existing entries', () => {
    const needing = entries.filter((name) => !NO_SEED.has(name));

    expect(needing.filter((name) => !(name in TASK_CASES))).toEqual([]);
    expect(Object.keys(TASK_CASES).filter((name) => !entries.includes(name))).toEqual([]);
    for (const name of needing.filter((n) => n !== 'slack-app')) {
      expect(TASK_CASES[name]!().caseId).toBe((TASK_EVENTS[name] as { caseId: string }).caseId);
    }
  });
});

describe('the cold-start benchmark world', () => {
  let world: BenchWorld;
  beforeAll(async () => {
    world = await startBenchWorld();
  });
  afterAll(() => world.close());

  it('stores the task’s case as the case store does, and starts every run from the same state', async () => {
    const caseId = TASK_CASES['delete-keys']!().caseId;
    world.stub.putItem(CASES_TABLE, { pk: { S: 'LEFTOVER' } });
    world.organization.account(BENCH_ACCOUNT).keys = [];

    await world.prepare('delete-keys');

    expect(world.stub.getItem(CASES_TABLE, 'LEFTOVER')).toBeUndefined();
    expect(world.stub.getItem(CASES_TABLE, `CASE#${caseId}`)).toMatchObject({
      status: { S: 'deleting' },
      version: { N: '1' },
      case: { M: expect.objectContaining({ caseId: { S: caseId } }) },
    });
    expect(world.stub.getItem(CASES_TABLE, `OPEN#${BENCH_ACCOUNT}`)).toMatchObject({ caseId: { S: caseId } });
    expect(world.organization.account(BENCH_ACCOUNT).keys).toHaveLength(1);
    expect(world.stub.calls).toEqual([]);
  });

  it('leaves the root key deleted for verify-removal', async () => {
    await world.prepare('verify-removal');

    expect(world.organization.account(BENCH_ACCOUNT).keys).toEqual([]);
  });

  it('forwards STS to the organization double', async () => {
    const sts = new STSClient({
      endpoint: world.stub.url,
      region: 'us-east-1',
      credentials: { accessKeyId: BENCH_ACCESS_KEY_ID, secretAccessKey: 'x' },
    });

    const identity = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();

    expect(identity.Account).toBe(BENCH_MANAGEMENT_ACCOUNT);
  });
});
