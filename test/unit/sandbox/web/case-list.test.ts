import { sortCases } from '../../../../sandbox/web/case-list.js';
import type { CaseSummary } from '../../../../sandbox/web/types.js';

const base = { accountId: '333333333333', accountName: 'payments', trigger: 'schedule' };
const c = (caseId: string, openedAt: string, more: Partial<CaseSummary> = {}): CaseSummary => ({
  ...base,
  caseId,
  openedAt,
  status: 'open',
  ...more,
});

describe('the case list order', () => {
  it('puts cases that need someone first, then open ones, then closed ones, newest first in each', () => {
    const cases = [
      c('closed-old', '2026-01-01', { closedAt: '2026-01-02' }),
      c('open-old', '2026-01-01'),
      c('waiting-old', '2026-01-01', { needsAction: true }),
      c('closed-new', '2026-02-01', { closedAt: '2026-02-02' }),
      c('waiting-new', '2026-02-01', { needsAction: true }),
      c('open-new', '2026-02-01'),
    ];
    const before = cases.map((x) => x.caseId);

    expect(sortCases(cases).map((x) => x.caseId)).toEqual([
      'waiting-new',
      'waiting-old',
      'open-new',
      'open-old',
      'closed-new',
      'closed-old',
    ]);
    expect(cases.map((x) => x.caseId)).toEqual(before);
  });
});
