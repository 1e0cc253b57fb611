import { renderDashboard } from '../../../serve/dashboard';

describe('renderDashboard', () => {
  it('escapes text that comes from AWS and Slack, and offers no way to decide', () => {
    const html = renderDashboard(
      [
        {
          caseId: 'RK-222222222222-20261201060000-abcd',
          accountId: '222222222222',
          accountName: '<img src=x onerror=alert(1)>',
          status: 'awaiting-approval',
          openedAt: '2026-12-01T06:00:00.000Z',
          trigger: 'sweep',
          decision: 'delete by "alice"',
          path: ['NormalizeTrigger', 'RequestApproval'],
        },
      ],
      new Date('2026-12-01T07:00:00Z'),
    );
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain('delete by &quot;alice&quot;');
    expect(html).toContain('NormalizeTrigger → RequestApproval');
    expect(html).toContain('1 case(s), 1 open');
    expect(html).not.toMatch(/<form|<script|<button/i);
  });

  it('says what to expect when there are no cases yet', () => {
    expect(renderDashboard([], new Date())).toContain('No cases yet');
  });
});
