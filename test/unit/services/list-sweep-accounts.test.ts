import { MemorySweepListStore } from '../../../functions/adapters/local/memory-sweep-list-store';
import { parseScenario } from '../../../functions/adapters/sim/scenario';
import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import { listSweepAccounts, type SweepItem } from '../../../functions/services/list-sweep-accounts';
import { manualClock } from '../../support/slack/case-fixture';

const MANAGEMENT = '111111111111';
const MEMBERS = ['222222222222', '333333333333'];

function organization(): SimulatedOrganization {
  return new SimulatedOrganization(
    parseScenario({
      features: { rootCredentialsManagement: true, rootSessions: false },
      accounts: [
        { id: MANAGEMENT, name: 'management', management: true },
        ...MEMBERS.map((id, i) => ({ id, name: `member-${i}` })),
      ],
    }),
    { sleep: async () => {} },
  );
}

describe('listSweepAccounts', () => {
  it('stores every account as an item and returns only the count, where the list is, and the features', async () => {
    // Prepare
    const lists = new MemorySweepListStore();
    const clock = manualClock(new Date('2026-12-01T06:00:00Z'));

    // Act
    const result = await listSweepAccounts({ organization: organization(), clock }, lists, {
      scheduled: true,
      listName: 'sweep-1',
    });

    // Assess
    expect(result).toEqual({
      count: 3,
      list: { bucket: 'local-sweep-lists', key: 'sweeps/sweep-1.json' },
      features: { rootCredentialsManagement: true, rootSessions: false },
    });
    const items = (await lists.get(result.list)) as SweepItem[];
    expect(items).toEqual([
      {
        source: 'schedule',
        accountId: MANAGEMENT,
        detectedAt: '2026-12-01T06:00:00.000Z',
        account: { name: 'management', isManagement: true },
      },
      ...MEMBERS.map((accountId, i) => ({
        source: 'schedule',
        accountId,
        detectedAt: '2026-12-01T06:00:00.000Z',
        account: { name: `member-${i}`, isManagement: false },
      })),
    ]);
  });

  it('lists only the accounts asked for, as a sweep started by a person', async () => {
    // Prepare
    const lists = new MemorySweepListStore();

    // Act
    const result = await listSweepAccounts({ organization: organization(), clock: manualClock() }, lists, {
      scheduled: false,
      accounts: [MEMBERS[1]!],
      listName: 'sweep-2',
    });

    // Assess
    expect(result.count).toBe(1);
    expect(await lists.get(result.list)).toEqual([expect.objectContaining({ source: 'sweep', accountId: MEMBERS[1] })]);
  });
});
